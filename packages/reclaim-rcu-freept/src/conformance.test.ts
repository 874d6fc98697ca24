/**
 * The kit on the RFC as posted: everything passes except a speculative walk on a
 * lazy-TLB CPU. freept_pmd_entry() flushes with flush_tlb_range(), which on x86
 * passes freed_tables = false, so lazy-TLB CPUs are not sent the IPI and can keep
 * a paging-structure-cache entry for the table past pte_free_defer(): the case
 * `freed_tables` was added for (x86/mm/tlb, 2018). pt-reclaim goes through
 * pte_free_tlb(), which sets it.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { checkPlugin } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { rcuFreept } from "./index.js";

describe("rcu-freept under the conformance kit", () => {
  it("fails only the lazy-TLB speculative walk, with a replayable schedule", () => {
    const reports = checkPlugin({ plugin: rcuFreept, arch: x86_64(), budget: 60, fuzz_runs: 20 });
    const failed = reports.flatMap((s) => s.checks.filter((c) => !c.result.ok));
    expect(failed.map((c) => c.name.split(":")[0])).toEqual(["scan-speculative-walk"]);
    expect(failed[0].result.rule).toBe("stale paging-structure cache");
    expect(failed[0].result.message).toContain("CPU 2");
    expect(failed[0].result.failure?.schedule).toMatch(/^s1:/);
    const races = reports.find((s) => s.suite === "races")!;
    expect(races.checks.find((c) => c.name.startsWith("scan-vs-fault"))!.result.ok).toBe(true);
  });
});

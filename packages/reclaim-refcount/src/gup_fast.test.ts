/**
 * GUP-fast against the free of the table it walks (kit scenario
 * gup-fast-vs-dontneed-one-page). refcount frees with no grace period that
 * waits for IRQ-off walkers, so the DONTNEED can clear the PMD between GUP-fast's
 * own read of it and pte_offset_map()'s re-read (x86_64's 5.14 pte_offset_map()
 * is pte_offset_kernel(): the hook re-reads the PMD): the re-read must refuse the
 * table, or GUP-fast walks a freed one. The kit's mutation budget (10) does not
 * reach that window; PCT (seed 7919, depth 3) does at its 16th execution.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import type { ReclaimPlugin } from "@mmsim/core";
import { actorNames, execute, PctStrategy } from "@mmsim/core/check";
import type { KPath, PteMapKind, PteMapping, pmd_ptr, task_struct } from "@mmsim/core/kernel";
import { SCENARIOS } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { refcount } from "./index.js";

describe("refcount: GUP-fast meets the PMD cleared under it", () => {
  it("pte_offset_map() re-reads the PMD and refuses a cleared one (gup-fast-vs-dontneed-one-page, PCT 7919, 20 executions)", () => {
    const s = SCENARIOS.find((x) => x.name === "gup-fast-vs-dontneed-one-page")!;
    const pct = new PctStrategy(7919, actorNames(s).length, 3, 400);
    let refused = 0;
    for (let n = 0; n < 20 && pct.new_execution(); n++) {
      const base = refcount();
      const plugin: ReclaimPlugin = {
        ...base,
        *pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind): KPath<PteMapping | null> {
          const m = yield* base.pte_offset_map!(t, pmdp, addr, kind);
          if (kind === "lockless" && m === null) refused++; // gup_fast checked the PMD before the hook: only the window
          return m;
        },
      };
      const v = execute(s, pct, { plugin, arch: x86_64() }).violation;
      expect(v).toBeNull();
    }
    expect(refused).toBeGreaterThan(0);
  }, 60_000);
});

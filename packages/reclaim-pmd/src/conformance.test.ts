/**
 * The conformance kit on reclaim-pmd, on both arches: every check the manifest
 * selects passes (PT_RECLAIM's checks, the manifest check, every DONTNEED race
 * with the RCU-freed upper levels on, the races of issue #12 §4, the
 * differential fuzz, leaks and accounting).
 */
import { arm64 } from "@mmsim/arch-arm64";
import { x86_64 } from "@mmsim/arch-x86_64";
import { checkPlugin } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { reclaimPmd } from "./index.js";

describe("reclaim-pmd under the conformance kit", () => {
  for (const [name, arch] of [["x86_64", x86_64()], ["arm64", arm64()]] as const) {
    it(`${name}: every check passes`, () => {
      const reports = checkPlugin({ plugin: reclaimPmd, arch, budget: 30, fuzz_runs: 10 });
      const failed = reports.flatMap((s) => s.checks.filter((c) => !c.result.ok).map((c) => `${c.name}: ${c.result.message}`));
      expect(failed).toEqual([]);
      const races = reports.find((s) => s.suite === "races")!;
      for (const s of ["upper-walker-vs-pmd-free", "gup-fast-vs-pmd-free", "fault-vs-pmd-free", "sleeping-pmd-entry-vs-pmd-free"])
        expect(races.checks.some((c) => c.name.startsWith(s)), s).toBe(true);
    });
  }
});

/**
 * Issue #9: "each design's fuzz reclaims tables on every run". The kit's
 * differential fuzz (runDifferential over its biased opsArb, as
 * packages/conformance/src/fuzz.test.ts runs it for pt-reclaim) on the design
 * as posted: every seed passes and frees PTE tables (free_user_pte() on
 * MADV_DONTNEED / MADV_FREE + reclaim), and the pass message says how many.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { contextOf, runDifferential } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { percpu } from "./index.js";

describe("the kit's differential fuzz on percpu", () => {
  it("every run reclaims tables and passes, and the pass message says how many", () => {
    for (const seed of [1, 2, 3, 4]) {
      const out = runDifferential(contextOf({ plugin: () => percpu(), arch: x86_64(), fuzz_runs: 10, seed }));
      expect(out.result.ok, `seed ${seed}: ${out.result.message}`).toBe(true);
      expect(out.reclaimed, `seed ${seed}`).toBeGreaterThan(0);
      expect(out.result.message).toBe(`10 random sequences, ${out.reclaimed} PTE table${out.reclaimed === 1 ? "" : "s"} reclaimed`);
    }
  });
});

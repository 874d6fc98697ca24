/**
 * The GUP-fast window of the percpu design's pte_offset_map hook (index.ts, the
 * "lockless" map that reads *pmd again): GUP-fast read the PMD with IRQs off, and
 * by the hook's re-read MADV_DONTNEED has cleared it (the free itself waits for
 * the IRQ-off section). The hook must refuse the map (return null); mapping
 * through the cleared PMD reads a table that is not there.
 *
 * The kit's races (PCT, random) do not reach it: the window needs two preemptions
 * placed exactly (GUP-fast starting after percpu_ref_switch_to_atomic_sync()'s
 * grace period, then stopped between its two reads while pmd_clear() runs).
 * Bounded-preemption DFS does, in its 25th execution
 * (packages/conformance/scripts/percpu-gup-window.mjs counts all 8081).
 * Killed mutants (Stryker, index.ts): the refusal's block emptied, its condition
 * `false` (twice), `(none || !present) && leaf`.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { readFileSync } from "node:fs";
import { DfsStrategy, execute, validateScenario } from "@mmsim/core/check";
import { pmdp_peek } from "@mmsim/core/kernel";
import { describe, expect, it } from "vitest";
import { percpu } from "./index.js";

const scenario = validateScenario(JSON.parse(readFileSync(new URL("../scenarios/gup-window.json", import.meta.url), "utf8")), "gup-window.json");

describe("percpu: GUP-fast meets the PMD cleared between its read and the hook's re-read", () => {
  it("bounded-preemption DFS reaches the window; the hook refuses the map and no rule breaks", () => {
    const st = new DfsStrategy(2, 2);
    let executions = 0;
    let refused = 0;
    while (refused === 0 && executions < 200 && st.new_execution()) {
      const p = percpu();
      const hook = p.pte_offset_map!;
      p.pte_offset_map = function* (t, pmdp, addr, kind) {
        const r = yield* hook.call(this, t, pmdp, addr, kind);
        if (kind === "lockless" && r === null && t.k.arch.pxd_none(pmdp_peek(t, pmdp))) refused++;
        return r;
      };
      const r = execute(scenario, st, { plugin: p, arch: x86_64() });
      executions++;
      expect(r.violation).toBeNull();
    }
    expect(refused).toBeGreaterThan(0);
    expect(executions).toBe(25); // deterministic: DFS has no seed
  });
});

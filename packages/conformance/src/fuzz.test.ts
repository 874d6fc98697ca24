/**
 * The differential fuzz is biased toward what a design acts on: at the kit's
 * budgets every run reclaims PTE tables (pt-reclaim on MADV_DONTNEED; the
 * asynchronous scanner on idle time; rcu-freept is tested through the kit's
 * restatement of its scanner, which cannot import the plugin itself), and the
 * operations mostly hit mapped memory.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine } from "@mmsim/core";
import { applyOp } from "@mmsim/core/check";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runDifferential } from "./checks.js";
import { opsArb } from "./fuzz.js";
import { rcuFreeptReplica } from "./mutants/rcu_freept_mutants.js";
import { contextOf } from "./run.js";

const arch = x86_64();

describe("differential fuzz", () => {
  for (const [name, plugin] of [
    ["pt-reclaim", ptReclaim],
    ["rcu-freept (restated)", () => rcuFreeptReplica()],
  ] as const) {
    it(`${name}: every run reclaims tables and passes, and the pass message says how many`, () => {
      for (const seed of [1, 2, 3, 4]) {
        const out = runDifferential(contextOf({ plugin, arch, fuzz_runs: 10, seed }));
        expect(out.result.ok, out.result.message).toBe(true);
        expect(out.reclaimed).toBeGreaterThan(0);
        expect(out.result.message).toBe(`10 random sequences, ${out.reclaimed} PTE table${out.reclaimed === 1 ? "" : "s"} reclaimed`);
      }
    });
  }

  it("most accesses hit mapped memory, and most sequences discard a whole slice after writing it", () => {
    const seqs = fc.sample(opsArb, { numRuns: 60, seed: 5 });
    let accesses = 0;
    let faults = 0;
    let discarding = 0;
    for (const ops of seqs) {
      const p = new Engine({ arch, reclaim: null }).spawn();
      let wrote = false;
      let discarded = false;
      for (const op of ops) {
        const r = applyOp(p, op);
        if (op.op === "touch") {
          accesses++;
          if (/SIG/.test(r)) faults++;
          if (op.write && r === "ok") wrote = true;
        }
        if (op.op === "madvise" && wrote && op.len % (2 * 1024 * 1024) === 0 && r === "0") discarded = true;
      }
      if (discarded) discarding++;
    }
    expect(faults / accesses).toBeLessThan(0.25);
    expect(discarding / seqs.length).toBeGreaterThan(0.5);
  });
});

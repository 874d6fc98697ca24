/**
 * The differential fuzz at scale (`mmsim fuzz`): deterministic, sharded into
 * disjoint parts that add up to the run, passing on pt-reclaim and the scanner,
 * with swap entries in the tables, and catching the mutants a single thread can
 * expose: each finding is shrunk, and the shrunk operations reproduce it alone.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine } from "@mmsim/core";
import { applyOp } from "@mmsim/core/check";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { FUZZ_SWAP_BYTES, fuzzScale, fuzzSequence, replaySequence } from "./fuzz_scale.js";
import { MUTANTS } from "./mutants/all.js";
import { rcuFreeptReplica } from "./mutants/rcu_freept_mutants.js";

const arch = x86_64();

describe("mmsim fuzz's engine (fuzzScale)", () => {
  it("pt-reclaim and the scanner pass and reclaim; the same seed gives the same run", () => {
    for (const plugin of [ptReclaim, () => rcuFreeptReplica()]) {
      const r = fuzzScale({ plugin, arch, ops: 400, seed: 2 });
      expect(r.finding).toBeNull();
      expect(r.ops).toBeGreaterThanOrEqual(400);
      expect(r.ops - fuzzSequence(2, r.sequences - 1).length).toBeLessThan(400);
      expect(r.reclaimed).toBeGreaterThan(0);
      expect(fuzzScale({ plugin, arch, ops: 400, seed: 2 })).toEqual(r);
    }
  });

  it("shards (k mod n) run disjoint sequences that add up to the unsharded run", () => {
    const whole = fuzzScale({ plugin: ptReclaim, arch, ops: 300, seed: 5 });
    const parts = [0, 1, 2].map((i) => fuzzScale({ plugin: ptReclaim, arch, ops: 300, seed: 5, keep: (k) => k % 3 === i }));
    expect(parts.reduce((n, p) => n + p.sequences, 0)).toBe(whole.sequences);
    expect(parts.reduce((n, p) => n + p.ops, 0)).toBe(whole.ops);
    expect(parts.reduce((n, p) => n + p.reclaimed, 0)).toBe(whole.reclaimed);
    for (const p of parts) expect([p.total_sequences, p.total_ops]).toEqual([whole.total_sequences, whole.total_ops]);
  });

  it("most sequences page out to swap (PTEs neither none nor present)", () => {
    let swapped = 0;
    for (let k = 0; k < 20; k++) {
      const p = new Engine({ arch, reclaim: null }).spawn();
      p.swapon(FUZZ_SWAP_BYTES);
      if (fuzzSequence(1, k).some((op) => (applyOp(p, op), p.status().VmSwap > 0))) swapped++;
    }
    expect(swapped).toBeGreaterThan(10);
  });

  for (const name of ["partial-slice", "nr-ptes-not-decremented", "still-linked", "double-free", "scan-no-rescan"]) {
    it(`catches mutant:${name}; the shrunk case reproduces it and passes on the unmodified design`, () => {
      const m = MUTANTS.find((x) => x.name === name)!;
      const r = fuzzScale({ plugin: m.plugin, arch, ops: 1000, seed: 1 });
      expect(r.finding, `${name} not caught`).not.toBeNull();
      const f = r.finding!;
      expect(f.ops.length).toBeLessThanOrEqual(f.found.length);
      expect(f.ops.length).toBeLessThan(8);
      expect(replaySequence(arch, m.plugin(), f.ops)).toEqual(f.divergence);
      const base = name.startsWith("scan-") ? rcuFreeptReplica() : ptReclaim();
      expect(replaySequence(arch, base, f.ops)).toBeNull();
    });
  }
});

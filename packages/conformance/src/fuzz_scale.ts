/**
 * The differential fuzz at scale (`mmsim fuzz <plugin> --ops N --seed S
 * [--shard i/n]`): fast-check sequences (fuzz.ts's longOpsArb: up to 100 steps) run one after another
 * through runSequence (differential.ts) until N operations have been run.
 *
 * Sequence k (0, 1, 2, ...) is the first value fast-check generates from seed
 * sequenceSeed(S, k), so it depends on S and k only; the run is the shortest
 * prefix of sequences whose operations add up to N. A shard i/n runs the
 * sequences k with k mod n = i - 1 of that same prefix (it generates the others
 * only to count their operations), so the n shards together run exactly what one
 * unsharded run does. On a divergence, fast-check shrinks the sequence (same
 * seed, one run) and the shrunk operations are rerun for the report: they are
 * the replayable case.
 */
import type { Arch, ReclaimPlugin } from "@mmsim/core";
import type { FuzzOp } from "@mmsim/core/check";
import fc from "fast-check";
import { runSequence, type Divergence } from "./differential.js";
import { longOpsArb } from "./fuzz.js";

export interface FuzzScaleOptions {
  /** A fresh plugin instance per sequence. */
  plugin: () => ReclaimPlugin;
  arch: Arch;
  /** Operations to run over all shards. */
  ops: number;
  seed: number;
  /** Which sequences to run: `keep(k)` for sequence k (default: all). The CLI passes its shard selector. */
  keep?: (k: number) => boolean;
  /** Called now and then with the operations run so far and the number this run will run. */
  onProgress?: (done: number, total: number) => void;
}

/** A sequence that diverged, as found and as shrunk. */
export interface FuzzFinding {
  /** The sequence's index k and its fast-check seed. */
  sequence: number;
  sequence_seed: number;
  /** The divergence on the sequence as generated. */
  found: Divergence & { length: number };
  /** The shrunk operations (the replayable case) and their divergence. */
  ops: FuzzOp[];
  divergence: Divergence;
}

export interface FuzzScaleReport {
  /** Sequences and operations this run (this shard) ran. */
  sequences: number;
  ops: number;
  /** Sequences and operations of the whole run (every shard). */
  total_sequences: number;
  total_ops: number;
  /** PTE tables the plugin reclaimed over the sequences run. */
  reclaimed: number;
  /** The first divergence; the run stops there. */
  finding: FuzzFinding | null;
}

/** The fast-check seed of sequence k of a run seeded `seed` (a 32-bit mix of both). */
export function sequenceSeed(seed: number, k: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * Every sequence runs with a 64 MiB swap area (four times the universe), so
 * MADV_PAGEOUT leaves swap entries in the tables a design examines.
 */
export const FUZZ_SWAP_BYTES = 64 * 1024 * 1024;
const RUN = { exit: true, swap_bytes: FUZZ_SWAP_BYTES } as const;

/** Sequence k of a run seeded `seed`. */
export function fuzzSequence(seed: number, k: number): FuzzOp[] {
  return fc.sample(longOpsArb, { seed: sequenceSeed(seed, k), numRuns: 1 })[0];
}

/** The operation count of every sequence of the run: the shortest prefix reaching `ops` operations (the sequences are regenerated when run). */
function plan(seed: number, ops: number): number[] {
  const lengths: number[] = [];
  for (let n = 0, k = 0; n < ops; k++) {
    const len = fuzzSequence(seed, k).length;
    lengths.push(len);
    n += len;
  }
  return lengths;
}

/** Runs the fuzz; stops at the first divergence and shrinks it. */
export function fuzzScale(o: FuzzScaleOptions): FuzzScaleReport {
  const keep = o.keep ?? (() => true);
  const lengths = plan(o.seed, o.ops);
  const mine = lengths.map((len, k) => ({ len, k })).filter(({ k }) => keep(k));
  const total = mine.reduce((n, { len }) => n + len, 0);
  const report: FuzzScaleReport = {
    sequences: 0,
    ops: 0,
    total_sequences: lengths.length,
    total_ops: lengths.reduce((n, len) => n + len, 0),
    reclaimed: 0,
    finding: null,
  };
  let next = 0;
  for (const { k } of mine) {
    const s = fuzzSequence(o.seed, k);
    const out = runSequence(o.arch, o.plugin(), s, RUN);
    report.sequences++;
    report.ops += s.length;
    report.reclaimed += out.reclaimed;
    if (out.divergence) {
      report.finding = shrink(o, k, s, out.divergence);
      break;
    }
    if (report.ops >= next) {
      o.onProgress?.(report.ops, total);
      next = report.ops + 2000;
    }
  }
  o.onProgress?.(report.ops, total);
  return report;
}

/**
 * fast-check's shrinker on sequence k (the same seed regenerates it): the
 * smallest sequence it finds that still diverges, with any rule. The shrunk
 * operations are then run once more for the report.
 */
function shrink(o: FuzzScaleOptions, k: number, ops: FuzzOp[], found: Divergence): FuzzFinding {
  const seed = sequenceSeed(o.seed, k);
  const r = fc.check(
    fc.property(longOpsArb, (s) => runSequence(o.arch, o.plugin(), s, RUN).divergence === null),
    { seed, numRuns: 1 },
  );
  const shrunk = r.failed && r.counterexample ? r.counterexample[0] : ops;
  const again = runSequence(o.arch, o.plugin(), shrunk, RUN).divergence;
  return again
    ? { sequence: k, sequence_seed: seed, found: { ...found, length: ops.length }, ops: shrunk, divergence: again }
    : { sequence: k, sequence_seed: seed, found: { ...found, length: ops.length }, ops, divergence: found };
}

/** Runs one given sequence (a replayed case). */
export function replaySequence(arch: Arch, plugin: ReclaimPlugin, ops: readonly FuzzOp[]): Divergence | null {
  return runSequence(arch, plugin, ops, RUN).divergence;
}

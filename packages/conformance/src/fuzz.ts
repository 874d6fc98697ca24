/**
 * fast-check arbitraries for differential fuzzing: random syscall and access
 * sequences, biased toward what a reclaim design acts on. Every sequence starts
 * by mapping a 16 MiB universe (eight 2 MiB slices, one PMD table), so accesses
 * hit mapped memory; the generated steps then write pages and discard whole
 * slices (MADV_DONTNEED), write then MADV_FREE + reclaim (MADV_PAGEOUT), let time
 * pass (scheduler ticks: an asynchronous scanner's task_work), and now and then
 * map, unmap, mprotect or advise elsewhere (a second region 1 GiB away shares no
 * table with the first).
 */
import { MADV_COLD, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_PAGEOUT } from "@mmsim/core";
import { type FuzzOp } from "@mmsim/core/check";
import fc from "fast-check";

const K = 1024;
const M = 1024 * K;
const G = 1024 * M;
const SLOT = 0x200000000000;
/** The universe every sequence maps first: 8 slices of 2 MiB. */
export const FUZZ_UNIVERSE = { at: SLOT, len: 16 * M } as const;
const SLICES = FUZZ_UNIVERSE.len / (2 * M);

const slice = fc.integer({ min: 0, max: SLICES - 1 });
/** A page in the universe, often near a slice boundary. */
const page = fc.tuple(slice, fc.oneof(fc.integer({ min: 0, max: 511 }), fc.constantFrom(0, 1, 510, 511))).map(([s, pg]) => SLOT + s * 2 * M + pg * 4 * K);
/** Anywhere: the universe, or a second region 1 GiB away (mostly unmapped, so mmap succeeds there). */
const addr = fc.oneof({ weight: 4, arbitrary: page }, { weight: 1, arbitrary: page.map((a) => a + G) });
const len = fc.oneof(fc.constantFrom(4 * K, 2 * M, 4 * M, 2 * M + 8 * K, 8 * M), fc.integer({ min: 1, max: 700 }).map((n) => n * 4 * K));
const advice = fc.constantFrom(MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_COLD);
/** A few pages written or read at once (a whole slice costs 512 faults: rarely needed). */
const pages = fc.integer({ min: 1, max: 24 }).map((n) => n * 4 * K);

const write = (at: number, len: number): FuzzOp => ({ op: "touch", at, len, write: true });
const wholeSlices = fc.tuple(slice, fc.constantFrom(1, 1, 2)).map(([s, n]) => ({ at: SLOT + s * 2 * M, len: Math.min(n, SLICES - s) * 2 * M }));

/** One step: a single operation or a short idiom, as a list. */
export const stepArb: fc.Arbitrary<FuzzOp[]> = fc.oneof(
  // Write some pages, then discard their whole slice(s): the case MADV_DONTNEED reclaim acts on.
  { weight: 4, arbitrary: fc.tuple(wholeSlices, fc.integer({ min: 0, max: 500 }), pages).map(([w, off, n]) => [write(w.at + off * 4 * K, n), { op: "madvise" as const, at: w.at, len: w.len, arg: MADV_DONTNEED }]) },
  // Write, MADV_FREE, then reclaim the lazily freed folios (MADV_PAGEOUT stands for vmscan).
  { weight: 2, arbitrary: fc.tuple(wholeSlices, pages).map(([w, n]) => [write(w.at, n), { op: "madvise" as const, at: w.at, len: w.len, arg: MADV_FREE }, { op: "madvise" as const, at: w.at, len: w.len, arg: MADV_PAGEOUT }]) },
  // Time passes in user space: an asynchronous design's scanner runs.
  { weight: 2, arbitrary: fc.constantFrom(50, 150, 300, 1000).map((ms) => [{ op: "idle" as const, ms }]) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("touch" as const), at: page, len: pages, write: fc.boolean() }).map((o) => [o]) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("madvise" as const), at: addr, len, arg: advice }).map((o) => [o]) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("mmap" as const), at: addr, len, shared: fc.constantFrom(false, false, false, true), prot: fc.constantFrom(3, 3, 1) }).map((o) => [o]) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("munmap" as const), at: addr, len, arg: fc.constant(0) }).map((o) => [o]) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("mprotect" as const), at: addr, len, arg: fc.constantFrom(3, 1, 0) }).map((o) => [o]) },
);

/** A single operation of any kind (for callers that build their own sequences). */
export const opArb: fc.Arbitrary<FuzzOp> = stepArb.map((ops) => ops[0]);

/**
 * With swap on (`mmsim fuzz`): write pages, page them out (swap entries: PTEs
 * neither none nor present), then either fault them back in (do_swap_page) or
 * discard their whole slice(s) (zap_nonpresent_ptes) — the table a design
 * examines holds swap entries.
 */
export const swapStepArb: fc.Arbitrary<FuzzOp[]> = fc
  .tuple(wholeSlices, fc.integer({ min: 0, max: 500 }), pages, fc.boolean())
  .map(([w, off, n, back]) => [
    write(w.at + off * 4 * K, n),
    { op: "madvise" as const, at: w.at, len: w.len, arg: MADV_PAGEOUT },
    back ? { op: "touch" as const, at: w.at + off * 4 * K, len: n, write: false } : { op: "madvise" as const, at: w.at, len: w.len, arg: MADV_DONTNEED },
  ]);

/** A sequence: map the universe, then 1–`maxSteps` steps of `step`. */
export function opsArbOf(maxSteps: number, size?: fc.SizeForArbitrary, step: fc.Arbitrary<FuzzOp[]> = stepArb): fc.Arbitrary<FuzzOp[]> {
  return fc
    .array(step, { minLength: 1, maxLength: maxSteps, size })
    .map((steps) => [{ op: "mmap" as const, at: FUZZ_UNIVERSE.at, len: FUZZ_UNIVERSE.len, shared: false, prot: 3 }, ...steps.flat()]);
}

/** The kit's sequences: map the universe, then 1–20 steps. */
export const opsArb: fc.Arbitrary<FuzzOp[]> = opsArbOf(20);

/**
 * `mmsim fuzz`'s sequences: up to 100 steps, any length equally likely (fast-check's
 * default size would keep arrays near 10), so one process lives through more, and
 * the cost of setting up two kernels (most of a short sequence's time) is spread
 * over more operations; one step in ten is swapStepArb (the runs have swap on).
 */
export const longOpsArb: fc.Arbitrary<FuzzOp[]> = opsArbOf(100, "max", fc.oneof({ weight: 9, arbitrary: stepArb }, { weight: 1, arbitrary: swapStepArb }));

/**
 * The run-based free lists (free_runs.ts, page_alloc.ts): the stack of runs hands
 * frames out in exactly the order a plain JS stack of PFNs does (the allocator
 * before issue #10, kept here as the reference), for random push/pop sequences
 * and for the allocator as a whole (order 0 and THP, alignment gaps, frees in
 * both directions); runs stay few for frees in address order; and each mutant
 * (a run merged across a gap, an ascending range pushed one too long) is caught.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FreeRuns, type FreeRunsMutant } from "./free_runs.js";
import { BYTES_PER_FRAME, FLAT_FRAMES, FRAME_CHUNK, HPAGE_PMD_NR, PageFrames, PF_HEAD, PG_ANON, PG_FREE, PG_TAIL } from "./page_alloc.js";

/** An operation on a free list: push a PFN near the top (delta from the last value seen), pop, push an ascending range. */
type Op = { k: "push"; d: number } | { k: "pop" } | { k: "push_asc"; d: number; n: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }).map((d) => ({ k: "push" as const, d })) },
  { weight: 4, arbitrary: fc.constant({ k: "pop" as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("push_asc" as const), d: fc.integer({ min: -3, max: 3 }), n: fc.integer({ min: 0, max: 5 }) }) },
);

/** Runs the ops on a FreeRuns and on a plain array; returns the first difference, or null. */
function replay(ops: readonly Op[], step: number, mutant: FreeRunsMutant | null = null): string | null {
  const r = new FreeRuns(step, mutant);
  const ref: number[] = [];
  let last = 1000 * step;
  for (const [i, op] of ops.entries()) {
    if (op.k === "push") {
      last = Math.max(step, last + op.d * step);
      r.push(last);
      ref.push(last);
    } else if (op.k === "push_asc") {
      last = Math.max(step, last + op.d * step);
      r.push_ascending(last, op.n);
      for (let j = 0; j < op.n; j++) ref.push(last + j * step);
      if (op.n > 0) last += (op.n - 1) * step;
    } else {
      const got = r.pop();
      const want = ref.length ? ref.pop()! : -1;
      if (got !== want) return `op ${i}: pop ${got}, expected ${want}`;
    }
    if (r.count !== ref.length) return `op ${i}: count ${r.count}, expected ${ref.length}`;
  }
  for (let j = ref.length - 1; j >= 0; j--) if (r.pop() !== ref[j]) return `drain: expected ${ref[j]}`;
  return r.pop() === -1 ? null : "drain: not empty";
}

describe("FreeRuns: a LIFO stack of PFNs kept as runs", () => {
  it("pops exactly what a plain stack pops (order 0 and THP heads)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), fc.constantFrom(1, HPAGE_PMD_NR), (ops, step) => replay(ops, step) === null),
      { numRuns: 400, seed: 10 },
    );
  });

  it("keeps frees in address order, or in the reverse order of allocation, as one run", () => {
    const r = new FreeRuns(1);
    for (let p = 100; p < 100 + 100_000; p++) r.push(p);
    expect(r.runs).toBe(1);
    for (let p = 99; p > 0; p--) r.push(p); // a turn: a new run, descending
    expect(r.runs).toBe(2);
    expect(r.count).toBe(100_099);
    expect(r.pop()).toBe(1);
    r.push_ascending(5_000_000, 1 << 20);
    expect(r.runs).toBe(3);
    expect([r.pop(), r.pop(), r.count]).toEqual([5_000_000 + (1 << 20) - 1, 5_000_000 + (1 << 20) - 2, 100_098 + (1 << 20) - 2]);
  });

  it("keeps frees of every other frame (data pages between page tables) as one run", () => {
    const r = new FreeRuns(1);
    for (let p = 1001; p < 1001 + 2 * 100_000; p += 2) r.push(p);
    expect(r.runs).toBe(1);
    r.push(5); // another difference: a new run
    expect([r.runs, r.pop(), r.pop(), r.pop(), r.count]).toEqual([2, 5, 1001 + 2 * 99_999, 1001 + 2 * 99_998, 99_998]);
  });

  it("holds PFNs up to 2^40 and more", () => {
    const r = new FreeRuns(1);
    r.push(2 ** 40 - 2);
    r.push(2 ** 40 - 1);
    r.push(2 ** 40);
    expect(r.runs).toBe(1);
    expect([r.pop(), r.pop(), r.pop(), r.pop()]).toEqual([2 ** 40, 2 ** 40 - 1, 2 ** 40 - 2, -1]);
  });

  it.each<FreeRunsMutant>(["merge-gap", "ascending-overrun"])("mutant %s is caught", (m) => {
    const found = fc.check(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => replay(ops, 1, m) === null),
      { numRuns: 400, seed: 10 },
    );
    expect(found.failed).toBe(true);
  });
});

/** PageFrames as it was before issue #10 (JS arrays of free frames): the order reference. */
class ReferenceFrames {
  private top = 1;
  private free0: number[] = [];
  private free9: number[] = [];
  alloc(order: 0 | 9): number {
    const p = order === 0 ? this.free0.pop() : this.free9.pop();
    if (p !== undefined) return p;
    const n = 1 << order;
    const base = order ? Math.ceil(this.top / n) * n : this.top;
    for (let q = this.top; q < base; q++) this.free0.push(q);
    this.top = base + n;
    return base;
  }
  free(pfn: number, order: 0 | 9): void {
    (order ? this.free9 : this.free0).push(pfn);
  }
}

describe("PageFrames hands out the same PFNs as the JS-array allocator it replaced", () => {
  it("for random allocations and frees of order 0 and 9", () => {
    const opsArb = fc.array(fc.record({ alloc: fc.boolean(), order: fc.constantFrom<0 | 9>(0, 0, 0, 9), pick: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }), { maxLength: 120 });
    fc.assert(
      fc.property(opsArb, (ops) => {
        const f = new PageFrames();
        const ref = new ReferenceFrames();
        ref.alloc(0); // the zero page and the huge zero folio
        ref.alloc(9);
        const held: [number, 0 | 9][] = [];
        for (const op of ops) {
          for (let i = 0; i < op.n; i++) {
            if (op.alloc || held.length === 0) {
              const p = f.alloc(op.order, PG_ANON);
              if (p !== ref.alloc(op.order)) return false;
              held.push([p, op.order]);
            } else {
              // Free a run of held frames from a random point, forwards or backwards (address order or not).
              const j = op.pick % held.length;
              const [p, o] = held.splice(op.pick % 2 ? j : held.length - 1, 1)[0];
              f.free(p, o);
              ref.free(p, o);
            }
          }
        }
        return f.nr_used === 1 + 512 + held.reduce((s, [, o]) => s + (1 << o), 0);
      }),
      { numRuns: 300, seed: 10 },
    );
  });

  it("sets and poisons the descriptors as before, THP tails included", () => {
    const f = new PageFrames();
    const head = f.alloc(9, PG_ANON);
    expect(head % HPAGE_PMD_NR).toBe(0);
    expect([f.get_type(head), f.get_flags(head), f.get_refcount(head), f.get_type(head + 511)]).toEqual([PG_ANON, PF_HEAD, 1, PG_TAIL]);
    const gen = f.get_gen(head + 3);
    f.free(head, 9);
    expect([f.get_type(head), f.get_type(head + 3), f.get_gen(head + 3)]).toEqual([PG_FREE, PG_FREE, gen + 1]);
    expect(() => f.free(head, 9)).toThrow(`double free of pfn ${head}`);
  });

  it("past FRAME_CHUNK frames, reserves the first region at FLAT_FRAMES once (its chunks: views of it), keeping every descriptor", () => {
    const f = new PageFrames();
    let last = 0;
    for (let i = 0; i < FRAME_CHUNK; i++) {
      last = f.alloc(0, PG_ANON);
      f.set_data(last, last);
    }
    expect(last).toBeGreaterThan(FRAME_CHUNK);
    // The first region doubled up to FRAME_CHUNK frames, then was reserved at FLAT_FRAMES; the directory's chunks are views of it.
    expect(f.type_dir.map((a) => a.length)).toEqual(new Array(FLAT_FRAMES / FRAME_CHUNK).fill(FRAME_CHUNK));
    expect(f.type_dir.every((a) => a.buffer === f.type_dir[0].buffer)).toBe(true);
    expect([f.get_data(1 + 512 + 1000), f.get_data(last), f.get_type(last), f.get_refcount(last)]).toEqual([1 + 512 + 1000, last, PG_ANON, 1]);
    expect(f.host_bytes()).toBeLessThan((last + 1) * BYTES_PER_FRAME + 4096);
  });

  it("refuses a PFN past max_pfn with an out-of-memory error", () => {
    const f = new PageFrames(2000);
    expect(() => {
      for (;;) f.alloc(0, PG_ANON);
    }).toThrow("out of simulated memory (max_pfn 2000)");
  });
});

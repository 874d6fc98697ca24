/**
 * The bulk range operations the batch paths use (issue #10 §1) against the
 * one-at-a-time operations they stand for: FreeRuns.pop_run()/push_run() against
 * pop()/push() (the whole stack state, stale run-table words included, since the
 * state digest hashes them); PageFrames.alloc_run()/free_run() against
 * alloc()/free() (every descriptor array, the counters and the free list);
 * PtStore.write_run()/zeros_at()/run_at() against set()/get(); and the mmu_gather's
 * __tlb_remove_page_run() against __tlb_remove_folio_pages() per page (the batches
 * and where the gather fills). Mutants (a subclass or a wrong call, each caught
 * here): a push_run that pushes the run backwards, an alloc_run that reports the
 * wrong direction, a write_run that accepts a run it does not continue.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FreeRuns } from "./free_runs.js";
import { PageFrames, PF_DIRTY, PG_ANON } from "./page_alloc.js";
import { PtStore, PTE_LEVEL } from "../pgtable/store.js";
import { MAX_GATHER_BATCH_COUNT, MmuGather, __tlb_remove_folio_pages, __tlb_remove_page_run, set_flush_runs_policy } from "../tlb/mmu_gather.js";
import type { Kernel } from "../types/kernel.js";
import type { MmStruct } from "../types/mm_types.js";

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Everything a FreeRuns holds (private fields included: the digest sees them). */
const state = (x: object): string => JSON.stringify(x, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));

type Op = { k: "push_run"; d: number; n: number; dir: number } | { k: "pop_run"; n: number } | { k: "push"; d: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant("push_run" as const), d: fc.integer({ min: -3, max: 3 }), n: fc.integer({ min: 0, max: 40 }), dir: fc.constantFrom(1, -1) }),
  fc.record({ k: fc.constant("pop_run" as const), n: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ k: fc.constant("push" as const), d: fc.integer({ min: -3, max: 3 }) }),
);

/** Replays `ops` with the bulk calls on one stack and one element at a time on another; the first difference, or null. */
function replayRuns(ops: readonly Op[], step: number, reversed = false): string | null {
  const bulk = new FreeRuns(step);
  const one = new FreeRuns(step);
  let last = 1000 * step;
  for (const [i, op] of ops.entries()) {
    if (op.k === "push") {
      last = Math.max(step * 50, last + op.d * step);
      bulk.push(last);
      one.push(last);
    } else if (op.k === "push_run") {
      last = Math.max(step * 50, last + op.d * step);
      if (reversed && op.n > 1) bulk.push_run(last + (op.n - 1) * op.dir * step, op.n, -op.dir);
      else bulk.push_run(last, op.n, op.dir);
      for (let j = 0; j < op.n; j++) one.push(last + j * op.dir * step);
      if (op.n > 0) last += (op.n - 1) * op.dir * step;
    } else {
      const first = bulk.peek();
      const diff = bulk.pop_diff();
      const got = bulk.pop_run(op.n);
      for (let j = 0; j < got; j++) {
        const want = one.pop();
        if (want !== first + j * diff) return `op ${i}: pop_run element ${j} is ${first + j * diff}, pop() gives ${want}`;
      }
      if (got === 0 && op.n > 0 && one.count > 0) return `op ${i}: pop_run took nothing from a non-empty stack`;
    }
    if (state(bulk) !== state(one)) return `op ${i} (${op.k}): states differ`;
  }
  return null;
}

describe("FreeRuns bulk operations = one element at a time", () => {
  it("pop_run/push_run leave exactly the state pop()/push() leave (order 0 and THP heads)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), fc.constantFrom(1, 512), (ops, step) => replayRuns(ops, step) === null),
      { numRuns: 300, seed: 11 },
    );
  });

  it("mutant: a push_run that pushes its run backwards is caught", () => {
    const ops: Op[] = [{ k: "push_run", d: 0, n: 5, dir: 1 }, { k: "pop_run", n: 2 }];
    expect(replayRuns(ops, 1, true)).not.toBeNull();
  });

  it("pop_run of a descending run turns a two-element remainder into a one-element run, as pop() does", () => {
    const r = new FreeRuns(1);
    r.push_run(100, 4, -1); // 100, 99, 98, 97: top 97, popping upwards
    expect([r.peek(), r.run_dir()]).toEqual([97, 1]);
    expect(r.pop_run(3)).toBe(3);
    expect([r.peek(), r.run_dir(), r.runs, r.count]).toEqual([100, 0, 1, 1]);
    expect(r.pop_run(5)).toBe(1);
    expect([r.peek(), r.count, r.pop_run(1)]).toEqual([-1, 0, 0]);
  });
});

/** Every descriptor array and counter of a PageFrames, and its free lists. */
const framesState = (f: PageFrames): string => state(f);

describe("PageFrames alloc_run/free_run = alloc()/free() one frame at a time", () => {
  const out = { n: 0, step: 0 };
  /** Frees `pfns` in order on both, then allocates `want` frames (bulk in runs of at most `max`) on both. */
  function check(pfns: number[], want: number, max: number, frees: [number, number, number][] = []): void {
    const bulk = new PageFrames();
    const one = new PageFrames();
    const got: number[] = [];
    for (const f of [bulk, one]) for (let i = 0; i < 700; i++) f.alloc(0, PG_ANON);
    for (const p of pfns) {
      bulk.free(p, 0);
      one.free(p, 0);
    }
    for (const [first, n, step] of frees) {
      bulk.free_run(first, n, step);
      for (let i = 0; i < n; i++) one.free(first + i * step, 0);
    }
    expect(framesState(bulk)).toBe(framesState(one));
    while (got.length < want) {
      const first = bulk.alloc_run(Math.min(max, want - got.length), PG_ANON, out);
      expect(out.n).toBeGreaterThan(0);
      for (let i = 0; i < out.n; i++) got.push(first + i * out.step);
    }
    const ref: number[] = [];
    for (let i = 0; i < want; i++) ref.push(one.alloc(0, PG_ANON));
    expect(got).toEqual(ref);
    expect(framesState(bulk)).toBe(framesState(one));
  }

  it("takes runs of the free list in both directions, then new frames from the top (growing the arrays)", () => {
    // Frames 1..511 are handed out first (511 down), then 1024 up (512..1023: the huge zero folio).
    const asc = Array.from({ length: 100 }, (_, i) => 1100 + i);
    check([...asc, 10, 12, 11], 3000, 512);
    check([...asc].reverse(), 150, 7);
  });

  it("takes runs of any difference (every other frame, as the free list holds after a sparse discard) at once", () => {
    const every2 = Array.from({ length: 80 }, (_, i) => 1030 + 2 * i);
    const every3down = Array.from({ length: 50 }, (_, i) => 500 - 3 * i);
    check([...every2, ...every3down, 501, 503], 400, 512);
    check([...every2].reverse(), 130, 9);
  });

  it("with anon_owner, leaves the descriptors an anon fault leaves (owner, mapcount 1, PG_dirty), runs of any difference", () => {
    for (const pfns of [Array.from({ length: 60 }, (_, i) => 1030 + 2 * i), Array.from({ length: 60 }, (_, i) => 1100 - i)]) {
      const bulk = new PageFrames();
      const one = new PageFrames();
      for (const f of [bulk, one]) for (let i = 0; i < 700; i++) f.alloc(0, PG_ANON);
      for (const p of pfns) for (const f of [bulk, one]) f.free(p, 0);
      for (let got = 0; got < 100; ) {
        const first = bulk.alloc_run(100 - got, PG_ANON, out, 7);
        for (let i = 0; i < out.n; i++) {
          const p = first + i * out.step;
          const q = one.alloc(0, PG_ANON);
          expect(q).toBe(p);
          one.set_owner(q, 7);
          one.set_mapcount(q, 1);
          one.set_flag_bits(q, PF_DIRTY);
          for (const f of [bulk, one]) {
            f.set_data(p, got + i + 1);
            f.set_index(p, 4096 * (got + i));
          }
        }
        got += out.n;
      }
      expect(framesState(bulk)).toBe(framesState(one));
    }
  });

  it("free_run frees in the given order (ascending and descending runs)", () => {
    check([], 400, 64, [
      [100, 50, 1],
      [1200, 50, -1],
      [151, 3, 1],
    ]);
  });

  it("free_run frees every other frame (step +-2, +3: a sparse workload's data pages between its tables) in the given order", () => {
    check([], 400, 64, [
      [300, 40, 2],
      [1210, 40, -2],
      [301, 5, 2],
      [400, 20, 3],
    ]);
  });

  it("mutant: a strided free_run pushing its frames in the reverse order is caught", () => {
    class Reversed extends PageFrames {
      override free_run(first: number, n: number, step: number): void {
        super.free_run(first + (n - 1) * step, n, -step);
      }
    }
    const bulk = new Reversed();
    const one = new PageFrames();
    for (const f of [bulk, one]) for (let i = 0; i < 700; i++) f.alloc(0, PG_ANON);
    bulk.free_run(300, 40, 2);
    for (let i = 0; i < 40; i++) one.free(300 + i * 2, 0);
    expect(framesState(bulk)).not.toBe(framesState(one));
  });

  it("a strided free_run of a frame that is not allocated throws as free() does", () => {
    const f = new PageFrames();
    for (let i = 0; i < 10; i++) f.alloc(0, PG_ANON); // 511 .. 502
    f.free(506, 0);
    expect(() => f.free_run(502, 4, 2)).toThrow(/double free of pfn 506/);
  });

  it("free_run of a frame that is not allocated throws as free() does", () => {
    const f = new PageFrames();
    for (let i = 0; i < 10; i++) f.alloc(0, PG_ANON); // 511 .. 502
    f.free(505, 0);
    expect(() => f.free_run(503, 4, 1)).toThrow(/double free of pfn 505/);
  });

  it("mutant: using the wrong direction of an alloc_run is caught (other frames than alloc() hands out)", () => {
    const bulk = new PageFrames();
    const one = new PageFrames();
    const first = bulk.alloc_run(20, PG_ANON, out);
    const wrong = Array.from({ length: out.n }, (_, i) => first - i * out.step);
    const ref = Array.from({ length: out.n }, () => one.alloc(0, PG_ANON));
    expect(wrong).not.toEqual(ref);
  });
});

describe("PtStore write_run/zeros_at/run_at = set()/get()", () => {
  /** A store with one table; returns it and the pointer of entry 0. */
  function table(S: typeof PtStore = PtStore): [PtStore, number] {
    const s = new S(new PageFrames());
    const pfn = s.alloc(PTE_LEVEL, 1);
    return [s, s.entry(pfn, 0)];
  }
  const entries = (s: PtStore, p: number): number[] => Array.from({ length: 512 }, (_, i) => s.get(p + i));

  it("writes a run into an EMPTY table and extends a RUN at its end, as set()s would", () => {
    const [a, pa] = table();
    const [b, pb] = table();
    expect(a.write_run(pa + 10, 100, 5e12, -4096)).toBe(true);
    for (let k = 0; k < 100; k++) b.set(pb + 10 + k, 5e12 - k * 4096);
    expect(a.write_run(pa + 110, 50, 5e12 - 100 * 4096, -4096)).toBe(true);
    for (let k = 0; k < 50; k++) b.set(pb + 110 + k, 5e12 - (100 + k) * 4096);
    expect(entries(a, pa)).toEqual(entries(b, pb));
    expect(a.nr_used(a.table_of(pa))).toBe(150);
    // Not a continuation: offsets from the run's first entry (DENSE32), written in one loop.
    expect(a.write_run(pa + 160, 5, 7e12, 4096)).toBe(true);
    for (let k = 0; k < 5; k++) b.set(pb + 160 + k, 7e12 + k * 4096);
    expect(a.write_run(pa + 300, 5, 5e12 - 150 * 4096, -4096)).toBe(true);
    for (let k = 0; k < 5; k++) b.set(pb + 300 + k, 5e12 - (150 + k) * 4096);
    // Over entries already there, into the DENSE32 block.
    expect(a.write_run(pa + 158, 4, 9e12, 8192)).toBe(true);
    for (let k = 0; k < 4; k++) b.set(pb + 158 + k, 9e12 + k * 8192);
    expect(entries(a, pa)).toEqual(entries(b, pb));
    expect(a.nr_used(a.table_of(pa))).toBe(b.nr_used(b.table_of(pb)));
    // Entries that are no offsets from the block's base (other flag bits): refused, nothing stored.
    expect(a.write_run(pa + 400, 5, 5e12 + 0x67, 4096)).toBe(false);
    expect(a.write_run(pa + 400, 3, 5e12, 2048)).toBe(false);
    expect(entries(a, pa)).toEqual(entries(b, pb));
  });

  it("writes runs into RUN, DENSE32 and DENSE tables as set()s would (write_run32), occupancy included", () => {
    const r = rng(5);
    for (let round = 0; round < 200; round++) {
      const [a, pa] = table();
      const [b, pb] = table();
      const flags = [0x67, 0x67, 0x67, 0x25][Math.floor(r() * 4)];
      for (let w = 0; w < 6; w++) {
        const i = Math.floor(r() * 512);
        const n = 1 + Math.floor(r() * Math.min(40, 512 - i));
        const step = [4096, -4096, 8192, -8192, 3 * 4096][Math.floor(r() * 5)];
        const first = 4096 * (100_000 + Math.floor(r() * 50_000)) + (w === 3 ? flags : 0x67);
        if (first + (n - 1) * step <= 0) continue;
        if (!a.write_run(pa + i, n, first, step)) for (let k = 0; k < n; k++) a.set(pa + i + k, first + k * step);
        for (let k = 0; k < n; k++) b.set(pb + i + k, first + k * step);
        expect(entries(a, pa)).toEqual(entries(b, pb));
        expect(a.nr_used(a.table_of(pa))).toBe(b.nr_used(b.table_of(pb)));
        // zeros_at() on whatever form that left (DENSE32 included) = counting get()s.
        const z = Math.floor(r() * 512);
        let zeros = 0;
        while (z + zeros < 512 && b.get(pb + z + zeros) === 0) zeros++;
        expect(a.zeros_at(pa + z, 512 - z)).toBe(zeros);
      }
    }
  });

  it("a one-entry RUN and a run elsewhere: the entry becomes the exception, in O(1)", () => {
    const [a, pa] = table();
    a.set(pa, 4096 * 77 + 0x67); // the sparse page
    expect(a.write_run(pa + 1, 100, 4096 * 5000 + 0x67, -8192)).toBe(true);
    expect(a.get(pa)).toBe(4096 * 77 + 0x67);
    expect(a.get(pa + 100)).toBe(4096 * (5000 - 198) + 0x67);
    expect([a.nr_used(a.table_of(pa)), a.nr_dense_tables]).toEqual([101, 0]);
  });

  it("mutant: a write_run32 that takes entries with other flags as offsets (rounded down) is caught", () => {
    class FlagBlind extends PtStore {
      protected override off32(v: number, base: number): number {
        return v === 0 ? -0x80000000 : Math.floor((v - base) / 4096);
      }
    }
    const [a, pa] = table(FlagBlind);
    const [b, pb] = table();
    for (const [s, p] of [[a, pa], [b, pb]] as const) {
      s.write_run(p, 10, 4096 * 50 + 0x67, 4096);
      s.write_run(p + 40, 3, 4096 * 70 + 0x67, 4096); // a second run: RUNS (a write over a run turns it DENSE32)
      if (!s.write_run(p + 8, 5, 4096 * 90 + 0x25, -4096)) for (let k = 0; k < 5; k++) s.set(p + 8 + k, 4096 * (90 - k) + 0x25);
    }
    expect(entries(a, pa)).not.toEqual(entries(b, pb));
  });

  it("mutant: a caller that takes a refused write_run as done (no write() after it) is caught", () => {
    const write = (s: PtStore, p: number, n: number, first: number, step: number, trust: boolean) => {
      if (!s.write_run(p, n, first, step) && !trust) for (let k = 0; k < n; k++) s.set(p + k, first + k * step);
    };
    const [a, pa] = table();
    const [m, pm] = table();
    const [b, pb] = table();
    for (const [s, p, trust] of [[a, pa, false], [m, pm, true]] as const) {
      write(s, p, 10, 4096 * 50 + 0x67, 4096, trust);
      write(s, p + 40, 3, 4096 * 70 + 0x67, 4096, trust); // a second run: RUNS (a write over a run turns it DENSE32)
      write(s, p + 8, 5, 4096 * 90 + 0x25, -4096, trust); // over the first run, other flags: no offset from the run's base, refused
    }
    for (let k = 0; k < 10; k++) b.set(pb + k, 4096 * (50 + k) + 0x67);
    for (let k = 0; k < 3; k++) b.set(pb + 40 + k, 4096 * (70 + k) + 0x67);
    for (let k = 0; k < 5; k++) b.set(pb + 8 + k, 4096 * (90 - k) + 0x25);
    expect(entries(a, pa)).toEqual(entries(b, pb));
    expect(entries(m, pm)).not.toEqual(entries(b, pb));
  });
});

describe("__tlb_remove_page_run = __tlb_remove_folio_pages() per page", () => {
  const gather = () => new MmuGather({ arch: { TASK_SIZE: 2 ** 47 } } as unknown as Kernel, {} as MmStruct, false);
  /** Each batch's queued entries, the runs recorded in PageBatch.runs written out. */
  const batches = (t: MmuGather) =>
    t.batches.slice(0, t.active + 1).map((b) => {
      const pages = b.pages.slice(0, b.nr);
      for (let r = 0; r < b.nruns; r += 4) for (let i = 0; i < b.runs[r + 1]; i++) pages[b.runs[r] + i] = b.runs[r + 2] + i * b.runs[r + 3];
      return pages;
    });

  it("fills the batches the same way and stops right after the page that filled the gather", () => {
    for (const n of [1, 7, 8, 600, 20_000]) {
      const a = gather();
      const b = gather();
      const q = __tlb_remove_page_run(a, 5000, -1, n);
      let done = 0;
      let full = false;
      while (done < n && !full) full = __tlb_remove_folio_pages(b, 5000 - done++, 1);
      expect(q).toBe(full ? -done : done);
      expect(batches(a)).toEqual(batches(b));
      expect(a.active).toBe(b.active);
    }
    expect(MAX_GATHER_BATCH_COUNT).toBe(19);
  });

  it("where the flush frees runs, records each batch's share as one run (PageBatch.runs), the batches filling the same way", () => {
    set_flush_runs_policy(() => 1);
    try {
      for (const n of [1, 2, 7, 8, 600, 20_000]) {
        const a = gather();
        const b = gather();
        __tlb_remove_folio_pages(a, 77, 1); // a single page first: the run starts at entry 1
        __tlb_remove_folio_pages(b, 77, 1);
        const q = __tlb_remove_page_run(a, 5000, 1, n);
        let done = 0;
        let full = false;
        while (done < n && !full) full = __tlb_remove_folio_pages(b, 5000 + done++, 1);
        expect(q).toBe(full ? -done : done);
        expect(batches(a)).toEqual(batches(b));
        expect(a.active).toBe(b.active);
        // One record per batch the run reaches with two or more pages; a one-page share is written.
        if (n >= 8) expect(a.batches[0].runs.slice(0, a.batches[0].nruns)).toEqual([1, 6, 5000, 1]);
      }
    } finally {
      set_flush_runs_policy(() => 0);
    }
  });
});

/**
 * PtStore's compact forms (EMPTY / RUN / DENSE) against a plain model: 512
 * numbers per table. Random writes of the kinds the kernel paths make (runs of
 * consecutive PFNs, zero-page runs, clears from either end, stray values), with
 * frees, reuse and quarantine; every entry, the occupancy count and the poison of
 * freed tables must match. A mutant store that extends a run without checking
 * the progression is caught. The form of a few runs (RUNS) has its own
 * differential (write_run()s of one to three runs, sometimes up to twelve: more
 * than a RUNS table holds; then the zap's clears), with mutants that find a run
 * one entry too far and that put a run over another.
 */
import { describe, expect, it } from "vitest";
import { PageFrames } from "../mm/page_alloc.js";
import { PAGE_POISON_ENTRY, PTE_LEVEL, PageTableUseAfterFree, PtStore } from "./store.js";

/** The mutant: any write next to a run extends it. */
class RunUncheckedStore extends PtStore {
  protected override run_extends(_first: number, _step: number, n: number, k: number): boolean {
    return k === -1 || k === n;
  }
}

/** The mutant: a fresh block for a batch write is not zeroed around it (a reused block's stale entries show). */
class StaleBlockStore extends PtStore {
  protected override zero_around(): void {}
}

/** The mutant: clearing most of a dense table assumes every cleared entry was in use. */
class ClearCountStore extends PtStore {
  protected override occupancy_after_clear(b: Float64Array, q0: number, i: number, n: number, occ: number): number {
    return n > 256 ? Math.max(0, occ - n) : super.occupancy_after_clear(b, q0, i, n, occ);
  }
}

/** The mutant: read() forgets a RUN's exception entry (the one outside its progression). */
class ExceptionUnreadStore extends PtStore {
  protected override read_exception(): void {}
}

/** The mutant: DENSE32 takes an entry whose flags differ from its base's (the offset rounded down). */
class FlagBlindStore extends PtStore {
  protected override off32(v: number, base: number): number {
    return v === 0 ? -0x80000000 : Math.floor((v - base) / 4096);
  }
}

/** The mutant: run_at() on a DENSE32 table takes every non-zero entry for the progression. */
class RunBlind32Store extends PtStore {
  protected override progression32(arr: Int32Array, q: number, n: number): number {
    let r = 2;
    while (r < n && arr[q + r] !== -0x80000000) r++;
    return r;
  }
}

/** The mutant: a new pool chunk (Int32 or Float64) whose last block links back to its first (blocks handed out twice). */
class PoolCycleStore extends PtStore {
  protected override grow_pool32(): void {
    super.grow_pool32();
    const self = this as unknown as { pool32: Int32Array[]; free_block32: number };
    const arr = self.pool32[self.pool32.length - 1];
    arr[(63 & 63) << 9] = self.free_block32;
  }
  protected override grow_pool(): void {
    super.grow_pool();
    const self = this as unknown as { pool: Float64Array[]; free_block: number };
    const arr = self.pool[self.pool.length - 1];
    arr[(63 & 63) << 9] = self.free_block;
  }
}

/**
 * `tables` PTE tables made DENSE32 (three runs of one flag pattern, a RUNS
 * table, then an entry of the first rewritten in place) or, with `dense`, DENSE
 * (the third run with other flags), half freed, as many again
 * allocated: every table's entries as written (each block handed out once,
 * across pool chunks of 64 blocks). The first mismatch, or null.
 */
function dense32_tables(pt: PtStore, tables: number, dense = false): string | null {
  const e = (f: number) => f * 4096 + 0x867;
  const e3 = (f: number) => f * 4096 + (dense ? 0x67 : 0x867);
  const live: [number, number][] = [];
  const fill = (t: number) => {
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const p = pt.entry(pfn, 0);
    pt.write_run(p, 10, e(1000 * t + 10), 4096);
    pt.write_run(p + 100, 10, e(1000 * t + 500 + (t % 7)), -4096); // (offsets that differ from table to table)
    const third = Float64Array.from({ length: 10 }, (_, k) => e3(1000 * t + 700 + (t % 5) + k));
    if (!pt.write_run(p + 200, 10, third[0], 4096)) pt.write(p + 200, 1, third, 0, 10); // (write_run() declines a progression the table cannot hold as a run)
    pt.write_run(p + 5, 1, e(1000 * t + 15), 0); // (over a run: no RUNS table any more)
    live.push([pfn, t]);
  };
  for (let t = 1; t <= tables; t++) fill(t);
  for (let k = live.length - 1; k >= 0; k -= 2) {
    pt.free(live[k][0]);
    live.splice(k, 1);
  }
  for (let t = tables + 1; t <= 2 * tables; t++) fill(t);
  for (const [pfn, t] of live) {
    const p = pt.entry(pfn, 0);
    for (const [i, v] of [[0, e(1000 * t + 10)], [9, e(1000 * t + 19)], [109, e(1000 * t + 491 + (t % 7))], [209, e3(1000 * t + 709 + (t % 5))], [50, 0]]) {
      if (pt.get(p + i) !== v) return `table ${t} entry ${i}: ${pt.get(p + i)} !== ${v}`;
    }
  }
  return pt.nr_dense_tables === live.length ? null : `${pt.nr_dense_tables} dense tables, ${live.length} live`;
}

/** The mutant: a RUNS table's runs found one entry too far (an entry just past a run taken for its next value). */
class RunsFindStore extends PtStore {
  protected override runs_find(r: Float64Array, o: number, cnt: number, i: number): number {
    for (const e = o + (cnt << 2); o < e; o += 4) {
      const k = i - r[o + 2];
      if (k >= 0 && k <= r[o + 3]) return o;
    }
    return -1;
  }
}

/** The mutant: a RUNS table takes a run over one of its runs (no overlap check): the old run still answers there. */
class RunsOverlapStore extends PtStore {
  protected override runs_meet(): boolean {
    return false;
  }
}

/**
 * The fault batch's writes (write_run(): runs of PFNs, one to three per table,
 * sometimes up to twelve, in either direction, beside each other) and the zap's
 * clears and reads (run by run, prefixes, suffixes, middles), then stray set()s
 * (over runs too), write()s and fills, against the plain model: every entry, the
 * occupancy, zeros_at() and run_at(). Returns the first mismatch or null, how
 * many tables were RUNS once written, and how many DENSE32 or DENSE.
 */
function differential_runs(pt: PtStore, seed: number, tables: number): { bad: string | null; runs: number; dense: number } {
  const r = rng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  let runs = 0;
  let dense = 0;
  const check = (pfn: number, want: Float64Array, what: string): string | null => {
    const s = pt.slot(pfn);
    let used = 0;
    for (let i = 0; i < 512; i++) {
      if (want[i] !== 0) used++;
      if (pt.get(s * 512 + i) !== want[i]) return `${what}: table ${pfn} entry ${i}: ${pt.get(s * 512 + i)} !== ${want[i]}`;
    }
    if (pt.nr_used(pfn) !== used) return `${what}: table ${pfn}: nr_used ${pt.nr_used(pfn)} !== ${used}`;
    const out = new Float64Array(512);
    pt.read(s * 512, 512, out);
    for (let i = 0; i < 512; i++) if (out[i] !== want[i]) return `${what}: read entry ${i}`;
    for (let t = 0; t < 6; t++) {
      const i = pick(512);
      const n = 1 + pick(512 - i);
      let z = 0;
      while (z < n && want[i + z] === 0) z++;
      if (pt.zeros_at(s * 512 + i, n) !== z) return `${what}: zeros_at ${i} ${n}: ${pt.zeros_at(s * 512 + i, n)} !== ${z}`;
      const o = { first: 0, step: 0 };
      const k = pt.run_at(s * 512 + i, n, o);
      if (k > n) return `${what}: run_at ${i}: ${k} > ${n}`;
      for (let j = 0; j < k; j++) if (want[i + j] === 0 || want[i + j] !== o.first + j * o.step) return `${what}: run_at ${i}: entry ${i + j}`;
    }
    return null;
  };
  for (let t = 0; t < tables; t++) {
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const s = pt.slot(pfn);
    const want = new Float64Array(512);
    const dense_before = pt.nr_dense_tables;
    // One to three runs (sometimes up to twelve): pieces of [0, 512) in a random order, each with its own base and direction.
    const cuts = [0, 512];
    for (let k = pick(r() < 0.2 ? 12 : 3); k > 0; k--) cuts.push(1 + pick(511));
    cuts.sort((a, b) => a - b);
    const pieces: [number, number][] = [];
    for (let k = 0; k + 1 < cuts.length; k++) if (cuts[k + 1] > cuts[k]) pieces.push([cuts[k], cuts[k + 1]]);
    if (r() < 0.5) pieces.reverse();
    for (const [lo, hi] of pieces) {
      if (r() < 0.15) continue;
      const base = (1000 + pick(100000)) * 4096 + (r() < 0.9 ? 0x67 : 0x25);
      const step = r() < 0.1 ? 0 : (r() < 0.5 ? -1 : 1) * 4096 * (r() < 0.9 ? 1 : 2);
      // Written in one or two pieces (a batch stopping at a tick), ascending.
      const mid = r() < 0.3 ? lo + pick(hi - lo) : hi;
      for (const [a, b] of [[lo, mid], [mid, hi]]) {
        if (b <= a) continue;
        const first = base + (a - lo) * step;
        if (!pt.write_run(s * 512 + a, b - a, first, step)) {
          const vals = new Float64Array(b - a);
          for (let k = 0; k < b - a; k++) vals[k] = first + k * step;
          pt.write(s * 512 + a, 1, vals, 0, b - a);
        }
        for (let k = a; k < b; k++) want[k] = first + (k - a) * step;
      }
    }
    if (pt.is_runs(s * 512)) runs++;
    if (pt.nr_dense_tables > dense_before) dense++;
    let bad = check(pfn, want, "written");
    if (bad) return { bad, runs, dense };
    // The zap: clears of runs, prefixes, suffixes or any range; sometimes a stray write first.
    for (let k = 0; k < 4; k++) {
      const what = r();
      if (what < 0.1) {
        const i = pick(512);
        const v = r() < 0.5 ? 0 : (5 + pick(9)) * 4096 + 0x67;
        pt.set(s * 512 + i, v);
        want[i] = v;
      } else if (what < 0.25) {
        // A page faulted in on its own right after a run (a batch split by a tick): the run's next value.
        const i = pick(512);
        const o = { first: 0, step: 0 };
        const rn = pt.run_at(s * 512 + i, 512 - i, o);
        const v = o.first + rn * o.step;
        if (rn > 1 && i + rn < 512 && want[i + rn] === 0 && v > 0) {
          pt.set(s * 512 + i + rn, v);
          want[i + rn] = v;
        }
      } else if (what < 0.3) {
        const i = pick(500);
        const vals = new Float64Array([9 * 4096 + 0x67, 0, 11 * 4096 + 0x67]);
        pt.write(s * 512 + i, 1, vals, 0, 3);
        want.set(vals, i);
      } else {
        // A run's extent (from a run_at() answer), a part of it, or any range.
        const i = pick(512);
        const o = { first: 0, step: 0 };
        const rn = pt.run_at(s * 512 + i, 512 - i, o);
        let a = i;
        let n = rn > 0 && r() < 0.6 ? rn : 1 + pick(512 - i);
        if (r() < 0.3 && n > 2) {
          a += pick(2);
          n -= pick(2) + (a - i);
        }
        pt.fill(s * 512 + a, n, 0);
        want.fill(0, a, a + n);
      }
      bad = check(pfn, want, `step ${k}`);
      if (bad) return { bad, runs, dense };
    }
    if (r() < 0.5) pt.free(pfn);
  }
  return { bad: null, runs, dense };
}

/** run_at() at entry i of a table whose entries are `want` against them: a message where it is wrong, else null. */
function check_run_at(pt: PtStore, s: number, want: Float64Array, i: number, n: number): string | null {
  const out = { first: 0, step: 0 };
  const r = pt.run_at(s * 512 + i, n, out);
  if (r > n) return `run_at ${s}:${i}: ${r} > ${n}`;
  for (let k = 0; k < r; k++) {
    if (want[i + k] === 0 || want[i + k] !== out.first + k * out.step) return `run_at ${s}:${i}: entry ${i + k} not in the run`;
  }
  // DENSE32: the longest progression of non-zero entries (1 where the next entry does not continue one).
  if (pt.is_dense32(s * 512) && want[i] !== 0) {
    if (r === 0) return `run_at ${s}:${i}: 0 on a non-zero DENSE32 entry`;
    const st = r >= 2 ? out.step : want[i + 1] - want[i];
    let m = 1;
    while (m < n && want[i + m] !== 0 && st !== 0 && want[i + m] === want[i] + m * st) m++;
    if (r !== m) return `run_at ${s}:${i}: ${r} !== ${m}`;
  }
  return null;
}

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

/** Run `steps` random operations on `pt`, checking it against the model; returns the first mismatch or null. */
function differential(pt: PtStore, seed: number, steps: number): string | null {
  const r = rng(seed);
  const r2 = rng(seed + 0x9e3779b9);
  const model = new Map<number, Float64Array>(); // slot → entries, live tables
  const freed = new Map<number, Float64Array>(); // slot → entries, freed (poisoned, written through)
  const pfns: number[] = [];
  const pick = (n: number) => Math.floor(r() * n);
  const check = (pfn: number): string | null => {
    const s = pt.slot(pfn);
    const want = model.get(s)!;
    let used = 0;
    for (let i = 0; i < 512; i++) {
      if (want[i] !== 0) used++;
      if (pt.get(s * 512 + i) !== want[i]) return `table ${pfn} entry ${i}: ${pt.get(s * 512 + i)} !== ${want[i]}`;
    }
    if (pt.nr_used(pfn) !== used) return `table ${pfn}: nr_used ${pt.nr_used(pfn)} !== ${used}`;
    for (let t = 0; t < 4; t++) {
      // (Positions from their own PRNG: the operations' stream stays as it was.)
      const i = Math.floor(r2() * 512);
      const bad = check_run_at(pt, s, want, i, 1 + Math.floor(r2() * (512 - i)));
      if (bad) return bad;
    }
    return null;
  };
  for (let step = 0; step < steps; step++) {
    const op = r();
    if (pfns.length === 0 || op < 0.05) {
      const pfn = pt.alloc(PTE_LEVEL, 1);
      const s = pt.slot(pfn);
      freed.delete(s);
      model.set(s, new Float64Array(512));
      pfns.push(pfn);
      continue;
    }
    const at = pick(pfns.length);
    const pfn = pfns[at];
    const s = pt.slot(pfn);
    const want = model.get(s)!;
    if (op < 0.08) {
      pt.free(pfn);
      pfns.splice(at, 1);
      model.delete(s);
      freed.set(s, new Float64Array(512).fill(PAGE_POISON_ENTRY));
      continue;
    }
    if (op < 0.1 && freed.size > 0) {
      // A write through a freed table (a use after free): it lands in poisoned storage.
      const [fs, fe] = [...freed][pick(freed.size)];
      const i = pick(512);
      pt.set(fs * 512 + i, 7 * 4096 + 0x67);
      fe[i] = 7 * 4096 + 0x67;
      for (let j = 0; j < 512; j++) if (pt.get(fs * 512 + j) !== fe[j]) return `freed slot ${fs} entry ${j}`;
      continue;
    }
    if (op >= 0.14 && op < 0.2 && pt.nr_used(pfn) === 1) {
      // The production workload's table: one page faulted in, then a batch filling a
      // progression elsewhere, in one to three writes (the batch flushes at ticks), maybe with a hole.
      const e = want.findIndex((v) => v !== 0);
      // Mostly beside the page (its own run elsewhere), sometimes over it.
      const [lo, hi] = r() < 0.2 ? [0, 512] : e < 256 ? [e + 1, 512] : [0, e];
      const n = Math.max(2, pick(hi - lo + 1));
      const base = (1000 + pick(100000)) * 4096 + 0x67;
      const dir = r() < 0.5 ? -2 : 1;
      const holes = r() < 0.2;
      const vals = new Float64Array(n);
      for (let k = 0; k < n; k++) vals[k] = holes && r() < 0.05 ? 0 : base + dir * k * 4096;
      let at = 0;
      while (at < n) {
        const c = Math.min(n - at, 1 + pick(n));
        pt.write(s * 512 + lo + at, 1, vals, at, c);
        at += c;
      }
      for (let k = 0; k < n; k++) want[lo + k] = vals[k];
      const out = new Float64Array(512);
      pt.read(s * 512, 512, out);
      for (let k = 0; k < 512; k++) if (out[k] !== want[k]) return `read after a batch fill: table ${pfn} entry ${k}`;
      const bad = check(pfn);
      if (bad) return bad;
      continue;
    }
    if (op < 0.14 && pt.is_empty(pfn)) {
      // A batch fault's write into an empty table: two PFN runs going opposite ways (the
      // allocator's order), sometimes with holes; then maybe cleared as a zap would, whole or most.
      const start = pick(256);
      const n = 1 + pick(512 - start);
      const vals = new Float64Array(n);
      const base = (1000 + pick(100000)) * 4096 + 0x67;
      const half = pick(n);
      for (let k = 0; k < n; k++) vals[k] = r() < 0.05 ? 0 : base + (k < half ? -k : 600 + k) * 4096;
      pt.write(s * 512 + start, 1, vals, 0, n);
      want.set(vals, start);
      if (r() < 0.5) {
        const a = pick(start + 1);
        const b = Math.max(a, 512 - pick(8));
        pt.fill(s * 512 + a, b - a, 0);
        want.fill(0, a, b);
      }
      const bad = check(pfn);
      if (bad) return bad;
      continue;
    }
    const start = pick(512);
    const n = 1 + pick(Math.min(64, 512 - start));
    const kind = r();
    const base = (1000 + pick(100000)) * 4096 + 0x67;
    const bulk = r() < 0.3; // write() the values at once (ascending), instead of set() one by one
    const vals = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = kind < 0.5 || bulk ? start + k : start + n - 1 - k; // ascending, or descending
      let v: number;
      if (kind < 0.3) v = base + (kind < 0.15 ? k : -k) * 4096; // consecutive PFNs (either direction)
      else if (kind < 0.45) v = 0x1000 * 4096 + 0x25; // the same entry (zero page)
      else if (kind < 0.8) v = 0; // clearing
      else v = r() < 0.5 ? 0 : base + pick(7) * 4096; // stray
      if (bulk) vals[k] = v;
      else pt.set(s * 512 + i, v);
      want[i] = v;
    }
    if (bulk) pt.write(s * 512 + start, 1, vals, 0, n);
    if (r() < 0.1) {
      const a = pick(512);
      const b = a + pick(513 - a);
      pt.fill(s * 512 + a, b - a, 0);
      want.fill(0, a, b);
    }
    if (r() < 0.1) {
      const a = pick(512);
      const out = new Float64Array(512 - a);
      pt.read(s * 512 + a, 512 - a, out);
      for (let k = 0; k < 512 - a; k++) if (out[k] !== want[a + k]) return `read: table ${pfn} entry ${a + k}`;
    }
    const bad = check(pfn);
    if (bad) return bad;
    if (pt.is_empty(pfn) !== want.every((e) => e === 0)) return `table ${pfn}: is_empty wrong`;
  }
  for (const pfn of pfns) {
    const bad = check(pfn);
    if (bad) return bad;
  }
  return null;
}

describe("PtStore: compact table storage", () => {
  it("matches a plain 512-entry model through runs, dense tables, frees and reuse", () => {
    for (let seed = 1; seed <= 6; seed++) expect(differential(new PtStore(new PageFrames(2 ** 20)), seed, 4000)).toBeNull();
  });

  it("holds more live RUNS tables than one chunk of run records (256), each its own record, and reuses freed ones", () => {
    // Mutants shown caught by hand: a new record chunk threaded as chunk 0 (tables share records),
    // and put_rec() dropping the record (the pool grows instead of reusing it).
    const pt = new PtStore(new PageFrames(2 ** 20));
    const tables: { pfn: number; want: Float64Array }[] = [];
    const fill = (k: number) => {
      const pfn = pt.alloc(PTE_LEVEL, 1);
      const s = pt.slot(pfn);
      const want = new Float64Array(512);
      // Three runs: [0, 100) ascending, [100, 300) descending, [300, 512) ascending, bases by k.
      for (const [lo, hi, step] of [[0, 100, 4096], [100, 300, -4096], [300, 512, 4096]]) {
        const first = (1_000_000 + k * 2000 + lo) * 4096 + 0x67;
        expect(pt.write_run(s * 512 + lo, hi - lo, first, step)).toBe(true);
        for (let i = lo; i < hi; i++) want[i] = first + (i - lo) * step;
      }
      expect(pt.is_runs(s * 512)).toBe(true);
      tables.push({ pfn, want });
    };
    const check = () => {
      for (const { pfn, want } of tables) {
        const s = pt.slot(pfn);
        for (let i = 0; i < 512; i++) if (pt.get(s * 512 + i) !== want[i]) throw new Error(`table ${pfn} entry ${i}: ${pt.get(s * 512 + i)} != ${want[i]}`);
      }
    };
    for (let k = 0; k < 600; k++) fill(k);
    check();
    for (const { pfn } of tables.splice(0, 300)) {
      pt.fill(pt.slot(pfn) * 512, 512, 0);
      pt.free(pfn);
    }
    const bytes = pt.host_bytes();
    for (let k = 600; k < 900; k++) fill(k);
    check();
    // The 300 new tables took the 300 freed records (and slots): no pool grew.
    expect(pt.host_bytes()).toBe(bytes);
  });

  it("keeps a one-page table filled by a batch elsewhere a RUN with one exception entry, whatever is done to it next", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const p = pt.entry(pfn, 0);
    const sparse = 77 * 4096 + 0x67;
    pt.write(p, 512, new Float64Array([sparse]), 0, 1); // a sparse touch's batch: one entry, stride 512
    const vals = new Float64Array(511);
    for (let k = 0; k < 511; k++) vals[k] = (90000 - 2 * k) * 4096 + 0x67; // the free list's order: descending by 2
    pt.write(p + 1, 1, vals, 0, 200);
    pt.write(p + 201, 1, vals, 200, 311);
    expect(pt.nr_dense_tables).toBe(0);
    expect(pt.nr_used(pfn)).toBe(512);
    expect(pt.get(p)).toBe(sparse);
    expect(pt.get(p + 511)).toBe(vals[510]);
    const out = new Float64Array(512);
    pt.read(p, 512, out);
    expect(out[0]).toBe(sparse);
    expect(out.subarray(1)).toEqual(vals);
    pt.fill(p + 1, 511, 0); // the progression cleared: the exception is left, as a one-entry run
    expect([pt.nr_used(pfn), pt.get(p), pt.nr_dense_tables]).toEqual([1, sparse, 0]);
    pt.set(p, 0);
    expect(pt.is_empty(pfn)).toBe(true);
  });

  it("keeps exact entries whose run step does not fit 32 bits (kept dense)", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const p = pt.entry(pfn, 0);
    const big = 2 ** 40 * 4096 + 0x67;
    pt.set(p, 0x67 + 4096);
    pt.set(p + 1, big);
    pt.set(p + 2, 2 * big);
    expect([pt.get(p), pt.get(p + 1), pt.get(p + 2)]).toEqual([0x67 + 4096, big, 2 * big]);
    const pfn2 = pt.alloc(PTE_LEVEL, 1);
    const vals = new Float64Array([4096 + 0x67, 4096 + 0x67 + 2 ** 33, 4096 + 0x67 + 2 ** 34]);
    pt.write(pt.entry(pfn2, 5), 1, vals, 0, 3);
    expect([0, 1, 2].map((k) => pt.get(pt.entry(pfn2, 5 + k)))).toEqual([...vals]);
  });

  it("keeps a batch-filled table of one flag pattern as DENSE32 (offsets), DENSE once another pattern is written", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const p = pt.entry(pfn, 0);
    const nx = 2 ** 52; // flag bits above the PFN (x86's NX as the model packs it)
    const vals = new Float64Array(512);
    for (let k = 0; k < 512; k++) vals[k] = nx + (k % 3 === 0 ? 70000 + k : 90000 - 2 * k) * 4096 + 0x867;
    vals[7] = 0;
    pt.write(p, 1, vals, 0, 512);
    expect([pt.nr_dense_tables, pt.nr_used(pfn), pt.host_bytes() > 0]).toEqual([1, 511, true]);
    const out = new Float64Array(512);
    pt.read(p, 512, out);
    expect(out).toEqual(vals);
    pt.set(p + 7, nx + 5 * 4096 + 0x867); // an offset too: stays
    pt.set(p + 8, 5 * 4096 + 0x25); // other flags: DENSE, same entries
    vals[7] = nx + 5 * 4096 + 0x867;
    vals[8] = 5 * 4096 + 0x25;
    pt.read(p, 512, out);
    expect(out).toEqual(vals);
    expect(pt.nr_dense_tables).toBe(1);
    pt.fill(p, 512, 0);
    expect([pt.nr_dense_tables, pt.is_empty(pfn)]).toEqual([0, true]);
  });

  it("mutant: a DENSE32 table that takes an entry with other flags is caught", () => {
    const bad = [1, 2, 3].map((seed) => differential(new FlagBlindStore(new PageFrames(2 ** 20)), seed, 4000));
    expect(bad.some((b) => b !== null)).toBe(true);
  });

  it("mutant: a run_at() on a DENSE32 table that does not check the progression is caught", () => {
    const bad = [1, 2, 3].map((seed) => differential(new RunBlind32Store(new PageFrames(2 ** 20)), seed, 4000));
    expect(bad.some((b) => b !== null)).toBe(true);
  });

  it("mutant: a read() that forgets a RUN's exception entry is caught", () => {
    const bad = [1, 2, 3].map((seed) => differential(new ExceptionUnreadStore(new PageFrames(2 ** 20)), seed, 4000));
    expect(bad.some((b) => b !== null)).toBe(true);
  });

  it("drops idle split locks only when allowed, never a held one", () => {
    let allowed = false;
    const pt = new PtStore(new PageFrames(2 ** 22), 0, { may_drop_locks: () => allowed });
    const pfns = Array.from({ length: 5000 }, () => pt.alloc(PTE_LEVEL, 1));
    const held = pt.ptl_of(pfns[0]);
    held.owner = {} as never; // held by someone
    for (const pfn of pfns) pt.ptl_of(pfn);
    expect(pt.nr_locks).toBe(5000); // not allowed: all kept
    allowed = true;
    for (const pfn of pfns) pt.ptl_of(pfn); // existing ones: no drop
    expect(pt.nr_locks).toBe(5000);
    const more = Array.from({ length: 6000 }, () => pt.alloc(PTE_LEVEL, 1));
    for (const pfn of more) pt.ptl_of(pfn);
    expect(pt.nr_locks).toBeLessThan(11000);
    expect(pt.ptl_of(pfns[0])).toBe(held); // the held one survived every drop
    const l = pt.ptl_of(pfns[1]);
    expect([l.name, l.cls, l.owner]).toEqual([`pte_ptl@${pfns[1]}`, "ptl", null]);
  });

  it("with quarantine, freed slots stay poisoned and are not reused", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    pt.quarantine = true;
    expect(differential(pt, 11, 3000)).toBeNull();
    const a = pt.alloc(PTE_LEVEL, 1);
    const s = pt.slot(a);
    pt.set(s * 512 + 3, 5 * 4096 + 0x67);
    pt.free(a);
    expect(pt.get(s * 512 + 3)).toBe(PAGE_POISON_ENTRY);
    expect(pt.table_of(s * 512)).toBe(0);
    expect(() => pt.slot(a)).toThrow(PageTableUseAfterFree);
    const b = pt.alloc(PTE_LEVEL, 1);
    expect(pt.slot(b)).not.toBe(s);
  });

  it("keeps runs of consecutive PFNs and cleared tables out of the dense pool", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const p = pt.entry(pfn, 0);
    for (let i = 0; i < 512; i++) pt.set(p + i, (5000 + i) * 4096 + 0x67);
    expect(pt.nr_dense_tables).toBe(0);
    expect(pt.nr_used(pfn)).toBe(512);
    for (let i = 0; i < 511; i++) pt.set(p + i, 0);
    expect(pt.nr_dense_tables).toBe(0);
    expect(pt.get(p + 511)).toBe((5000 + 511) * 4096 + 0x67);
    pt.set(p + 100, 1 * 4096 + 0x67); // not a progression: dense
    expect(pt.nr_dense_tables).toBe(1);
    pt.set(p + 100, 0);
    pt.set(p + 511, 0); // empty again: the block goes back to the pool
    expect(pt.nr_dense_tables).toBe(0);
    expect(pt.is_empty(pfn)).toBe(true);
  });

  it("ptl_of creates the split lock on first use, the same object until the table is freed", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const l = pt.ptl_of(pfn);
    expect(l.name).toBe(`pte_ptl@${pfn}`);
    expect(pt.ptl_of(pfn)).toBe(l);
    expect(pt.ptl_at(pt.entry(pfn, 7))).toBe(l);
  });

  it("mutant: a batch write into a reused block that is not zeroed around it is caught", () => {
    const bad = [1, 2, 3].map((seed) => differential(new StaleBlockStore(new PageFrames(2 ** 20)), seed, 4000));
    expect(bad.some((b) => b !== null)).toBe(true);
  });

  it("mutant: a clear of most of a dense table that does not count what stays is caught", () => {
    const bad = [1, 2, 3].map((seed) => differential(new ClearCountStore(new PageFrames(2 ** 20)), seed, 4000));
    expect(bad.some((b) => b !== null)).toBe(true);
  });

  it("a batch write into an empty table fills a fresh block; a clear of all its entries returns it", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const p = pt.entry(pfn, 0);
    const vals = new Float64Array(512);
    for (let k = 0; k < 512; k++) vals[k] = (k < 200 ? 9000 - k : 20000 + k) * 4096 + 0x67;
    vals[300] = 0;
    pt.write(p + 10, 1, vals, 0, 500);
    expect(pt.nr_dense_tables).toBe(1);
    expect(pt.nr_used(pfn)).toBe(499);
    expect(pt.get(p + 9)).toBe(0);
    expect(pt.get(p + 10)).toBe(vals[0]);
    expect(pt.get(p + 509)).toBe(vals[499]);
    expect(pt.get(p + 510)).toBe(0);
    pt.fill(p + 10, 300, 0);
    expect(pt.nr_used(pfn)).toBe(199); // entry 310 (vals[300]) was 0
    pt.fill(p, 512, 0);
    expect(pt.nr_dense_tables).toBe(0);
    expect(pt.is_empty(pfn)).toBe(true);
    // The block is reused stale: a shorter write into another table must not show its old entries.
    const pfn2 = pt.alloc(PTE_LEVEL, 1);
    const w = new Float64Array([5 * 4096 + 0x67, 0, 3 * 4096 + 0x67]);
    pt.write(pt.entry(pfn2, 100), 1, w, 0, 3);
    const out = new Float64Array(512);
    pt.read(pt.entry(pfn2, 0), 512, out);
    expect(out.filter((e) => e !== 0)).toEqual(new Float64Array([5 * 4096 + 0x67, 3 * 4096 + 0x67]));
    expect(pt.nr_used(pfn2)).toBe(2);
  });

  it("a few runs written with write_run() stay a RUNS table (O(runs)), more fall back to DENSE32 or DENSE; clears, reads and stray writes match the model", () => {
    let runs = 0;
    let dense = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const res = differential_runs(new PtStore(new PageFrames(2 ** 20)), seed, 300);
      expect(res.bad).toBeNull();
      runs += res.runs;
      dense += res.dense;
    }
    expect([runs > 500, dense > 10]).toEqual([true, true]);
  });

  it("the seed loop's table (507 down to 2, then 1024 up to 1029) is a RUNS table, cleared run by run in O(1)", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const p = pt.entry(pfn, 0);
    const e = (f: number) => f * 4096 + 0x867;
    pt.set(p, e(507));
    expect(pt.write_run(p + 1, 505, e(506), -4096)).toBe(true);
    expect(pt.write_run(p + 506, 6, e(1024), 4096)).toBe(true);
    expect([pt.is_runs(p), pt.nr_dense_tables, pt.nr_used(pfn), pt.get(p + 505), pt.get(p + 511)]).toEqual([true, 0, 512, e(2), e(1029)]);
    const o = { first: 0, step: 0 };
    expect([pt.run_at(p, 512, o), o.first, o.step]).toEqual([506, e(507), -4096]);
    expect([pt.run_at(p + 506, 6, o), o.first, o.step]).toEqual([6, e(1024), 4096]);
    pt.fill(p, 506, 0);
    expect([pt.is_runs(p), pt.zeros_at(p, 512), pt.nr_used(pfn)]).toEqual([false, 506, 6]);
    pt.fill(p + 506, 6, 0);
    expect(pt.is_empty(pfn)).toBe(true);
  });

  it("the seed loop's early table (three runs, one continued by a lone fault) is a RUNS table; a ninth run, or a write over a run, makes it DENSE32", () => {
    const pt = new PtStore(new PageFrames(2 ** 20));
    const pfn = pt.alloc(PTE_LEVEL, 1);
    const p = pt.entry(pfn, 0);
    const e = (f: number) => f * 4096 + 0x867;
    pt.set(p, e(900));
    expect(pt.write_run(p + 1, 3, e(899), -4096)).toBe(true);
    expect(pt.write_run(p + 4, 449, e(100), 4096)).toBe(true);
    pt.set(p + 453, e(549)); // (continues the second run)
    expect(pt.write_run(p + 454, 56, e(550), 4096)).toBe(true);
    expect(pt.write_run(p + 510, 2, e(2000), 4096)).toBe(true);
    expect([pt.is_runs(p), pt.nr_dense_tables, pt.nr_used(pfn), pt.get(p + 3), pt.get(p + 509), pt.get(p + 511)]).toEqual([true, 0, 512, e(897), e(605), e(2001)]);
    const o = { first: 0, step: 0 };
    expect([pt.run_at(p + 4, 508, o), o.first, o.step]).toEqual([506, e(100), 4096]);
    // A run's last entry with another run right after it: the two, as on the DENSE32 table it stands for.
    expect([pt.run_at(p + 3, 509, o), o.first, o.step]).toEqual([2, e(897), e(100) - e(897)]);
    expect([pt.run_at(p + 3, 1, o), pt.run_at(p + 511, 1, o), o.first]).toEqual([1, 1, e(2001)]);
    // A clear inside a run splits it (the zap stopped by a full gather, then a partial munmap).
    pt.fill(p + 100, 10, 0);
    expect([pt.is_runs(p), pt.nr_used(pfn), pt.get(p + 99), pt.get(p + 100), pt.get(p + 110), pt.zeros_at(p + 100, 400)]).toEqual([true, 502, e(195), 0, e(206), 10]);
    // Runs up to RUNS_MAX (8): single entries apart from every run, in the gap just cleared.
    for (const i of [101, 103, 105, 107]) pt.set(p + i, e(3000 + i));
    expect([pt.is_runs(p), pt.nr_dense_tables]).toEqual([true, 0]);
    pt.set(p + 109, e(4000)); // a ninth
    expect([pt.is_runs(p), pt.is_dense32(p), pt.nr_used(pfn), pt.get(p + 107), pt.get(p + 109), pt.get(p + 110)]).toEqual([false, true, 507, e(3107), e(4000), e(206)]);
    const q = pt.entry(pt.alloc(PTE_LEVEL, 1), 0);
    pt.write_run(q, 10, e(10), 4096);
    pt.write_run(q + 20, 10, e(50), 4096);
    expect(pt.is_runs(q)).toBe(true);
    expect(pt.write_run(q + 5, 20, e(70), 4096)).toBe(true); // over both runs
    expect([pt.is_dense32(q), pt.get(q + 4), pt.get(q + 5), pt.get(q + 24), pt.get(q + 25), pt.nr_used(pt.table_of(q))]).toEqual([true, e(14), e(70), e(89), e(55), 30]);
  });

  it("mutant: a RUNS table whose runs are found one entry too far is caught", () => {
    const bad = [1, 2, 3].map((seed) => differential_runs(new RunsFindStore(new PageFrames(2 ** 20)), seed, 300).bad);
    expect(bad.some((b) => b !== null)).toBe(true);
  });

  it("mutant: a RUNS table that puts a run over one of its runs is caught", () => {
    const bad = [1, 2, 3].map((seed) => differential_runs(new RunsOverlapStore(new PageFrames(2 ** 20)), seed, 300).bad);
    expect(bad.some((b) => b !== null)).toBe(true);
  });

  it("DENSE32 blocks come off one free list that each new pool chunk refills: 300 tables across five chunks, half freed and reused", () => {
    const pt = new PtStore(new PageFrames(2 ** 22));
    expect(dense32_tables(pt, 300)).toBeNull();
    expect(pt.is_dense32(pt.entry(pt.alloc(PTE_LEVEL, 1), 0))).toBe(false);
  });

  it("DENSE blocks come off one free list that each new pool chunk refills: 300 tables across five chunks, half freed and reused", () => {
    const pt = new PtStore(new PageFrames(2 ** 22));
    expect(dense32_tables(pt, 300, true)).toBeNull();
    expect(pt.is_dense32(pt.entry(pt.alloc(PTE_LEVEL, 1), 0))).toBe(false);
  });

  it("mutant: a pool chunk whose free list cycles (a block handed out twice) is caught, DENSE32 and DENSE", () => {
    // (A block handed out twice has its entry 0, the free list's link, overwritten: the list may then lead off the pool.)
    const caught = (dense: boolean) => {
      try {
        return dense32_tables(new PoolCycleStore(new PageFrames(2 ** 22)), 300, dense);
      } catch (e) {
        return String(e);
      }
    };
    expect(caught(false)).not.toBeNull();
    expect(caught(true)).not.toBeNull();
  });

  it("mutant: a run extended without checking the progression is caught", () => {
    const bad = [1, 2, 3].map((seed) => differential(new RunUncheckedStore(new PageFrames(2 ** 20)), seed, 4000));
    expect(bad.some((b) => b !== null)).toBe(true);
  });
});

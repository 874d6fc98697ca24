import { PG_PGTABLE, type PageFrames } from "../mm/page_alloc.js";
import type { SpinLock } from "../sync/spinlock.js";
import { TablePtl } from "./ptlock.js";
import { MmsimError } from "@mmsim/spec";
import type * as types from "../types/mm_types.js";

/** Table levels, as the kernel names them. */
export const PTE_LEVEL = 1;
export const PMD_LEVEL = 2;
export const PUD_LEVEL = 3;
export const P4D_LEVEL = 4;
export const PGD_LEVEL = 5;
export const LEVEL_NAME = ["", "pte", "pmd", "pud", "p4d", "pgd"] as const;

/** What freed table entries are overwritten with: a non-none, non-present garbage pattern. */
export const PAGE_POISON_ENTRY = 0xdead000 * 4096 + 0xbad;

/**
 * Live tables the store can hold: 2^31, slots 0 .. 2^31 - 1 (a slot fits an int32,
 * and a `pte_t *` is `slot * 512 + i` < 2^40). Issue #10 §4: no hard limit below
 * 2^31 live tables (store_limit.test.ts).
 */
export const MAX_TABLES = 2 ** 31;

/*
 * Per-slot metadata, in chunks of 2^SLOT_SHIFT slots (issue #10: 40 host bytes a
 * table, no per-table JS object), each field as narrow as its range allows:
 *   Float64 (3 words): F_FIRST (a RUN's first entry: any entry value, < 2^53; a
 *     free slot's next free slot), F_PFN (the table's PFN, < 2^53), F_PARENT (the
 *     entry pointer that linked it in, slot * 512 + i < 2^40; -1: none);
 *   Int32 (2 words): I_FORM (EMPTY, RUN, FREED, RUNS, or a dense block number:
 *     blocks < 2^31), I_STEP (a RUN's step: a progression whose step does not fit
 *     an int32 is kept DENSE instead; a RUNS table's run record, < 2^31);
 *   Int16 (5 words): H_OCC (entries not 0, 0..512), H_START, H_N (a RUN's
 *     entries [start, start + n), 0..512; H_N: a RUNS table's runs, 2..8),
 *     H_LEVEL (1..5), H_X (a RUN's one entry outside the progression, 0..511,
 *     its value in `xvals`; -1: none, and in every other form).
 */
const SLOT_SHIFT = 12;
const SLOT_MASK = (1 << SLOT_SHIFT) - 1;
/** RUN: entries [start, start + n) are first + k * step, the others 0. */
const F_FIRST = 0;
const F_PFN = 1;
const F_PARENT = 2;
/** Next free slot on the free list (a free slot's F_FIRST: FREED tables have no run). */
const F_NEXT = F_FIRST;
const W64 = 3;
const I_FORM = 0;
const I_STEP = 1;
const W32 = 2;
/** Entries that are not 0 (the occupancy count). */
const H_OCC = 0;
const H_START = 1;
const H_N = 2;
const H_LEVEL = 3;
const H_X = 4;
const W16 = 5;
const EMPTY = 0;
const RUN = -1;
const FREED = -2;
/**
 * RUNS: two to RUNS_MAX disjoint runs (progressions, as a RUN's), all in a record
 * of the run pool (`recs`): the table's I_STEP is its record, H_N how many runs.
 * What a fault batch leaves when the free list hands a table a few runs of frames
 * (the seed loop's tables: two or three, issue #10 §4). Written, cleared and read
 * run by run in O(runs) (write_run, set, run_at, zeros_at, read, fill of 0); any
 * other access (a write over a run, one run too many, a non-zero fill, write())
 * first turns it into the DENSE32 (or DENSE) table it stands for (unruns()).
 */
const RUNS = -3;
/** Runs a RUNS table holds: the seed loop needs 3; a few more absorb a more fragmented free list. */
const RUNS_MAX = 8;
/** A run record's words: RUNS_MAX runs of 4 (RR_FIRST, RR_STEP, RR_START, RR_N), run j at 4 * j. */
const RR_FIRST = 0;
const RR_STEP = 1;
const RR_START = 2;
const RR_N = 3;
const RR_SHIFT = 5;
/* The run pool: chunks of 2^REC_SHIFT records; record 0 is never used (0 ends the free list). */
const REC_SHIFT = 8;
const REC_MASK = (1 << REC_SHIFT) - 1;
/** The largest RUN step kept (an int32). */
const MAX_STEP = 0x7fffffff;

/* The dense pools: chunks of 2^POOL_SHIFT blocks of 512 entries; block 0 is never used. */
const POOL_SHIFT = 6;
const POOL_MASK = (1 << POOL_SHIFT) - 1;
/**
 * A DENSE32 table's form is -3 - b for its block b >= 1 in the Int32 pool (so
 * <= -4); the entries are offsets from the table's base entry (F_FIRST) in units
 * of 4096, or ZERO32 for a 0 entry.
 */
const ZERO32 = -0x80000000;

/** Entry `v` of a DENSE32 table with base `base`: its offset, or NaN when it has none (the table must be DENSE). */
function off32(v: number, base: number): number {
  if (v === 0) return ZERO32;
  const k = (v - base) / 4096;
  return Number.isInteger(k) && k > ZERO32 && k <= 0x7fffffff ? k : NaN;
}

/** write_fresh32()'s offsets, computed before anything is changed. */
const SCRATCH32 = new Int32Array(512);

/** Decides when idle split locks may be dropped (the Kernel implements it). */
export interface LockDropPolicy {
  may_drop_locks(): boolean;
}

/** Split locks kept before idle ones are dropped (drop_idle_locks). */
const LOCKS_KEPT_MIN = 4096;


/**
 * Pool chunk `c`'s blocks (block 0 never: 0 ends a free list) threaded, in order,
 * through each block's entry 0 into a free list; returns its first block. A chunk
 * holds 2^chunk_shift blocks of 2^block_shift entries. A new chunk refills an
 * empty free list (get_block(), get_block32(), get_rec()): the same blocks in the
 * same order as handing out never-used blocks one by one.
 */
function thread_blocks(arr: Float64Array | Int32Array, c: number, chunk_shift = POOL_SHIFT, block_shift = 9): number {
  const mask = (1 << chunk_shift) - 1;
  const first = c === 0 ? 1 : c << chunk_shift;
  const last = ((c + 1) << chunk_shift) - 1;
  for (let b = first; b < last; b++) arr[(b & mask) << block_shift] = b + 1;
  arr[(last & mask) << block_shift] = 0;
  return first;
}

/**
 * The contents of every page-table page, compactly (issue #10 §1), plus the ptdesc
 * fields of each table page: level, the split page-table lock (ptl), per-plugin
 * private words. Each table is in one of four forms:
 *   EMPTY  every entry 0: no storage;
 *   RUN    entries [start, start + n) are first, first + step, ... (an arithmetic
 *          progression: consecutive PFNs with uniform flags, or the same zero-page
 *          entry), the others 0: four numbers; plus at most one non-zero entry
 *          outside the progression (the "exception": a page faulted in before a
 *          batch filled the rest of the table, as the production workload's
 *          sparse page does);
 *   RUNS   two to RUNS_MAX (8) such progressions, disjoint, in a record of a
 *          chunked pool (`recs`, 256 bytes): the fault batch's table when the
 *          LIFO free list hands it a few runs of frames (the seed loop's: 507
 *          down to 2, then 1024 up to 1029; in its first 3,200 chunks often a
 *          third run). Written, read and cleared run by run in O(runs)
 *          (write_run, set, run_at, zeros_at, read, fill of 0); any other access
 *          (a write over a run, a run too many, write()) first turns it into the
 *          DENSE32 or DENSE table it stands for (unruns);
 *   DENSE  512 entries in a block of a chunked pool of Float64Arrays, which grows
 *          by adding chunks (never copied); a block returns to the pool when its
 *          table's last non-zero entry is cleared. DENSE32, half the size: a
 *          block of Int32 offsets from a base entry in units of 4096 (the
 *          entries of one table mostly differ only in their PFN: same flags), for
 *          tables a batch write fills that way; a write of an entry that is no
 *          such offset (other flags, another PFN range) turns it DENSE.
 * A write that keeps a RUN a progression (extending it at either end, clearing it
 * from either end, rewriting a one-entry run) stays O(1); any other write turns the
 * table DENSE. An occupancy count per table (entries not 0) makes is_empty() O(1);
 * the bulk calls of the batch paths use it: write() into an EMPTY or RUN table
 * fills a fresh block at once (write_fresh), and a fill() clearing most of a
 * dense table counts only the entries that stay (a whole-table clear is O(1)).
 * Metadata lives in chunked typed arrays, 40 bytes a table (no per-table JS object
 * or string); the split locks are created on first use (ptl_of), dropped when the
 * table is freed and, when idle, at quiescent points (drop_idle_locks); private
 * ptdesc words exist only when asked for (nr_private).
 * Nothing here has a 2^32-element limit: up to MAX_TABLES live tables.
 *
 * A table is addressed by its PFN, like hardware: upper-level entries hold the PFN
 * of the table below. A pointer to an entry (`pte_t *ptep`) is `slot * 512 + i`,
 * slots numbered as before (freed slots reused last-freed first, else the next new
 * one). Freed tables read as PAGE_POISON_ENTRY (a use after free finds garbage, and
 * slot() throws); a write through a freed table lands in poisoned dense storage.
 * Model difference from Linux: a page-table page is 4 KiB of memory there; here
 * its storage is whatever form holds its entries.
 */
export class PtStore implements types.PtStore {
  /** Keep freed slots poisoned instead of reusing them (KASAN-style quarantine, for the sanitizers). */
  quarantine = false;
  private m64: Float64Array[] = [];
  private m32: Int32Array[] = [];
  private m16: Int16Array[] = [];
  /** Per-plugin private ptdesc words, `nr_private` per slot, chunked as the metadata (none when 0). */
  private priv: Float64Array[] = [];
  private pool: Float64Array[] = [];
  private pool32: Int32Array[] = [];
  /** Free DENSE32 blocks: a LIFO list threaded through each block's entry 0 (0: empty; grow_pool32() refills it). */
  private free_block32 = 0;
  /** The value of each RUN's exception entry (H_X), by slot: only RUNs that have one. */
  private xvals = new Map<number, number>();
  /** The run pool: RUNS tables' records, 2^RR_SHIFT words each, in chunks of 2^REC_SHIFT (created on first use). */
  private recs: Float64Array[] = [];
  /** Free run records: a LIFO list threaded through each one's word 0 (0: empty; grow_recs() refills it). */
  private free_rec = 0;
  /**
   * The split locks that exist, by slot: created on first use (ptl_of), dropped
   * with the table, and dropped when idle at a quiescent point (drop_idle_locks).
   */
  private locks = new Map<number, SpinLock>();
  /** Locks left after the last drop_idle_locks() (the next one runs at twice as many). */
  private locks_kept = 0;
  /** Free slots: a LIFO list threaded through F_NEXT (-1: empty), then never-used slots from next_slot. */
  private free_slot = -1;
  private next_slot = 0;
  /** Free dense blocks: a LIFO list threaded through each block's entry 0 (0: empty; get_block() refills it with a new pool chunk). */
  private free_block = 0;
  private nr = 0;
  private nr_dense = 0;
  /**
   * Walker references by slot (pgtable/pt_users.ts; the "rcu-refcount" option of
   * RCU-freed upper levels): rare, so a map, not a per-table word.
   */
  private users = new Map<number, number>();

  constructor(
    private readonly frames: PageFrames,
    /** Private ptdesc words per table a plugin may ask for (no core path uses any: 0, no storage). */
    readonly nr_private = 0,
    /**
     * Who says whether idle split locks may be dropped now (drop_idle_locks):
     * only where no lock object's identity can be observed, no sanitizer and no
     * stepping task (the Kernel's check). An object, not a closure, so that the
     * explorer's post-setup snapshot can copy the store. Default: never.
     */
    private readonly lock_policy: LockDropPolicy | null = null,
  ) {}

  /** The entry at pointer `p` (`*ptep`): no sanitizer, no preemption point (pgtable/ops.ts adds those). */
  get(p: number): number {
    const s = Math.floor(p / 512);
    const c = s >>> SLOT_SHIFT;
    const d = this.m32[c][(s & SLOT_MASK) * W32];
    if (d > 0) return this.pool[d >>> POOL_SHIFT][((d & POOL_MASK) << 9) + p - s * 512];
    return d === EMPTY ? 0 : this.get_slow(s, d, p - s * 512);
  }

  /** get() of a RUN or a freed table. */
  private get_slow(s: number, form: number, i: number): number {
    if (form === RUN) {
      const c = s >>> SLOT_SHIFT;
      const h = this.m16[c];
      const o16 = (s & SLOT_MASK) * W16;
      if (h[o16 + H_X] === i) return this.xvals.get(s)!;
      const k = i - h[o16 + H_START];
      return k >= 0 && k < h[o16 + H_N] ? this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST] + k * this.m32[c][(s & SLOT_MASK) * W32 + I_STEP] : 0;
    }
    if (form <= -4) {
      const b = -3 - form;
      const o = this.pool32[b >>> POOL_SHIFT][((b & POOL_MASK) << 9) + i];
      return o === ZERO32 ? 0 : this.m64[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W64 + F_FIRST] + o * 4096;
    }
    return form === RUNS ? this.get_runs(s, i) : PAGE_POISON_ENTRY;
  }

  /** get() of a RUNS table (a function of its own: get_slow(), which get() inlines, stays as small as it was). */
  private get_runs(s: number, i: number): number {
    const c = s >>> SLOT_SHIFT;
    const rec = this.m32[c][(s & SLOT_MASK) * W32 + I_STEP];
    const r = this.recs[rec >>> REC_SHIFT];
    const o = this.runs_find(r, (rec & REC_MASK) << RR_SHIFT, this.m16[c][(s & SLOT_MASK) * W16 + H_N], i);
    return o < 0 ? 0 : r[o + RR_FIRST] + (i - r[o + RR_START]) * r[o + RR_STEP];
  }

  /**
   * The run of a RUNS record (pool chunk `r`, its runs from word `o`, `cnt` of
   * them) that holds entry i: its first word, or -1 (a method so a test can break it).
   */
  protected runs_find(r: Float64Array, o: number, cnt: number, i: number): number {
    for (const e = o + (cnt << 2); o < e; o += 4) {
      const k = i - r[o + RR_START];
      if (k >= 0 && k < r[o + RR_N]) return o;
    }
    return -1;
  }

  /** Does [i, i + n) meet a run of a RUNS record (as runs_find())? (A method so a test can break it.) */
  protected runs_meet(r: Float64Array, o: number, cnt: number, i: number, n: number): boolean {
    for (const e = o + (cnt << 2); o < e; o += 4) {
      const start = r[o + RR_START];
      if (i < start + r[o + RR_N] && start < i + n) return true;
    }
    return false;
  }

  /**
   * A run record off the free list, which a new pool chunk refills with all its
   * records at once (as get_block32(): one path for the batch paths that inline it).
   */
  private get_rec(): number {
    if (this.free_rec === 0) this.grow_recs();
    const rec = this.free_rec;
    // (`| 0`: an int; a double from the Float64Array would widen it and deoptimize the store's users.)
    this.free_rec = this.recs[rec >>> REC_SHIFT][(rec & REC_MASK) << RR_SHIFT] | 0;
    return rec;
  }

  /** A new chunk of the run pool, its records (record 0 never) threaded onto the empty free list in order. */
  protected grow_recs(): void {
    const arr = new Float64Array(1 << (REC_SHIFT + RR_SHIFT));
    this.recs.push(arr);
    this.free_rec = thread_blocks(arr, this.recs.length - 1, REC_SHIFT, RR_SHIFT);
  }

  private put_rec(rec: number): void {
    this.recs[rec >>> REC_SHIFT][(rec & REC_MASK) << RR_SHIFT] = this.free_rec;
    this.free_rec = rec;
  }

  /**
   * RUN table `s` becomes the RUNS table of the same entries: its progression run
   * 0, its exception entry (if any) a one-entry run 1. Occupancy unchanged.
   */
  private run_to_runs(s: number): void {
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const h = this.m16[c];
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    const rec = this.get_rec();
    const r = this.recs[rec >>> REC_SHIFT];
    const o = (rec & REC_MASK) << RR_SHIFT;
    const n = h[oh + H_N];
    r[o + RR_FIRST] = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
    r[o + RR_STEP] = n > 1 ? mi[oi + I_STEP] : 0;
    r[o + RR_START] = h[oh + H_START];
    r[o + RR_N] = n;
    let cnt = 1;
    const x = h[oh + H_X];
    if (x >= 0) {
      r[o + 4 + RR_FIRST] = this.xvals.get(s)!;
      r[o + 4 + RR_STEP] = 0;
      r[o + 4 + RR_START] = x;
      r[o + 4 + RR_N] = 1;
      cnt = 2;
      h[oh + H_X] = -1;
      this.xvals.delete(s);
    }
    mi[oi + I_FORM] = RUNS;
    mi[oi + I_STEP] = rec;
    h[oh + H_N] = cnt;
  }

  /**
   * Store first + k * step at entries i..i+n-1 of RUNS table `s` where they meet
   * none of its runs, as set()s in order would: continuing the run that ends at i
   * (as run_put() extends a RUN's), else as a run of their own while there is room
   * (RUNS_MAX). O(runs). False, nothing changed, otherwise. The values are
   * positive safe integers, |step| <= MAX_STEP, step 0 when n is 1.
   */
  private runs_put(s: number, i: number, n: number, first: number, step: number): boolean {
    const c = s >>> SLOT_SHIFT;
    const h = this.m16[c];
    const oh = (s & SLOT_MASK) * W16;
    const rec = this.m32[c][(s & SLOT_MASK) * W32 + I_STEP];
    const r = this.recs[rec >>> REC_SHIFT];
    const o0 = (rec & REC_MASK) << RR_SHIFT;
    const cnt = h[oh + H_N];
    if (i + n > 512 || this.runs_meet(r, o0, cnt, i, n)) return false;
    // The run holding entry i - 1 ends at i (none holds i).
    const e = this.runs_find(r, o0, cnt, i - 1);
    if (e >= 0) {
      const f0 = r[e + RR_FIRST];
      const rn = r[e + RR_N];
      // (The difference taken either way: a one-entry run's, rare, would otherwise deoptimize this when it first comes.)
      const d = first - f0;
      const st = rn > 1 ? r[e + RR_STEP] : d;
      if ((n === 1 || step === st) && Math.abs(st) <= MAX_STEP && this.run_extends(f0, st, rn, rn, first)) {
        r[e + RR_STEP] = st;
        r[e + RR_N] = rn + n;
        h[oh + H_OCC] += n;
        return true;
      }
    }
    if (cnt === RUNS_MAX) return false;
    const o = o0 + (cnt << 2);
    r[o + RR_FIRST] = first;
    r[o + RR_STEP] = step;
    r[o + RR_START] = i;
    r[o + RR_N] = n;
    h[oh + H_N] = cnt + 1;
    h[oh + H_OCC] += n;
    return true;
  }

  /**
   * fill() of entries [i, i + n) of RUNS table `s` with 0 in O(runs): each run the
   * range meets loses all of it, a prefix or a suffix (the zap clearing run after
   * run), or, the range inside it, its middle (the run split in two while there is
   * room; else false, nothing changed). One run left: a RUN again; none: EMPTY.
   */
  private runs_clear(s: number, i: number, n: number): boolean {
    const c = s >>> SLOT_SHIFT;
    const h = this.m16[c];
    const oh = (s & SLOT_MASK) * W16;
    const rec = this.m32[c][(s & SLOT_MASK) * W32 + I_STEP];
    const r = this.recs[rec >>> REC_SHIFT];
    const o0 = (rec & REC_MASK) << RR_SHIFT;
    const cnt = h[oh + H_N];
    const end = i + n;
    const m = this.runs_find(r, o0, cnt, i);
    if (m >= 0 && i > r[m + RR_START] && end < r[m + RR_START] + r[m + RR_N]) {
      // Inside one run (so no other): the rest of it, after the range, becomes a run of its own.
      if (cnt === RUNS_MAX) return false;
      const start = r[m + RR_START];
      const o = o0 + (cnt << 2);
      r[o + RR_FIRST] = r[m + RR_FIRST] + (end - start) * r[m + RR_STEP];
      r[o + RR_STEP] = r[m + RR_STEP];
      r[o + RR_START] = end;
      r[o + RR_N] = start + r[m + RR_N] - end;
      r[m + RR_N] = i - start;
      h[oh + H_N] = cnt + 1;
      h[oh + H_OCC] -= n;
      return true;
    }
    // Each run keeps what lies outside the range (a prefix or suffix of it), packed down in place.
    let occ = h[oh + H_OCC];
    let w = o0;
    for (let o = o0, e = o0 + (cnt << 2); o < e; o += 4) {
      const start = r[o + RR_START];
      const stop = start + r[o + RR_N];
      const lo = Math.max(i, start);
      const hi = Math.min(end, stop);
      let a = start;
      let b = stop;
      if (lo < hi) {
        occ -= hi - lo;
        if (lo === start) a = hi;
        else b = lo;
      }
      if (a < b) {
        r[w + RR_FIRST] = r[o + RR_FIRST] + (a - start) * r[o + RR_STEP];
        r[w + RR_STEP] = r[o + RR_STEP];
        r[w + RR_START] = a;
        r[w + RR_N] = b - a;
        w += 4;
      }
    }
    h[oh + H_OCC] = occ;
    const left = (w - o0) >> 2;
    if (left >= 2) h[oh + H_N] = left;
    else this.runs_to_run(s, left);
    return true;
  }

  /** RUNS table `s` is down to `left` (0 or 1) runs: EMPTY, or the RUN of its run 0. Its record goes back. */
  private runs_to_run(s: number, left: number): void {
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const h = this.m16[c];
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    const rec = mi[oi + I_STEP];
    if (left === 1) {
      const r = this.recs[rec >>> REC_SHIFT];
      const o = (rec & REC_MASK) << RR_SHIFT;
      const n = r[o + RR_N];
      this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST] = r[o + RR_FIRST];
      mi[oi + I_STEP] = n > 1 ? r[o + RR_STEP] : 0;
      h[oh + H_START] = r[o + RR_START];
      h[oh + H_N] = n;
      mi[oi + I_FORM] = RUN;
    } else {
      mi[oi + I_FORM] = EMPTY;
      h[oh + H_OCC] = 0;
    }
    this.put_rec(rec);
  }

  /**
   * RUNS table `s` becomes the table it stands for: DENSE32 based on its run 0's
   * first entry when every entry is an offset from it (each run's first and last
   * are, its step a multiple of 4096: the ones between follow), else DENSE.
   * Occupancy unchanged.
   */
  private unruns(s: number): void {
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const oi = (s & SLOT_MASK) * W32;
    const rec = mi[oi + I_STEP];
    const r = this.recs[rec >>> REC_SHIFT];
    const o0 = (rec & REC_MASK) << RR_SHIFT;
    const e = o0 + (this.m16[c][(s & SLOT_MASK) * W16 + H_N] << 2);
    const base = r[o0 + RR_FIRST];
    let ok = Number.isSafeInteger(base);
    for (let o = o0; ok && o < e; o += 4) {
      const n = r[o + RR_N];
      const step = n > 1 ? r[o + RR_STEP] : 0;
      const f = this.off32(r[o + RR_FIRST], base);
      ok = step % 4096 === 0 && f === f && this.off32(r[o + RR_FIRST] + (n - 1) * step, base) === f + (n - 1) * (step / 4096);
    }
    if (!ok) {
      this.unruns_dense(s, r, o0, e);
      return;
    }
    const b = this.get_block32();
    const arr = this.pool32[b >>> POOL_SHIFT];
    const q = (b & POOL_MASK) << 9;
    arr.fill(ZERO32, q, q + 512);
    for (let o = o0; o < e; o += 4) {
      const n = r[o + RR_N];
      // As int32s (the offsets are; `| 0` keeps V8 off doubles).
      const dk = n > 1 ? (r[o + RR_STEP] / 4096) | 0 : 0;
      const f = this.off32(r[o + RR_FIRST], base) | 0;
      const qs = q + (r[o + RR_START] | 0);
      for (let k = 0; k < n; k++) arr[qs + k] = f + k * dk;
    }
    this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST] = base;
    mi[oi + I_FORM] = -3 - b;
    this.put_rec(rec);
  }

  /** unruns() where some entry is no DENSE32 offset: a DENSE block (a function of its own: rare, kept out of unruns' optimized code). */
  private unruns_dense(s: number, r: Float64Array, o0: number, e: number): void {
    const d = this.get_block();
    const b = this.pool[d >>> POOL_SHIFT];
    const q = (d & POOL_MASK) << 9;
    b.fill(0, q, q + 512);
    for (let o = o0; o < e; o += 4) {
      const n = r[o + RR_N];
      const first = r[o + RR_FIRST];
      const step = n > 1 ? r[o + RR_STEP] : 0;
      const qs = q + r[o + RR_START];
      for (let k = 0; k < n; k++) b[qs + k] = first + k * step;
    }
    const mi = this.m32[s >>> SLOT_SHIFT];
    const oi = (s & SLOT_MASK) * W32;
    this.put_rec(mi[oi + I_STEP]);
    mi[oi + I_FORM] = d;
  }

  /** Store `v` at pointer `p`. */
  set(p: number, v: number): void {
    const s = Math.floor(p / 512);
    const c = s >>> SLOT_SHIFT;
    const d = this.m32[c][(s & SLOT_MASK) * W32];
    if (d > 0) {
      const b = this.pool[d >>> POOL_SHIFT];
      const q = ((d & POOL_MASK) << 9) + p - s * 512;
      const old = b[q];
      b[q] = v;
      if ((old === 0) !== (v === 0)) this.set_occupancy(s, this.m16[c][(s & SLOT_MASK) * W16 + H_OCC] + (v === 0 ? -1 : 1));
      return;
    }
    this.set_slow(s, p - s * 512, v);
  }

  /** set() on a table that is not DENSE: keep it EMPTY or a RUN where the write allows, else make it DENSE. */
  private set_slow(s: number, i: number, v: number): void {
    const c = s >>> SLOT_SHIFT;
    const m = this.m64[c];
    const mi = this.m32[c];
    const h = this.m16[c];
    const o = (s & SLOT_MASK) * W64;
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    if (mi[oi + I_FORM] === RUNS) {
      // A page faulted in on its own (a batch split by a tick) continues a run or starts one; a clear cuts one.
      if (v === 0 ? this.runs_clear(s, i, 1) : v > 0 && Number.isSafeInteger(v) && this.runs_put(s, i, 1, v, 0)) return;
      this.unruns(s);
    }
    const form = mi[oi + I_FORM];
    if (form > 0) {
      this.set(s * 512 + i, v);
      return;
    }
    if (form <= -4) {
      const x = this.off32(v, m[o + F_FIRST]);
      if (x !== x) {
        this.widen(s);
        this.set(s * 512 + i, v);
        return;
      }
      const b = -3 - form;
      const arr = this.pool32[b >>> POOL_SHIFT];
      const q = ((b & POOL_MASK) << 9) + i;
      const old = arr[q];
      arr[q] = x;
      if ((old === ZERO32) !== (x === ZERO32)) this.set_occupancy(s, h[oh + H_OCC] + (x === ZERO32 ? -1 : 1));
      return;
    }
    if (form === EMPTY) {
      if (v === 0) return;
      mi[oi + I_FORM] = RUN;
      m[o + F_FIRST] = v;
      mi[oi + I_STEP] = 0;
      h[oh + H_START] = i;
      h[oh + H_N] = 1;
      h[oh + H_OCC] = 1;
      return;
    }
    if (form === RUN) {
      const start = h[oh + H_START];
      const n = h[oh + H_N];
      const first = m[o + F_FIRST];
      const step = mi[oi + I_STEP];
      const x = h[oh + H_X];
      if (i === x) {
        // The exception entry: rewritten, or cleared (the progression alone stays).
        if (v === 0) {
          h[oh + H_X] = -1;
          this.xvals.delete(s);
          h[oh + H_OCC] = n;
        } else this.xvals.set(s, v);
        return;
      }
      const xn = x >= 0 ? 1 : 0;
      const k = i - start;
      if (k >= 0 && k < n) {
        if (v === first + k * step) return;
        if (v === 0 && (k === 0 || k === n - 1)) {
          if (n === 1) {
            if (xn) this.run_from_exception(s);
            else {
              mi[oi + I_FORM] = EMPTY;
              h[oh + H_OCC] = 0;
            }
            return;
          }
          if (k === 0) {
            h[oh + H_START] = start + 1;
            m[o + F_FIRST] = first + step;
          }
          h[oh + H_N] = n - 1;
          h[oh + H_OCC] = n - 1 + xn;
          return;
        }
        if (n === 1 && v !== 0) {
          m[o + F_FIRST] = v;
          return;
        }
      } else {
        if (v === 0) return;
        if (this.run_extends(first, step, n, k, v) && (n > 1 || Math.abs(v - first) <= MAX_STEP)) {
          if (n === 1) mi[oi + I_STEP] = k === 1 ? v - first : first - v;
          if (k === -1) {
            h[oh + H_START] = i;
            m[o + F_FIRST] = v;
          }
          h[oh + H_N] = n + 1;
          h[oh + H_OCC] = n + 1 + xn;
          return;
        }
      }
    }
    this.densify(s);
    this.set(s * 512 + i, v);
  }

  /**
   * Does writing `v` at run offset `k` (-1: just before the run, n: just after)
   * keep the run an exact progression? Entries are integers; a step is exact
   * while every entry is a safe integer.
   */
  protected run_extends(first: number, step: number, n: number, k: number, v: number): boolean {
    if (k !== -1 && k !== n) return false;
    if (!Number.isSafeInteger(v) || !Number.isSafeInteger(first) || v < 0 || first < 0) return false;
    if (n === 1) return true;
    return k === n ? v === first + n * step : v === first - step;
  }

  /** A RUN whose progression is gone keeps its exception entry: that entry becomes a one-entry run. */
  private run_from_exception(s: number): void {
    const c = s >>> SLOT_SHIFT;
    const h = this.m16[c];
    const oh = (s & SLOT_MASK) * W16;
    this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST] = this.xvals.get(s)!;
    this.m32[c][(s & SLOT_MASK) * W32 + I_STEP] = 0;
    h[oh + H_START] = h[oh + H_X];
    h[oh + H_N] = 1;
    h[oh + H_OCC] = 1;
    h[oh + H_X] = -1;
    this.xvals.delete(s);
  }

  /** Give table `s` a dense block holding its current entries: DENSE32 for a RUN whose entries are offsets from its first, else DENSE. */
  private densify(s: number): void {
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    const form = mi[oi + I_FORM];
    if (form === RUN && this.densify32(s)) return;
    const d = this.get_block();
    const b = this.pool[d >>> POOL_SHIFT];
    const q = (d & POOL_MASK) << 9;
    if (form === FREED) {
      b.fill(PAGE_POISON_ENTRY, q, q + 512);
      this.m16[c][oh + H_OCC] = 512;
    } else {
      b.fill(0, q, q + 512);
      if (form === RUN) {
        const h = this.m16[c];
        const start = h[oh + H_START];
        const n = h[oh + H_N];
        const first = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
        const step = mi[oi + I_STEP];
        for (let k = 0; k < n; k++) b[q + start + k] = first + k * step;
        const x = h[oh + H_X];
        if (x >= 0) {
          b[q + x] = this.xvals.get(s)!;
          h[oh + H_X] = -1;
          this.xvals.delete(s);
        }
      }
    }
    mi[oi + I_FORM] = d;
  }

  /** densify() of RUN table `s` into a DENSE32 block based on its first entry; false (nothing changed) when an entry is no offset from it. */
  private densify32(s: number): boolean {
    const c = s >>> SLOT_SHIFT;
    const h = this.m16[c];
    const oh = (s & SLOT_MASK) * W16;
    const start = h[oh + H_START];
    const n = h[oh + H_N];
    const base = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
    const step = this.m32[c][(s & SLOT_MASK) * W32 + I_STEP];
    const x = h[oh + H_X];
    if (!Number.isSafeInteger(base) || step % 4096 !== 0) return false;
    if (this.off32(base + (n - 1) * step, base) !== (n - 1) * (step / 4096)) return false;
    const xo = x >= 0 ? this.off32(this.xvals.get(s)!, base) : 0;
    if (Number.isNaN(xo)) return false; // the exception entry is no offset from the base
    const b = this.get_block32();
    const arr = this.pool32[b >>> POOL_SHIFT];
    const q = (b & POOL_MASK) << 9;
    arr.fill(ZERO32, q, q + 512);
    for (let k = 0; k < n; k++) arr[q + start + k] = k * (step / 4096);
    if (x >= 0) {
      arr[q + x] = xo;
      h[oh + H_X] = -1;
      this.xvals.delete(s);
    }
    this.m32[c][(s & SLOT_MASK) * W32 + I_FORM] = -3 - b;
    return true;
  }

  /** A DENSE block off the free list, refilled by a new pool chunk when empty (as get_block32()). */
  private get_block(): number {
    this.nr_dense++;
    if (this.free_block === 0) this.grow_pool();
    const d = this.free_block;
    this.free_block = this.pool[d >>> POOL_SHIFT][(d & POOL_MASK) << 9];
    return d;
  }

  /** A new chunk of the Float64 pool, its blocks (block 0 never) threaded onto the empty free list in order. */
  protected grow_pool(): void {
    const arr = new Float64Array(512 << POOL_SHIFT);
    this.pool.push(arr);
    this.free_block = thread_blocks(arr, this.pool.length - 1);
  }

  private put_block(d: number): void {
    this.nr_dense--;
    this.pool[d >>> POOL_SHIFT][(d & POOL_MASK) << 9] = this.free_block;
    this.free_block = d;
  }

  /**
   * A DENSE32 block off the free list, which a new pool chunk refills with all its
   * blocks at once (grow_pool32()): the batch paths that inline this (unruns(),
   * write_run32()) then have one path to take, not a never-used-block branch that
   * would first run mid-run and deoptimize them (issue #10 §4). Same blocks, in
   * the same order, as handing out never-used blocks one by one.
   */
  private get_block32(): number {
    this.nr_dense++;
    if (this.free_block32 === 0) this.grow_pool32();
    const b = this.free_block32;
    this.free_block32 = this.pool32[b >>> POOL_SHIFT][(b & POOL_MASK) << 9];
    return b;
  }

  /** A new chunk of the Int32 pool, its blocks (block 0 never) threaded onto the empty free list in order. */
  protected grow_pool32(): void {
    const arr = new Int32Array(512 << POOL_SHIFT);
    this.pool32.push(arr);
    this.free_block32 = thread_blocks(arr, this.pool32.length - 1);
  }

  private put_block32(b: number): void {
    this.nr_dense--;
    this.pool32[b >>> POOL_SHIFT][(b & POOL_MASK) << 9] = this.free_block32;
    this.free_block32 = b;
  }

  /** Entry `v` as a DENSE32 offset from `base`, or NaN (the module's off32; a method so a test can break it). */
  protected off32(v: number, base: number): number {
    return off32(v, base);
  }

  /** Return the block of a DENSE or DENSE32 form (a RUNS table's record) of table `s`. */
  private put_form(form: number, s: number): void {
    if (form > 0) this.put_block(form);
    else if (form <= -4) this.put_block32(-3 - form);
    else if (form === RUNS) this.put_rec(this.m32[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W32 + I_STEP]);
  }

  /** A DENSE32 table becomes DENSE (an entry it cannot hold is written). */
  private widen(s: number): void {
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const oi = (s & SLOT_MASK) * W32;
    const b = -3 - mi[oi + I_FORM];
    const src = this.pool32[b >>> POOL_SHIFT];
    const qs = (b & POOL_MASK) << 9;
    const base = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
    const d = this.get_block();
    const dst = this.pool[d >>> POOL_SHIFT];
    const q = (d & POOL_MASK) << 9;
    for (let k = 0; k < 512; k++) {
      const o = src[qs + k];
      dst[q + k] = o === ZERO32 ? 0 : base + o * 4096;
    }
    this.put_block32(b);
    mi[oi + I_FORM] = d;
  }

  /**
   * Store `v` in the `n` entries from pointer `p` on (all in one table). Clearing
   * a RUN's whole extent, or a prefix or suffix of it, is O(1).
   */
  fill(p: number, n: number, v: number): void {
    if (n <= 0) return;
    const s = Math.floor(p / 512);
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const h = this.m16[c];
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    const i = p - s * 512;
    if (mi[oi + I_FORM] === RUNS) {
      if (v === 0 && this.runs_clear(s, i, n)) return;
      this.unruns(s);
    }
    const form = mi[oi + I_FORM];
    if (v === 0 && form === EMPTY) return;
    if (v === 0 && form === RUN) {
      const x = h[oh + H_X];
      if (x >= i && x < i + n) {
        // The exception entry is cleared: the progression alone is left to clear.
        h[oh + H_X] = -1;
        this.xvals.delete(s);
        h[oh + H_OCC] = h[oh + H_N];
      }
      const xn = h[oh + H_X] >= 0 ? 1 : 0;
      const start = h[oh + H_START];
      const end = start + h[oh + H_N];
      const lo = Math.max(i, start);
      const hi = Math.min(i + n, end);
      if (lo >= hi) return;
      if (lo === start && hi === end) {
        if (xn) this.run_from_exception(s);
        else {
          mi[oi + I_FORM] = EMPTY;
          h[oh + H_OCC] = 0;
        }
        return;
      }
      if (lo === start || hi === end) {
        if (lo === start) {
          this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST] += (hi - start) * mi[oi + I_STEP];
          h[oh + H_START] = hi;
        }
        h[oh + H_N] = end - start - (hi - lo);
        h[oh + H_OCC] = h[oh + H_N] + xn;
        return;
      }
    }
    let f = mi[oi + I_FORM];
    if (!(f > 0) && !(f <= -4)) {
      this.densify(s);
      f = mi[oi + I_FORM];
    }
    if (f <= -4) {
      if (v === 0) {
        const b32 = -3 - f;
        const arr = this.pool32[b32 >>> POOL_SHIFT];
        const q32 = (b32 & POOL_MASK) << 9;
        const occ = this.occupancy_after_clear(arr, q32, i, n, h[oh + H_OCC], ZERO32);
        if (occ !== 0) arr.fill(ZERO32, q32 + i, q32 + i + n);
        this.set_occupancy(s, occ);
        return;
      }
      this.widen(s);
    }
    const d = mi[oi + I_FORM];
    const b = this.pool[d >>> POOL_SHIFT];
    const q0 = (d & POOL_MASK) << 9;
    if (v === 0) {
      // Clearing: count what stays (the smaller side); at none left the block just goes back.
      const occ = this.occupancy_after_clear(b, q0, i, n, h[oh + H_OCC]);
      if (occ !== 0) b.fill(0, q0 + i, q0 + i + n);
      this.set_occupancy(s, occ);
      return;
    }
    const q = q0 + i;
    let occ = h[oh + H_OCC];
    for (let k = 0; k < n; k++) if (b[q + k] !== 0) occ--;
    b.fill(v, q, q + n);
    if (v !== 0) occ += n;
    this.set_occupancy(s, occ);
  }

  /**
   * The occupancy of dense block `q0` (now `occ`) once entries [i, i + n) are 0:
   * counts the non-zero entries of the range, or of the rest when that is shorter.
   */
  protected occupancy_after_clear(b: Float64Array | Int32Array, q0: number, i: number, n: number, occ: number, zero = 0): number {
    if (n <= 256) {
      for (let k = q0 + i, e = q0 + i + n; k < e; k++) if (b[k] !== zero) occ--;
      return occ;
    }
    let left = 0;
    for (let k = q0, e = q0 + i; k < e; k++) if (b[k] !== zero) left++;
    for (let k = q0 + i + n, e = q0 + 512; k < e; k++) if (b[k] !== zero) left++;
    return left;
  }

  /** A DENSE table's occupancy is now `occ`; at 0 its block goes back to the pool. */
  private set_occupancy(s: number, occ: number): void {
    const c = s >>> SLOT_SHIFT;
    this.m16[c][(s & SLOT_MASK) * W16 + H_OCC] = occ;
    if (occ === 0) {
      const mi = this.m32[c];
      const oi = (s & SLOT_MASK) * W32;
      this.put_form(mi[oi + I_FORM], s);
      mi[oi + I_FORM] = EMPTY;
    }
  }

  /** Copy the `n` entries from pointer `p` on (all in one table) into out[at .. at + n). */
  read(p: number, n: number, out: Float64Array, at = 0): void {
    const s = Math.floor(p / 512);
    const c = s >>> SLOT_SHIFT;
    const i = p - s * 512;
    const d = this.m32[c][(s & SLOT_MASK) * W32 + I_FORM];
    if (d > 0) {
      const b = this.pool[d >>> POOL_SHIFT];
      const q = ((d & POOL_MASK) << 9) + i;
      if (n >= 32) out.set(b.subarray(q, q + n), at);
      else for (let k = 0; k < n; k++) out[at + k] = b[q + k];
    } else if (d === EMPTY) out.fill(0, at, at + n);
    else if (d === RUN) {
      // Zeros, then the part of the run [start, start + rn) inside [i, i + n).
      out.fill(0, at, at + n);
      const h = this.m16[c];
      const oh = (s & SLOT_MASK) * W16;
      const start = h[oh + H_START];
      const first = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
      const step = this.m32[c][(s & SLOT_MASK) * W32 + I_STEP];
      const hi = Math.min(i + n, start + h[oh + H_N]);
      for (let j = Math.max(i, start); j < hi; j++) out[at + j - i] = first + (j - start) * step;
      this.read_exception(s, h[oh + H_X], i, n, out, at);
    } else if (d === RUNS) {
      // Zeros, then each run's part inside [i, i + n).
      out.fill(0, at, at + n);
      const rec = this.m32[c][(s & SLOT_MASK) * W32 + I_STEP];
      const r = this.recs[rec >>> REC_SHIFT];
      const o0 = (rec & REC_MASK) << RR_SHIFT;
      for (let o = o0, e = o0 + (this.m16[c][(s & SLOT_MASK) * W16 + H_N] << 2); o < e; o += 4) {
        const start = r[o + RR_START];
        const first = r[o + RR_FIRST];
        const step = r[o + RR_STEP];
        const hi = Math.min(i + n, start + r[o + RR_N]);
        for (let j = Math.max(i, start); j < hi; j++) out[at + j - i] = first + (j - start) * step;
      }
    } else if (d <= -4) {
      const b = -3 - d;
      const arr = this.pool32[b >>> POOL_SHIFT];
      const q = ((b & POOL_MASK) << 9) + i;
      const base = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
      for (let k = 0; k < n; k++) {
        const o = arr[q + k];
        out[at + k] = o === ZERO32 ? 0 : base + o * 4096;
      }
    } else out.fill(PAGE_POISON_ENTRY, at, at + n);
  }

  /** read() of a RUN: its exception entry `x` (-1: none), where [i, i + n) covers it. */
  protected read_exception(s: number, x: number, i: number, n: number, out: Float64Array, at: number): void {
    if (x >= i && x < i + n) out[at + x - i] = this.xvals.get(s)!;
  }

  /**
   * Store vals[from + k] at pointer p + k * stride, for k < n (all in one table),
   * as n set()s in order would. Values that start or extend a RUN (stride 1, a
   * progression of positive safe integers) take O(1) writes.
   */
  write(p: number, stride: number, vals: Float64Array, from: number, n: number): void {
    if (n <= 0) return;
    if (n === 1) {
      // One entry, whatever the stride (a sparse touch's batch): set() keeps the forms set() keeps.
      this.set(p, vals[from]);
      return;
    }
    const s = Math.floor(p / 512);
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const h = this.m16[c];
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    const i = p - s * 512;
    if (mi[oi + I_FORM] === RUNS) this.unruns(s);
    const form = mi[oi + I_FORM];
    if (stride === 1 && (form === EMPTY || form === RUN)) {
      const first = vals[from];
      const last = vals[from + n - 1];
      const step = n > 1 ? vals[from + 1] - first : 0;
      let ok = first > 0 && last > 0 && Number.isSafeInteger(first) && Number.isSafeInteger(last) && Math.abs(step) <= MAX_STEP;
      for (let k = 2; ok && k < n; k++) ok = vals[from + k] === first + k * step;
      if (ok && this.run_put(s, i, n, first, step)) return;
    }
    if ((form === EMPTY || form === RUN) && stride === 1) {
      this.write_fresh(s, i, vals, from, n);
      return;
    }
    let f = form;
    if (!(f > 0) && !(f <= -4)) {
      this.densify(s);
      f = mi[oi + I_FORM];
    }
    if (f <= -4) {
      if (this.write32(s, i, stride, vals, from, n)) return;
      this.widen(s);
    }
    const d = mi[oi + I_FORM];
    const b = this.pool[d >>> POOL_SHIFT];
    const q = ((d & POOL_MASK) << 9) + i;
    let occ = h[oh + H_OCC];
    for (let k = 0; k < n; k++) {
      const v = vals[from + k];
      const at = q + k * stride;
      if (b[at] !== 0) occ--;
      if (v !== 0) occ++;
      b[at] = v;
    }
    this.set_occupancy(s, occ);
  }

  /** write() into DENSE32 table `s`; false (nothing written) when a value is no offset from its base. */
  private write32(s: number, i: number, stride: number, vals: Float64Array, from: number, n: number): boolean {
    const c = s >>> SLOT_SHIFT;
    const base = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
    for (let k = 0; k < n; k++) if (this.off32(vals[from + k], base) !== this.off32(vals[from + k], base)) return false;
    const b = -3 - this.m32[c][(s & SLOT_MASK) * W32 + I_FORM];
    const arr = this.pool32[b >>> POOL_SHIFT];
    const q = ((b & POOL_MASK) << 9) + i;
    let occ = this.m16[c][(s & SLOT_MASK) * W16 + H_OCC];
    for (let k = 0; k < n; k++) {
      const x = this.off32(vals[from + k], base);
      const at = q + k * stride;
      if (arr[at] !== ZERO32) occ--;
      if (x !== ZERO32) occ++;
      arr[at] = x;
    }
    this.set_occupancy(s, occ);
    return true;
  }

  /**
   * write() of vals[from .. from + n) to entries [i, i + n) of an EMPTY or RUN
   * table `s` that does not stay a RUN: straight into a fresh block (zeroed around
   * the range, the run's entries put back), occupancy counted once: the run's
   * entries (all non-zero) outside the range plus the new non-zero values. At
   * none non-zero the table ends EMPTY, as n set()s would leave it.
   */
  protected write_fresh(s: number, i: number, vals: Float64Array, from: number, n: number): void {
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const oi = (s & SLOT_MASK) * W32;
    let occ = 0;
    for (let k = 0; k < n; k++) if (vals[from + k] !== 0) occ++;
    const run = mi[oi + I_FORM] === RUN;
    if (!run && occ === 0) return;
    if (this.write_fresh32(s, i, vals, from, n, occ)) return;
    const d = this.get_block();
    const b = this.pool[d >>> POOL_SHIFT];
    const q = (d & POOL_MASK) << 9;
    this.zero_around(b, q, i, n);
    if (run) {
      const h = this.m16[c];
      const oh = (s & SLOT_MASK) * W16;
      const start = h[oh + H_START];
      const rn = h[oh + H_N];
      const first = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
      const step = mi[oi + I_STEP];
      for (let k = 0; k < rn; k++) {
        const j = start + k;
        if (j < i || j >= i + n) {
          b[q + j] = first + k * step;
          occ++;
        }
      }
      const x = h[oh + H_X];
      if (x >= 0) {
        if (x < i || x >= i + n) {
          b[q + x] = this.xvals.get(s)!;
          occ++;
        }
        h[oh + H_X] = -1;
        this.xvals.delete(s);
      }
    }
    b.set(vals.subarray(from, from + n), q + i);
    mi[oi + I_FORM] = d;
    this.set_occupancy(s, occ);
  }

  /**
   * write_fresh() into a fresh DENSE32 block, when every entry the table will hold
   * is an offset from the first non-zero one (else false, nothing changed).
   * `occ`: the new values' non-zero count.
   */
  private write_fresh32(s: number, i: number, vals: Float64Array, from: number, n: number, occ: number): boolean {
    const c = s >>> SLOT_SHIFT;
    const m = this.m64[c];
    const mi = this.m32[c];
    const h = this.m16[c];
    const o = (s & SLOT_MASK) * W64;
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    const run = mi[oi + I_FORM] === RUN;
    const start = run ? h[oh + H_START] : 0;
    const rn = run ? h[oh + H_N] : 0;
    const first = m[o + F_FIRST];
    const step = mi[oi + I_STEP];
    const x = run ? h[oh + H_X] : -1;
    let base = 0;
    for (let k = 0; k < n && base === 0; k++) base = vals[from + k];
    if (base === 0) base = first;
    if (!Number.isSafeInteger(base)) return false;
    // Each offset computed once (NaN: no offset, the table stays as it is), the new ones kept for the copy below.
    const offs = SCRATCH32;
    for (let k = 0; k < n; k++) {
      const d = this.off32(vals[from + k], base);
      if (d !== d) return false;
      offs[k] = d;
    }
    for (let k = 0; k < rn; k++) {
      const d = this.off32(first + k * step, base);
      if (d !== d) return false;
    }
    const xv = x >= 0 ? this.xvals.get(s)! : 0;
    if (x >= 0) {
      const d = this.off32(xv, base);
      if (d !== d) return false;
    }
    const b = this.get_block32();
    const arr = this.pool32[b >>> POOL_SHIFT];
    const q = (b & POOL_MASK) << 9;
    this.zero_around(arr, q, i, n, ZERO32);
    for (let k = 0; k < rn; k++) {
      const j = start + k;
      if (j < i || j >= i + n) {
        arr[q + j] = this.off32(first + k * step, base);
        occ++;
      }
    }
    if (x >= 0) {
      if (x < i || x >= i + n) {
        arr[q + x] = this.off32(xv, base);
        occ++;
      }
      h[oh + H_X] = -1;
      this.xvals.delete(s);
    }
    arr.set(n === 512 ? offs : offs.subarray(0, n), q + i);
    m[o + F_FIRST] = base;
    mi[oi + I_FORM] = -3 - b;
    this.set_occupancy(s, occ);
    return true;
  }

  /** Fill a fresh block `q` (a reused one holds stale entries) with `zero` outside [i, i + n). */
  protected zero_around(b: Float64Array | Int32Array, q: number, i: number, n: number, zero = 0): void {
    b.fill(zero, q, q + i);
    b.fill(zero, q + i + n, q + 512);
  }

  /** How many entries of table `pfn` are not 0 (the occupancy count). */
  nr_used(pfn: number): number {
    const s = this.slot(pfn);
    return this.m16[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W16 + H_OCC];
  }

  /** Are all 512 entries of table `pfn` 0? (Every such entry is pte_none and pxd_none.) */
  is_empty(pfn: number): boolean {
    return this.nr_used(pfn) === 0;
  }

  /**
   * Slot of `pfn`, or -1 when it holds no table (the hardware walker's check, no
   * throw). The slot is in the frame's descriptor, as Linux keeps the ptdesc in
   * struct page: `index` of a PG_PGTABLE frame (an anon page's address otherwise).
   */
  lookup(pfn: number): number {
    const f = this.frames;
    // The first region's flat arrays tested here (hot: the accessors' calls spend V8's inlining budget; see PageFrames).
    // (`index` is stored relative to the PFN: INDEX_PER_PFN, 4096 spelled out as in PageFrames' accessors.)
    if (pfn < f.flat_n) return f.flat_type[pfn] === PG_PGTABLE ? f.flat_index[pfn] + pfn * 4096 : -1;
    return f.get_type(pfn) === PG_PGTABLE ? f.get_index(pfn) : -1;
  }

  /** The upper-level entry that last linked table `pfn` in (-1: none, or a deposit). */
  parent_of(pfn: number): number {
    const s = this.slot(pfn);
    return this.m64[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W64 + F_PARENT];
  }

  set_parent(pfn: number, p: number): void {
    const s = this.slot(pfn);
    this.m64[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W64 + F_PARENT] = p;
  }

  /** Walker references on table `pfn` (pgtable/pt_users.ts). */
  users_of(pfn: number): number {
    return this.users.get(this.slot(pfn)) ?? 0;
  }

  /** Add `d` to the walker references on table `pfn`. */
  add_users(pfn: number, d: number): void {
    const s = this.slot(pfn);
    const n = (this.users.get(s) ?? 0) + d;
    if (n === 0) this.users.delete(s);
    else this.users.set(s, n);
  }

  /** The split lock of the table holding pointer `p` (pmd_lockptr). */
  ptl_at(p: number): SpinLock {
    const l = this.locks.get(Math.floor(p / 512));
    return l !== undefined ? l : this.ptl_of(this.table_of(p));
  }

  /** Allocate a zeroed table page of `level` for mm `owner`; returns its PFN. */
  alloc(level: number, owner: number): number {
    this.frames.owner_fits(owner);
    const pfn = this.frames.alloc(0, PG_PGTABLE);
    const f = this.frames;
    // The first region's flat arrays written here when the frame is in it (hot: see PageFrames' accessors).
    if (pfn < f.flat_n) f.flat_owner[pfn] = owner;
    else f.set_owner(pfn, owner);
    let slot = this.free_slot;
    if (slot >= 0) this.free_slot = this.m64[slot >>> SLOT_SHIFT][(slot & SLOT_MASK) * W64 + F_NEXT];
    else {
      if (this.next_slot >= MAX_TABLES) throw new PageTableStoreFull();
      slot = this.next_slot++;
      if (slot >>> SLOT_SHIFT >= this.m64.length) {
        this.m64.push(new Float64Array((1 << SLOT_SHIFT) * W64));
        this.m32.push(new Int32Array((1 << SLOT_SHIFT) * W32));
        this.m16.push(new Int16Array((1 << SLOT_SHIFT) * W16));
        if (this.nr_private > 0) this.priv.push(new Float64Array((1 << SLOT_SHIFT) * this.nr_private));
      }
    }
    if (pfn < f.flat_n) f.flat_index[pfn] = slot - pfn * 4096; // (INDEX_PER_PFN)
    else f.set_index(pfn, slot);
    const c = slot >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const oi = (slot & SLOT_MASK) * W32;
    const o = (slot & SLOT_MASK) * W64;
    const oh = (slot & SLOT_MASK) * W16;
    this.put_form(mi[oi + I_FORM], slot);
    mi[oi + I_FORM] = EMPTY;
    this.m16[c][oh + H_OCC] = 0;
    this.m16[c][oh + H_LEVEL] = level;
    if (this.m16[c][oh + H_X] >= 0) this.xvals.delete(slot);
    this.m16[c][oh + H_X] = -1;
    this.m64[c][o + F_PFN] = pfn;
    this.m64[c][o + F_PARENT] = -1;
    const np = this.nr_private;
    if (np > 0) this.priv[c].fill(0, (slot & SLOT_MASK) * np, ((slot & SLOT_MASK) + 1) * np);
    // No lock to forget: free() dropped the slot's, and a new slot never had one.
    if (this.users.size !== 0) this.users.delete(slot);
    this.nr++;
    return pfn;
  }

  /** Free a table page: poison its entries and the frame. */
  free(pfn: number): void {
    const slot = this.slot(pfn);
    const c = slot >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const oi = (slot & SLOT_MASK) * W32;
    const o = (slot & SLOT_MASK) * W64;
    const oh = (slot & SLOT_MASK) * W16;
    this.put_form(mi[oi + I_FORM], slot);
    mi[oi + I_FORM] = FREED;
    this.m16[c][oh + H_OCC] = 0;
    if (this.m16[c][oh + H_X] >= 0) this.xvals.delete(slot);
    this.m16[c][oh + H_X] = -1;
    this.m64[c][o + F_PFN] = 0;
    this.m16[c][oh + H_LEVEL] = 0;
    this.locks.delete(slot);
    if (!this.quarantine) {
      this.m64[c][o + F_NEXT] = this.free_slot;
      this.free_slot = slot;
    }
    this.frames.free(pfn, 0);
    this.nr--;
  }

  /** Is the table `pfn` still linked in: does the entry that linked it still point at it? */
  is_linked(pfn: number, mk_table_entry: (pfn: number) => number): boolean {
    const p = this.parent_of(pfn);
    return p >= 0 && this.get(p) === mk_table_entry(pfn);
  }

  /** Slot of a live table; throws on a PFN that holds no table (a use after free). */
  slot(pfn: number): number {
    const s = this.lookup(pfn);
    if (s < 0) throw new PageTableUseAfterFree(pfn);
    return s;
  }

  /** Index of entry `i` of table `pfn` (a `pte_t *`). */
  entry(pfn: number, i: number): number {
    // slot() written out: one JS call fewer per entry pointer (7 per 2 MiB chunk of the
    // seed loop, which the interpreter runs until the JIT has warmed up).
    const s = this.lookup(pfn);
    if (s < 0) throw new PageTableUseAfterFree(pfn);
    return s * 512 + i;
  }

  /** The PFN of the table that contains entry pointer `p` (0: a freed slot). */
  table_of(p: number): number {
    const s = Math.floor(p / 512);
    return this.m64[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W64 + F_PFN];
  }

  level_of(pfn: number): number {
    const s = this.slot(pfn);
    return this.m16[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W16 + H_LEVEL];
  }

  /** The split lock of a PTE or PMD table (ptlock_ptr / pmd_ptlock), created on first use. */
  ptl_of(pfn: number): SpinLock {
    const s = this.slot(pfn);
    const l = this.locks.get(s);
    if (l !== undefined) return l;
    const level = this.m16[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W16 + H_LEVEL];
    // The name (`pte_ptl@<pfn>`) is built when read, not here (ptlock.ts).
    const n = level <= PMD_LEVEL ? new TablePtl(pfn, level) : null;
    if (n === null) return n!;
    if (this.locks.size >= LOCKS_KEPT_MIN && this.locks.size >= 2 * this.locks_kept) this.drop_idle_locks();
    this.locks.set(s, n);
    return n;
  }

  /**
   * Forget the split locks nobody holds when lock_policy.may_drop_locks() says so; ptl_of()
   * calls it once there are LOCKS_KEPT_MIN and twice as many as after the last
   * time (amortized O(1) a lock). With no sanitizer and no task stepping, a lock's
   * identity matters only while it is held (a held one is kept: every ptl_of()
   * returns it); a path that kept an idle one (a `ptl` out-parameter, its
   * vm_fault's) and takes it later takes a lock nobody else can reach, which in a
   * run without stepping no other path contends for. An idle lock is otherwise
   * indistinguishable from the one ptl_of() creates next: same name and class,
   * no owner. Model difference: Linux's ptlock lives in the ptdesc for the
   * table's life; here an idle one costs no host memory (issue #10: no per-table
   * object), and the explorer and sanitizers (which see lock objects) keep them.
   */
  drop_idle_locks(): void {
    if (this.lock_policy !== null && this.lock_policy.may_drop_locks()) {
      // The held ones (a few at most) go into a new map: cheaper than deleting the others one by one.
      const held = new Map<number, SpinLock>();
      for (const [s, l] of this.locks) if (l.owner !== null) held.set(s, l);
      this.locks = held;
    }
    this.locks_kept = this.locks.size;
  }

  /** Split locks that exist now (created on first use, not yet dropped). */
  get nr_locks(): number {
    return this.locks.size;
  }

  is_table(pfn: number): boolean {
    return this.lookup(pfn) >= 0;
  }

  /** Live tables, all levels. */
  get nr_tables(): number {
    return this.nr;
  }

  /** Tables holding a dense block (the others are EMPTY or a RUN). */
  get nr_dense_tables(): number {
    return this.nr_dense;
  }

  /** Host bytes of the tables' metadata and dense blocks (typed arrays). */
  host_bytes(): number {
    let b = 0;
    for (const a of this.m64) b += a.byteLength;
    for (const a of this.m32) b += a.byteLength;
    for (const a of this.m16) b += a.byteLength;
    for (const a of this.priv) b += a.byteLength;
    for (const a of this.pool) b += a.byteLength;
    for (const a of this.pool32) b += a.byteLength;
    for (const a of this.recs) b += a.byteLength;
    return b;
  }

  /**
   * The simulated state this store holds, for state digests: for every slot ever
   * used, its PFN (0: free), level, parent pointer, private words and 512 entries
   * as get() reads them; then the free-slot list in reuse order, the next new slot
   * and the quarantine flag. Not the host representation (forms, pool blocks) nor
   * the locks (created on first use; the tasks that hold one reach it).
   */
  digest_into(update: (bytes: Uint8Array) => void): void {
    const np = this.nr_private;
    const buf = new Float64Array(4 + np + 512);
    const bytes = new Uint8Array(buf.buffer);
    for (let s = 0; s < this.next_slot; s++) {
      const c = s >>> SLOT_SHIFT;
      const o = (s & SLOT_MASK) * W64;
      buf[0] = s;
      buf[1] = this.m64[c][o + F_PFN];
      buf[2] = this.m16[c][(s & SLOT_MASK) * W16 + H_LEVEL];
      buf[3] = this.m64[c][o + F_PARENT];
      for (let j = 0; j < np; j++) buf[4 + j] = this.priv[c][(s & SLOT_MASK) * np + j];
      this.read(s * 512, 512, buf, 4 + np);
      update(bytes);
    }
    const tail: number[] = [];
    for (let s = this.free_slot; s >= 0; s = this.m64[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W64 + F_NEXT]) tail.push(s);
    tail.push(-1, this.next_slot, this.quarantine ? 1 : 0, this.nr);
    update(new Uint8Array(new Float64Array(tail).buffer));
  }

  /** Iterate live table PFNs with their level. */
  *tables(): Generator<{ pfn: number; level: number }> {
    for (let s = 0; s < this.next_slot; s++) {
      const c = s >>> SLOT_SHIFT;
      const pfn = this.m64[c][(s & SLOT_MASK) * W64 + F_PFN];
      if (pfn) yield { pfn, level: this.m16[c][(s & SLOT_MASK) * W16 + H_LEVEL] };
    }
  }

  /* Bulk range operations (issue #10 §1, the batch paths). */

  /**
   * The split lock of table `pfn` if it exists now, else null (without creating
   * it, as ptl_of() would): a lock that does not exist is held by nobody. The
   * fault batch creates a table's lock only where one is seen (struct vm_fault).
   */
  ptl_if_any(pfn: number): SpinLock | null {
    return this.locks.get(this.slot(pfn)) ?? null;
  }

  /**
   * Store first + k * step at pointer p + k, for k < n (all in one table), as n
   * set()s in order would (positive safe integers): in O(1) where that leaves a
   * RUN (an EMPTY table, a RUN the values continue at its end, or a one-entry RUN
   * elsewhere, which becomes the exception entry); in O(runs) where that leaves a
   * RUNS table (values apart from every run: continuing one, or a run of their
   * own while there is room); else in one loop over the n entries (no per-entry
   * offset check) into a DENSE32 block (write_run32()) or a DENSE one. Returns
   * false, having stored nothing but maybe the table's form changed (RUNS to
   * DENSE32 or DENSE: the same entries), where none of these applies (the caller
   * writes them with write()).
   */
  write_run(p: number, n: number, first: number, step: number): boolean {
    if (n <= 0) return true;
    const s = Math.floor(p / 512);
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const h = this.m16[c];
    const oh = (s & SLOT_MASK) * W16;
    const i = p - s * 512;
    const form = mi[(s & SLOT_MASK) * W32 + I_FORM];
    if (n === 1) step = 0;
    const last = first + (n - 1) * step;
    if (!(first > 0 && last > 0 && Number.isSafeInteger(first) && Number.isSafeInteger(last) && Math.abs(step) <= MAX_STEP)) return false;
    if (form === RUNS) {
      if (this.runs_put(s, i, n, first, step)) return true;
      this.unruns(s);
      return this.write_run32(s, i, n, first, step);
    }
    if (form !== EMPTY && form !== RUN) return this.write_run32(s, i, n, first, step);
    if (this.run_put(s, i, n, first, step)) return true;
    const rstart = h[oh + H_START];
    const x = h[oh + H_X];
    if ((i + n <= rstart || i >= rstart + h[oh + H_N]) && (x < i || x >= i + n)) {
      // Runs apart (the free list handed the table's faults a few runs of frames): RUNS, O(1).
      this.run_to_runs(s);
      if (this.runs_put(s, i, n, first, step)) return true;
      this.unruns(s);
    }
    return this.write_run32(s, i, n, first, step);
  }

  /**
   * Store first + k * step at entries i..i+n-1 of EMPTY or RUN table `s` in O(1)
   * where the table stays a RUN, as set()s in order would (write() and write_run()):
   * an EMPTY table becomes that RUN; a RUN the values continue at its end grows
   * (with an exception entry only where the exception lies elsewhere); a one-entry
   * RUN elsewhere becomes the exception entry of the new RUN. False, having
   * stored nothing, otherwise. The values are positive safe integers, |step| <= MAX_STEP.
   */
  private run_put(s: number, i: number, n: number, first: number, step: number): boolean {
    const c = s >>> SLOT_SHIFT;
    const m = this.m64[c];
    const mi = this.m32[c];
    const h = this.m16[c];
    const o = (s & SLOT_MASK) * W64;
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    if (mi[oi + I_FORM] === EMPTY) {
      mi[oi + I_FORM] = RUN;
      m[o + F_FIRST] = first;
      mi[oi + I_STEP] = step;
      h[oh + H_START] = i;
      h[oh + H_N] = n;
      h[oh + H_OCC] = n;
      return true;
    }
    const rn = h[oh + H_N];
    const rstart = h[oh + H_START];
    const rfirst = m[o + F_FIRST];
    const rstep = rn > 1 ? mi[oi + I_STEP] : first - rfirst;
    const x = h[oh + H_X];
    if (
      i === rstart + rn &&
      first === rfirst + rn * rstep &&
      (n === 1 || step === rstep) &&
      Math.abs(rstep) <= MAX_STEP &&
      (x < i || x >= i + n) &&
      this.run_extends(rfirst, rstep, rn, rn, first)
    ) {
      mi[oi + I_STEP] = rstep;
      h[oh + H_N] = rn + n;
      h[oh + H_OCC] = rn + n + (x >= 0 ? 1 : 0);
      return true;
    }
    if (x < 0 && rn === 1 && (rstart < i || rstart >= i + n)) {
      // A one-entry run and a progression elsewhere: the entry becomes the exception.
      h[oh + H_X] = rstart;
      this.xvals.set(s, rfirst);
      m[o + F_FIRST] = first;
      mi[oi + I_STEP] = step;
      h[oh + H_START] = i;
      h[oh + H_N] = n;
      h[oh + H_OCC] = n + 1;
      return true;
    }
    return false;
  }

  /**
   * write_run() that leaves RUN or DENSE32 table `s` DENSE32 (a RUN gets a block
   * based on its first entry, as densify32() gives it), or writes into a DENSE
   * table: the n offsets written in one int32 loop, occupancy counted once. The
   * values (positive safe integers, checked by the caller) must be offsets from
   * the base: checked on the first and the last, the step a multiple of 4096 (the
   * ones between follow); a RUN's entries and exception likewise. False, nothing
   * changed, otherwise.
   */
  private write_run32(s: number, i: number, n: number, first: number, step: number): boolean {
    const c = s >>> SLOT_SHIFT;
    const mi = this.m32[c];
    const h = this.m16[c];
    const oi = (s & SLOT_MASK) * W32;
    const oh = (s & SLOT_MASK) * W16;
    const form = mi[oi + I_FORM];
    if (form > 0) {
      const b = this.pool[form >>> POOL_SHIFT];
      const q = ((form & POOL_MASK) << 9) + i;
      let occ = h[oh + H_OCC];
      for (let k = 0; k < n; k++) {
        if (b[q + k] === 0) occ++;
        b[q + k] = first + k * step;
      }
      h[oh + H_OCC] = occ;
      return true;
    }
    if (n > 1 && step % 4096 !== 0) return false;
    const dk = n > 1 ? step / 4096 : 0;
    if (form <= -4) {
      const base = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
      const o0 = this.off32(first, base);
      if (o0 !== o0 || this.off32(first + (n - 1) * step, base) !== o0 + (n - 1) * dk) return false;
      const b = -3 - form;
      const arr = this.pool32[b >>> POOL_SHIFT];
      const q = ((b & POOL_MASK) << 9) + i;
      let occ = h[oh + H_OCC];
      for (let k = 0; k < n; k++) {
        if (arr[q + k] === ZERO32) occ++;
        arr[q + k] = o0 + k * dk;
      }
      h[oh + H_OCC] = occ;
      return true;
    }
    if (form !== RUN) return false;
    // The RUN's entries, its exception and the new values, all as offsets from the run's first entry.
    const start = h[oh + H_START];
    const rn = h[oh + H_N];
    const base = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST];
    const rstep = rn > 1 ? mi[oi + I_STEP] : 0;
    const x = h[oh + H_X];
    if (!Number.isSafeInteger(base) || rstep % 4096 !== 0) return false;
    const rk = rstep / 4096;
    if (this.off32(base + (rn - 1) * rstep, base) !== (rn - 1) * rk) return false;
    const xv = x >= 0 ? this.xvals.get(s)! : 0;
    const xo = x >= 0 ? this.off32(xv, base) : 0;
    if (xo !== xo) return false;
    const o0 = this.off32(first, base);
    if (o0 !== o0 || this.off32(first + (n - 1) * step, base) !== o0 + (n - 1) * dk) return false;
    const b = this.get_block32();
    const arr = this.pool32[b >>> POOL_SHIFT];
    const q = (b & POOL_MASK) << 9;
    this.zero_around(arr, q, i, n, ZERO32);
    // The run's entries outside [i, i + n) (those inside are overwritten below): the part before
    // i and the part from i + n on, each one int32 loop (no test per entry); then the exception.
    const rk1 = rk | 0;
    const end = start + rn;
    const e0 = Math.min(end, i);
    const s1 = Math.max(start, i + n);
    for (let j = start; j < e0; j++) arr[q + j] = (j - start) * rk1;
    for (let j = s1; j < end; j++) arr[q + j] = (j - start) * rk1;
    let occ = n + Math.max(0, e0 - start) + Math.max(0, end - s1);
    if (x >= 0) {
      if (x < i || x >= i + n) {
        arr[q + x] = xo;
        occ++;
      }
      h[oh + H_X] = -1;
      this.xvals.delete(s);
    }
    // As int32s (the offsets are, o0 + k * dk stays in range; `| 0` keeps V8 off doubles).
    const o1 = o0 | 0;
    const dk1 = dk | 0;
    const qi = q + i;
    for (let k = 0; k < n; k++) arr[qi + k] = o1 + k * dk1;
    mi[oi + I_FORM] = -3 - b;
    h[oh + H_OCC] = occ;
    return true;
  }

  /**
   * How many of the `n` entries from pointer `p` on (all in one table) are 0, counting
   * from p up to the first that is not: O(1) on an EMPTY or RUN table, O(runs) on a RUNS one; entry by
   * entry elsewhere.
   */
  zeros_at(p: number, n: number): number {
    const s = Math.floor(p / 512);
    const c = s >>> SLOT_SHIFT;
    const d = this.m32[c][(s & SLOT_MASK) * W32 + I_FORM];
    if (d === EMPTY) return n;
    const i = p - s * 512;
    if (d === RUN) {
      const h = this.m16[c];
      const oh = (s & SLOT_MASK) * W16;
      const start = h[oh + H_START];
      const x = h[oh + H_X];
      if (i === x || (i >= start && i < start + h[oh + H_N])) return 0;
      // Up to the run's start or the exception entry, whichever comes first after i.
      let z = n;
      if (start > i) z = Math.min(z, start - i);
      if (x > i) z = Math.min(z, x - i);
      return z;
    }
    if (d === FREED) return 0;
    if (d === RUNS) {
      // Up to the nearest run that starts after i (0 inside one).
      const rec = this.m32[c][(s & SLOT_MASK) * W32 + I_STEP];
      const r = this.recs[rec >>> REC_SHIFT];
      const o0 = (rec & REC_MASK) << RR_SHIFT;
      let z = n;
      for (let o = o0, e = o0 + (this.m16[c][(s & SLOT_MASK) * W16 + H_N] << 2); o < e; o += 4) {
        const k = i - r[o + RR_START];
        if (k < 0) z = Math.min(z, -k);
        else if (k < r[o + RR_N]) return 0;
      }
      return z;
    }
    if (d > 0) {
      const b = this.pool[d >>> POOL_SHIFT];
      const q = ((d & POOL_MASK) << 9) + i;
      let k = 0;
      while (k < n && b[q + k] === 0) k++;
      return k;
    }
    if (d <= -4) {
      // DENSE32 (the fault batch's tables of several runs): the offsets, no entry rebuilt.
      const b = -3 - d;
      const arr = this.pool32[b >>> POOL_SHIFT];
      const q = ((b & POOL_MASK) << 9) + i;
      let k = 0;
      while (k < n && arr[q + k] === ZERO32) k++;
      return k;
    }
    let k = 0;
    while (k < n && this.get(p + k) === 0) k++;
    return k;
  }

  /**
   * When the entries from pointer `p` on lie in a RUN table's run: how many of them
   * (at most `n`) do, with out.first the entry at p and out.step the run's step
   * (entry p + k is out.first + k * out.step). 0 elsewhere (not a RUN table, a RUN
   * with an exception entry, or p outside its run): O(1).
   * On a DENSE32 table: the longest progression of non-zero entries from p on (at
   * most `n`), compared as int32 offsets (no entry rebuilt); 1 (out.step 0) where the
   * next entry does not continue one, 0 where entry p is 0.
   */
  run_at(p: number, n: number, out: { first: number; step: number }): number {
    const s = Math.floor(p / 512);
    const c = s >>> SLOT_SHIFT;
    const form = this.m32[c][(s & SLOT_MASK) * W32 + I_FORM];
    if (form <= -4) return this.run_at32(s, p - s * 512, n, out);
    if (form === RUNS) return this.run_at_runs(s, p - s * 512, n, out);
    if (form !== RUN) return 0;
    const h = this.m16[c];
    const oh = (s & SLOT_MASK) * W16;
    if (h[oh + H_X] >= 0) return 0;
    const k = p - s * 512 - h[oh + H_START];
    const rn = h[oh + H_N];
    if (k < 0 || k >= rn) return 0;
    out.step = rn > 1 ? this.m32[c][(s & SLOT_MASK) * W32 + I_STEP] : 0;
    out.first = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST] + k * out.step;
    return Math.min(n, rn - k);
  }

  /**
   * run_at() on RUNS table `s` from its entry i: the run it lies in, O(runs) (0
   * outside every run). At a run's last entry with another run right after it,
   * the two entries (any two make a progression), as run_at32() answers for the
   * DENSE32 table this one stands for: the zap sees the same answers whichever
   * form holds the entries (a one-entry run, the exception a RUN had, is common).
   */
  private run_at_runs(s: number, i: number, n: number, out: { first: number; step: number }): number {
    const c = s >>> SLOT_SHIFT;
    const rec = this.m32[c][(s & SLOT_MASK) * W32 + I_STEP];
    const r = this.recs[rec >>> REC_SHIFT];
    const o0 = (rec & REC_MASK) << RR_SHIFT;
    const cnt = this.m16[c][(s & SLOT_MASK) * W16 + H_N];
    const o = this.runs_find(r, o0, cnt, i);
    if (o < 0) return 0;
    const k = i - r[o + RR_START];
    const rn = r[o + RR_N];
    out.step = rn > 1 ? r[o + RR_STEP] : 0;
    out.first = r[o + RR_FIRST] + k * out.step;
    if (rn - k > 1 || n < 2) return Math.min(n, rn - k);
    const o2 = this.runs_find(r, o0, cnt, i + 1);
    if (o2 < 0) return 1;
    out.step = r[o2 + RR_FIRST] - out.first;
    return 2;
  }

  /** Whether pointer p's table is RUNS (for the tests). */
  is_runs(p: number): boolean {
    const s = Math.floor(p / 512);
    return this.m32[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W32 + I_FORM] === RUNS;
  }

  /** Whether pointer p's table is DENSE32 (for the tests). */
  is_dense32(p: number): boolean {
    const s = Math.floor(p / 512);
    return this.m32[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W32 + I_FORM] <= -4;
  }

  /** run_at() on DENSE32 table `s` from its entry i. */
  private run_at32(s: number, i: number, n: number, out: { first: number; step: number }): number {
    const c = s >>> SLOT_SHIFT;
    const b = -3 - this.m32[c][(s & SLOT_MASK) * W32 + I_FORM];
    const arr = this.pool32[b >>> POOL_SHIFT];
    const q = ((b & POOL_MASK) << 9) + i;
    const o0 = arr[q];
    n = Math.min(n, 512 - i);
    if (o0 === ZERO32 || n < 1) return 0;
    out.first = this.m64[c][(s & SLOT_MASK) * W64 + F_FIRST] + o0 * 4096;
    const o1 = n > 1 ? arr[q + 1] : ZERO32;
    if (o1 === ZERO32 || o1 === o0) {
      out.step = 0;
      return 1;
    }
    const dk = o1 - o0;
    out.step = dk * 4096;
    return this.progression32(arr, q, n, o0, dk);
  }

  /** How many of arr[q .. q + n) are o0, o0 + dk, ... (none ZERO32), at least the first two (a method so a test can break it). */
  protected progression32(arr: Int32Array, q: number, n: number, o0: number, dk: number): number {
    let r = 2;
    for (let o = o0 + 2 * dk; r < n; r++, o += dk) {
      const v = arr[q + r];
      if (v !== o || v === ZERO32) break;
    }
    return r;
  }
}

export class PageTableUseAfterFree extends MmsimError {
  constructor(readonly pfn: number) {
    super("page-table-use-after-free", `page-table use after free: pfn ${pfn} holds no page table`);
  }
}

/** The store's own limit (not the simulated machine's memory): reported as an out-of-memory. */
export class PageTableStoreFull extends MmsimError {
  constructor() {
    super("out-of-memory", `page-table store full: ${MAX_TABLES} live tables`);
  }
}

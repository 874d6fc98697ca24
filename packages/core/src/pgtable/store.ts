import { PG_PGTABLE, type PageFrames } from "../mm/page_alloc.js";
import { SpinLock } from "../sync/spinlock.js";
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

/** Live tables the store can hold: slots are int32 (a `pte_t *` is `slot * 512 + i` < 2^40). */
export const MAX_TABLES = 2 ** 31 - 1;

/* Per-slot metadata: one Float64Array chunk per 2^SLOT_SHIFT slots, W words per slot. */
const SLOT_SHIFT = 12;
const SLOT_MASK = (1 << SLOT_SHIFT) - 1;
/* Word 0 (m[o]): the storage form: EMPTY, RUN, FREED, or a dense block number > 0 (DENSE). */
/** Entries that are not 0 (the occupancy count). */
const F_OCC = 1;
/** RUN: entries [start, start + n) are first + k * step, the others 0. */
const F_FIRST = 2;
const F_STEP = 3;
const F_START = 4;
const F_N = 5;
const F_PFN = 6;
const F_PARENT = 7;
const F_LEVEL = 8;
/** Next free slot on the free list (a free slot's only field in use). */
const F_NEXT = 9;
/** Words per slot. */
const W = 10;
const EMPTY = 0;
const RUN = -1;
const FREED = -2;

/* The dense pool: chunks of 2^POOL_SHIFT blocks of 512 entries; block 0 is never used. */
const POOL_SHIFT = 6;
const POOL_MASK = (1 << POOL_SHIFT) - 1;

/* PFN → slot: chunks of 2^16 PFNs, created when a table lands in them. */
const PFN_CHUNK = 65536;

/**
 * The contents of every page-table page, compactly (issue #10 §1), plus the ptdesc
 * fields of each table page: level, the split page-table lock (ptl), per-plugin
 * private words. Each table is in one of three forms:
 *   EMPTY  every entry 0: no storage;
 *   RUN    entries [start, start + n) are first, first + step, ... (an arithmetic
 *          progression: consecutive PFNs with uniform flags, or the same zero-page
 *          entry), the others 0: four numbers;
 *   DENSE  512 entries in a block of a chunked pool of Float64Arrays, which grows
 *          by adding chunks (never copied); a block returns to the pool when its
 *          table's last non-zero entry is cleared.
 * A write that keeps a RUN a progression (extending it at either end, clearing it
 * from either end, rewriting a one-entry run) stays O(1); any other write turns the
 * table DENSE. An occupancy count per table (entries not 0) makes is_empty() O(1);
 * the bulk calls of the batch paths use it: write() into an EMPTY or RUN table
 * fills a fresh block at once (write_fresh), and a fill() clearing most of a
 * dense table counts only the entries that stay (a whole-table clear is O(1)).
 * Metadata lives in chunked typed arrays (no per-table JS object or string); the
 * split locks are created on first use (ptl_of), dropped when the table is freed.
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
  private meta: Float64Array[] = [];
  /** Per-plugin private ptdesc words, `nr_private` per slot (e.g. pt_refcount), chunked as meta. */
  private priv: Float64Array[] = [];
  private pool: Float64Array[] = [];
  private locks: (SpinLock | null)[][] = [];
  private slot_dir: (Int32Array | undefined)[] = [];
  /** Free slots: a LIFO list threaded through F_NEXT (-1: empty), then never-used slots from next_slot. */
  private free_slot = -1;
  private next_slot = 0;
  /** Free dense blocks: a LIFO list threaded through each block's entry 0 (0: empty), then new ones. */
  private free_block = 0;
  private next_block = 1;
  private nr = 0;
  private nr_dense = 0;
  /**
   * Walker references by slot (pgtable/pt_users.ts; the "rcu-refcount" option of
   * RCU-freed upper levels): rare, so a map, not a per-table word.
   */
  private users = new Map<number, number>();

  constructor(
    private readonly frames: PageFrames,
    readonly nr_private = 2,
  ) {
  }

  /** The entry at pointer `p` (`*ptep`): no sanitizer, no preemption point (pgtable/ops.ts adds those). */
  get(p: number): number {
    const s = Math.floor(p / 512);
    const m = this.meta[s >>> SLOT_SHIFT];
    const o = (s & SLOT_MASK) * W;
    const d = m[o];
    if (d > 0) return this.pool[d >>> POOL_SHIFT][((d & POOL_MASK) << 9) + p - s * 512];
    return d === EMPTY ? 0 : this.get_slow(m, o, p - s * 512);
  }

  /** get() of a RUN or a freed table. */
  private get_slow(m: Float64Array, o: number, i: number): number {
    if (m[o] === RUN) {
      const k = i - m[o + F_START];
      return k >= 0 && k < m[o + F_N] ? m[o + F_FIRST] + k * m[o + F_STEP] : 0;
    }
    return PAGE_POISON_ENTRY;
  }

  /** Store `v` at pointer `p`. */
  set(p: number, v: number): void {
    const s = Math.floor(p / 512);
    const m = this.meta[s >>> SLOT_SHIFT];
    const o = (s & SLOT_MASK) * W;
    const d = m[o];
    if (d > 0) {
      const b = this.pool[d >>> POOL_SHIFT];
      const q = ((d & POOL_MASK) << 9) + p - s * 512;
      const old = b[q];
      b[q] = v;
      if ((old === 0) !== (v === 0)) this.occupancy(m, o, v === 0 ? -1 : 1);
      return;
    }
    this.set_slow(m, o, s, p - s * 512, v);
  }

  /** A DENSE table gained or lost a non-zero entry; at none left, its block goes back to the pool. */
  private occupancy(m: Float64Array, o: number, delta: number): void {
    this.set_occupancy(m, o, m[o + F_OCC] + delta);
  }

  /** set() on a table that is not DENSE: keep it EMPTY or a RUN where the write allows, else make it DENSE. */
  private set_slow(m: Float64Array, o: number, s: number, i: number, v: number): void {
    const form = m[o];
    if (form === EMPTY) {
      if (v === 0) return;
      m[o] = RUN;
      m[o + F_FIRST] = v;
      m[o + F_STEP] = 0;
      m[o + F_START] = i;
      m[o + F_N] = 1;
      m[o + F_OCC] = 1;
      return;
    }
    if (form === RUN) {
      const start = m[o + F_START];
      const n = m[o + F_N];
      const first = m[o + F_FIRST];
      const step = m[o + F_STEP];
      const k = i - start;
      if (k >= 0 && k < n) {
        if (v === first + k * step) return;
        if (v === 0 && (k === 0 || k === n - 1)) {
          if (n === 1) {
            m[o] = EMPTY;
            m[o + F_OCC] = 0;
            return;
          }
          if (k === 0) {
            m[o + F_START] = start + 1;
            m[o + F_FIRST] = first + step;
          }
          m[o + F_N] = n - 1;
          m[o + F_OCC] = n - 1;
          return;
        }
        if (n === 1 && v !== 0) {
          m[o + F_FIRST] = v;
          return;
        }
      } else {
        if (v === 0) return;
        if (this.run_extends(first, step, n, k, v)) {
          if (n === 1) m[o + F_STEP] = k === 1 ? v - first : first - v;
          if (k === -1) {
            m[o + F_START] = i;
            m[o + F_FIRST] = v;
          }
          m[o + F_N] = n + 1;
          m[o + F_OCC] = n + 1;
          return;
        }
      }
    }
    this.densify(m, o);
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

  /** Give the table at (m, o) a dense block holding its current entries. */
  private densify(m: Float64Array, o: number): void {
    const form = m[o];
    const d = this.get_block();
    const b = this.pool[d >>> POOL_SHIFT];
    const q = (d & POOL_MASK) << 9;
    if (form === FREED) {
      b.fill(PAGE_POISON_ENTRY, q, q + 512);
      m[o + F_OCC] = 512;
    } else {
      b.fill(0, q, q + 512);
      if (form === RUN) {
        const start = m[o + F_START];
        const n = m[o + F_N];
        const first = m[o + F_FIRST];
        const step = m[o + F_STEP];
        for (let k = 0; k < n; k++) b[q + start + k] = first + k * step;
      }
    }
    m[o] = d;
  }

  private get_block(): number {
    this.nr_dense++;
    let d = this.free_block;
    if (d !== 0) {
      this.free_block = this.pool[d >>> POOL_SHIFT][(d & POOL_MASK) << 9];
      return d;
    }
    d = this.next_block++;
    if (d >>> POOL_SHIFT >= this.pool.length) this.pool.push(new Float64Array(512 << POOL_SHIFT));
    return d;
  }

  private put_block(d: number): void {
    this.nr_dense--;
    this.pool[d >>> POOL_SHIFT][(d & POOL_MASK) << 9] = this.free_block;
    this.free_block = d;
  }

  /**
   * Store `v` in the `n` entries from pointer `p` on (all in one table). Clearing
   * a RUN's whole extent, or a prefix or suffix of it, is O(1).
   */
  fill(p: number, n: number, v: number): void {
    if (n <= 0) return;
    const s = Math.floor(p / 512);
    const m = this.meta[s >>> SLOT_SHIFT];
    const o = (s & SLOT_MASK) * W;
    const i = p - s * 512;
    const form = m[o];
    if (v === 0 && form === EMPTY) return;
    if (v === 0 && form === RUN) {
      const start = m[o + F_START];
      const end = start + m[o + F_N];
      const lo = Math.max(i, start);
      const hi = Math.min(i + n, end);
      if (lo >= hi) return;
      if (lo === start && hi === end) {
        m[o] = EMPTY;
        m[o + F_OCC] = 0;
        return;
      }
      if (lo === start || hi === end) {
        if (lo === start) {
          m[o + F_FIRST] += (hi - start) * m[o + F_STEP];
          m[o + F_START] = hi;
        }
        m[o + F_N] = end - start - (hi - lo);
        m[o + F_OCC] = m[o + F_N];
        return;
      }
    }
    if (!(m[o] > 0)) this.densify(m, o);
    const d = m[o];
    const b = this.pool[d >>> POOL_SHIFT];
    const q0 = (d & POOL_MASK) << 9;
    if (v === 0) {
      // Clearing: count what stays (the smaller side); at none left the block just goes back.
      const occ = this.occupancy_after_clear(b, q0, i, n, m[o + F_OCC]);
      if (occ !== 0) b.fill(0, q0 + i, q0 + i + n);
      this.set_occupancy(m, o, occ);
      return;
    }
    const q = q0 + i;
    let occ = m[o + F_OCC];
    for (let k = 0; k < n; k++) if (b[q + k] !== 0) occ--;
    b.fill(v, q, q + n);
    if (v !== 0) occ += n;
    this.set_occupancy(m, o, occ);
  }

  /**
   * The occupancy of dense block `q0` (now `occ`) once entries [i, i + n) are 0:
   * counts the non-zero entries of the range, or of the rest when that is shorter.
   */
  protected occupancy_after_clear(b: Float64Array, q0: number, i: number, n: number, occ: number): number {
    if (n <= 256) {
      for (let k = q0 + i, e = q0 + i + n; k < e; k++) if (b[k] !== 0) occ--;
      return occ;
    }
    let left = 0;
    for (let k = q0, e = q0 + i; k < e; k++) if (b[k] !== 0) left++;
    for (let k = q0 + i + n, e = q0 + 512; k < e; k++) if (b[k] !== 0) left++;
    return left;
  }

  /** A DENSE table's occupancy is now `occ`; at 0 its block goes back to the pool. */
  private set_occupancy(m: Float64Array, o: number, occ: number): void {
    m[o + F_OCC] = occ;
    if (occ === 0) {
      this.put_block(m[o]);
      m[o] = EMPTY;
    }
  }

  /** Copy the `n` entries from pointer `p` on (all in one table) into out[at .. at + n). */
  read(p: number, n: number, out: Float64Array, at = 0): void {
    const s = Math.floor(p / 512);
    const m = this.meta[s >>> SLOT_SHIFT];
    const o = (s & SLOT_MASK) * W;
    const i = p - s * 512;
    const d = m[o];
    if (d > 0) {
      const b = this.pool[d >>> POOL_SHIFT];
      const q = ((d & POOL_MASK) << 9) + i;
      if (n >= 32) out.set(b.subarray(q, q + n), at);
      else for (let k = 0; k < n; k++) out[at + k] = b[q + k];
    } else if (d === EMPTY) out.fill(0, at, at + n);
    else if (d === RUN) {
      // Zeros, then the part of the run [start, start + rn) inside [i, i + n).
      out.fill(0, at, at + n);
      const start = m[o + F_START];
      const first = m[o + F_FIRST];
      const step = m[o + F_STEP];
      const hi = Math.min(i + n, start + m[o + F_N]);
      for (let j = Math.max(i, start); j < hi; j++) out[at + j - i] = first + (j - start) * step;
    } else out.fill(PAGE_POISON_ENTRY, at, at + n);
  }

  /**
   * Store vals[from + k] at pointer p + k * stride, for k < n (all in one table),
   * as n set()s in order would. Values that start or extend a RUN (stride 1, a
   * progression of positive safe integers) take O(1) writes.
   */
  write(p: number, stride: number, vals: Float64Array, from: number, n: number): void {
    if (n <= 0) return;
    const s = Math.floor(p / 512);
    const m = this.meta[s >>> SLOT_SHIFT];
    const o = (s & SLOT_MASK) * W;
    const i = p - s * 512;
    const form = m[o];
    if (stride === 1 && (form === EMPTY || form === RUN)) {
      const first = vals[from];
      const last = vals[from + n - 1];
      const step = n > 1 ? vals[from + 1] - first : 0;
      let ok = first > 0 && last > 0 && Number.isSafeInteger(first) && Number.isSafeInteger(last);
      for (let k = 2; ok && k < n; k++) ok = vals[from + k] === first + k * step;
      if (ok && form === EMPTY) {
        m[o] = RUN;
        m[o + F_FIRST] = first;
        m[o + F_STEP] = step;
        m[o + F_START] = i;
        m[o + F_N] = n;
        m[o + F_OCC] = n;
        return;
      }
      if (ok) {
        const rn = m[o + F_N];
        const rfirst = m[o + F_FIRST];
        const rstep = rn > 1 ? m[o + F_STEP] : first - rfirst;
        if (i === m[o + F_START] + rn && first === rfirst + rn * rstep && (n === 1 || step === rstep) && this.run_extends(rfirst, rstep, rn, rn, first)) {
          m[o + F_STEP] = rstep;
          m[o + F_N] = rn + n;
          m[o + F_OCC] = rn + n;
          return;
        }
      }
    }
    if ((form === EMPTY || form === RUN) && stride === 1) {
      this.write_fresh(m, o, i, vals, from, n);
      return;
    }
    if (!(form > 0)) this.densify(m, o);
    const d = m[o];
    const b = this.pool[d >>> POOL_SHIFT];
    const q = ((d & POOL_MASK) << 9) + i;
    let occ = m[o + F_OCC];
    for (let k = 0; k < n; k++) {
      const v = vals[from + k];
      const at = q + k * stride;
      if (b[at] !== 0) occ--;
      if (v !== 0) occ++;
      b[at] = v;
    }
    this.set_occupancy(m, o, occ);
  }

  /**
   * write() of vals[from .. from + n) to entries [i, i + n) of an EMPTY or RUN
   * table that does not stay a RUN: straight into a fresh block (zeroed around
   * the range, the run's entries put back), occupancy counted once: the run's
   * entries (all non-zero) outside the range plus the new non-zero values. At
   * none non-zero the table ends EMPTY, as n set()s would leave it.
   */
  protected write_fresh(m: Float64Array, o: number, i: number, vals: Float64Array, from: number, n: number): void {
    let occ = 0;
    for (let k = 0; k < n; k++) if (vals[from + k] !== 0) occ++;
    const run = m[o] === RUN;
    if (!run && occ === 0) return;
    const d = this.get_block();
    const b = this.pool[d >>> POOL_SHIFT];
    const q = (d & POOL_MASK) << 9;
    this.zero_around(b, q, i, n);
    if (run) {
      const start = m[o + F_START];
      const rn = m[o + F_N];
      const first = m[o + F_FIRST];
      const step = m[o + F_STEP];
      for (let k = 0; k < rn; k++) {
        const j = start + k;
        if (j < i || j >= i + n) {
          b[q + j] = first + k * step;
          occ++;
        }
      }
    }
    b.set(vals.subarray(from, from + n), q + i);
    m[o] = d;
    this.set_occupancy(m, o, occ);
  }

  /** Zero a fresh block `q` (a reused one holds stale entries) outside [i, i + n). */
  protected zero_around(b: Float64Array, q: number, i: number, n: number): void {
    b.fill(0, q, q + i);
    b.fill(0, q + i + n, q + 512);
  }

  /** How many entries of table `pfn` are not 0 (the occupancy count). */
  nr_used(pfn: number): number {
    const s = this.slot(pfn);
    return this.meta[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W + F_OCC];
  }

  /** Are all 512 entries of table `pfn` 0? (Every such entry is pte_none and pxd_none.) */
  is_empty(pfn: number): boolean {
    return this.nr_used(pfn) === 0;
  }

  /** Slot of `pfn`, or -1 when it holds no table (the hardware walker's check, no throw). */
  lookup(pfn: number): number {
    const hi = Math.floor(pfn / PFN_CHUNK);
    const c = this.slot_dir[hi];
    return c === undefined ? -1 : c[pfn - hi * PFN_CHUNK];
  }

  private map_pfn(pfn: number, slot: number): void {
    const hi = Math.floor(pfn / PFN_CHUNK);
    let c = this.slot_dir[hi];
    if (c === undefined) {
      while (this.slot_dir.length < hi) this.slot_dir.push(undefined);
      c = new Int32Array(PFN_CHUNK).fill(-1);
      this.slot_dir[hi] = c;
    }
    c[pfn - hi * PFN_CHUNK] = slot;
  }

  private field(pfn: number, f: number): number {
    const s = this.slot(pfn);
    return this.meta[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W + f];
  }

  /** The upper-level entry that last linked table `pfn` in (-1: none, or a deposit). */
  parent_of(pfn: number): number {
    return this.field(pfn, F_PARENT);
  }

  set_parent(pfn: number, p: number): void {
    const s = this.slot(pfn);
    this.meta[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W + F_PARENT] = p;
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
    const s = Math.floor(p / 512);
    const l = this.locks[s >>> SLOT_SHIFT][s & SLOT_MASK];
    return l !== null ? l : this.ptl_of(this.table_of(p));
  }

  /** Allocate a zeroed table page of `level` for mm `owner`; returns its PFN. */
  alloc(level: number, owner: number): number {
    const pfn = this.frames.alloc(0, PG_PGTABLE);
    this.frames.owner[pfn] = owner;
    let slot = this.free_slot;
    if (slot >= 0) this.free_slot = this.meta[slot >>> SLOT_SHIFT][(slot & SLOT_MASK) * W + F_NEXT];
    else {
      if (this.next_slot >= MAX_TABLES) throw new PageTableStoreFull();
      slot = this.next_slot++;
      if (slot >>> SLOT_SHIFT >= this.meta.length) {
        this.meta.push(new Float64Array((1 << SLOT_SHIFT) * W));
        this.priv.push(new Float64Array((1 << SLOT_SHIFT) * nr_private_words(this.nr_private)));
        this.locks.push(new Array<SpinLock | null>(1 << SLOT_SHIFT).fill(null));
      }
    }
    this.map_pfn(pfn, slot);
    const m = this.meta[slot >>> SLOT_SHIFT];
    const o = (slot & SLOT_MASK) * W;
    if (m[o] > 0) this.put_block(m[o]);
    m[o] = EMPTY;
    m[o + F_OCC] = 0;
    m[o + F_PFN] = pfn;
    m[o + F_LEVEL] = level;
    m[o + F_PARENT] = -1;
    const np = this.nr_private;
    this.priv[slot >>> SLOT_SHIFT].fill(0, (slot & SLOT_MASK) * np, ((slot & SLOT_MASK) + 1) * np);
    this.locks[slot >>> SLOT_SHIFT][slot & SLOT_MASK] = null;
    if (this.users.size !== 0) this.users.delete(slot);
    this.nr++;
    return pfn;
  }

  /** Free a table page: poison its entries and the frame. */
  free(pfn: number): void {
    const slot = this.slot(pfn);
    const m = this.meta[slot >>> SLOT_SHIFT];
    const o = (slot & SLOT_MASK) * W;
    if (m[o] > 0) this.put_block(m[o]);
    m[o] = FREED;
    m[o + F_OCC] = 0;
    this.map_pfn(pfn, -1);
    m[o + F_PFN] = 0;
    m[o + F_LEVEL] = 0;
    this.locks[slot >>> SLOT_SHIFT][slot & SLOT_MASK] = null;
    if (!this.quarantine) {
      m[o + F_NEXT] = this.free_slot;
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
    return this.slot(pfn) * 512 + i;
  }

  /** The PFN of the table that contains entry pointer `p` (0: a freed slot). */
  table_of(p: number): number {
    const s = Math.floor(p / 512);
    return this.meta[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W + F_PFN];
  }

  level_of(pfn: number): number {
    return this.field(pfn, F_LEVEL);
  }

  /** The split lock of a PTE or PMD table (ptlock_ptr / pmd_ptlock), created on first use. */
  ptl_of(pfn: number): SpinLock {
    const s = this.slot(pfn);
    const c = this.locks[s >>> SLOT_SHIFT];
    const l = c[s & SLOT_MASK];
    if (l !== null) return l;
    const level = this.meta[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W + F_LEVEL];
    const n = level <= PMD_LEVEL ? new SpinLock(`${LEVEL_NAME[level]}_ptl@${pfn}`, level === PTE_LEVEL ? "ptl" : "pmd_lock") : null;
    c[s & SLOT_MASK] = n;
    return n!;
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
      const m = this.meta[s >>> SLOT_SHIFT];
      const o = (s & SLOT_MASK) * W;
      buf[0] = s;
      buf[1] = m[o + F_PFN];
      buf[2] = m[o + F_LEVEL];
      buf[3] = m[o + F_PARENT];
      const pv = this.priv[s >>> SLOT_SHIFT];
      for (let j = 0; j < np; j++) buf[4 + j] = pv[(s & SLOT_MASK) * np + j];
      this.read(s * 512, 512, buf, 4 + np);
      update(bytes);
    }
    const tail: number[] = [];
    for (let s = this.free_slot; s >= 0; s = this.meta[s >>> SLOT_SHIFT][(s & SLOT_MASK) * W + F_NEXT]) tail.push(s);
    tail.push(-1, this.next_slot, this.quarantine ? 1 : 0, this.nr);
    update(new Uint8Array(new Float64Array(tail).buffer));
  }

  /** Iterate live table PFNs with their level. */
  *tables(): Generator<{ pfn: number; level: number }> {
    for (let s = 0; s < this.next_slot; s++) {
      const m = this.meta[s >>> SLOT_SHIFT];
      const o = (s & SLOT_MASK) * W;
      if (m[o + F_PFN]) yield { pfn: m[o + F_PFN], level: m[o + F_LEVEL] };
    }
  }

  /* Bulk range operations (issue #10 §1, the batch paths). */

  /**
   * Store first + k * step at pointer p + k, for k < n (all in one table), as n
   * set()s in order would, in O(1): only where that leaves a RUN (an EMPTY table,
   * or one whose RUN the values continue at its end; positive safe integers).
   * Returns false, having stored nothing, elsewhere (the caller writes them with write()).
   */
  write_run(p: number, n: number, first: number, step: number): boolean {
    if (n <= 0) return true;
    const s = Math.floor(p / 512);
    const m = this.meta[s >>> SLOT_SHIFT];
    const o = (s & SLOT_MASK) * W;
    const i = p - s * 512;
    const form = m[o];
    if (n === 1) step = 0;
    const last = first + (n - 1) * step;
    if (!(first > 0 && last > 0 && Number.isSafeInteger(first) && Number.isSafeInteger(last) && Number.isSafeInteger(step))) return false;
    if (form === EMPTY) {
      m[o] = RUN;
      m[o + F_FIRST] = first;
      m[o + F_STEP] = step;
      m[o + F_START] = i;
      m[o + F_N] = n;
      m[o + F_OCC] = n;
      return true;
    }
    if (form !== RUN) return false;
    const rn = m[o + F_N];
    const rfirst = m[o + F_FIRST];
    const rstep = rn > 1 ? m[o + F_STEP] : first - rfirst;
    if (i === m[o + F_START] + rn && first === rfirst + rn * rstep && (n === 1 || step === rstep) && this.run_extends(rfirst, rstep, rn, rn, first)) {
      m[o + F_STEP] = rstep;
      m[o + F_N] = rn + n;
      m[o + F_OCC] = rn + n;
      return true;
    }
    return false;
  }

  /**
   * How many of the `n` entries from pointer `p` on (all in one table) are 0, counting
   * from p up to the first that is not: O(1) on an EMPTY or RUN table.
   */
  zeros_at(p: number, n: number): number {
    const s = Math.floor(p / 512);
    const m = this.meta[s >>> SLOT_SHIFT];
    const o = (s & SLOT_MASK) * W;
    const i = p - s * 512;
    const d = m[o];
    if (d === EMPTY) return n;
    if (d === RUN) {
      const start = m[o + F_START];
      if (i >= start + m[o + F_N]) return n;
      return i < start ? Math.min(n, start - i) : 0;
    }
    if (d === FREED) return 0;
    const b = this.pool[d >>> POOL_SHIFT];
    const q = ((d & POOL_MASK) << 9) + i;
    let k = 0;
    while (k < n && b[q + k] === 0) k++;
    return k;
  }

  /**
   * When the entries from pointer `p` on lie in a RUN table's run: how many of them
   * (at most `n`) do, with out.first the entry at p and out.step the run's step
   * (entry p + k is out.first + k * out.step). 0 elsewhere (not a RUN table, or p
   * outside its run): O(1).
   */
  run_at(p: number, n: number, out: { first: number; step: number }): number {
    const s = Math.floor(p / 512);
    const m = this.meta[s >>> SLOT_SHIFT];
    const o = (s & SLOT_MASK) * W;
    if (m[o] !== RUN) return 0;
    const k = p - s * 512 - m[o + F_START];
    const rn = m[o + F_N];
    if (k < 0 || k >= rn) return 0;
    out.step = rn > 1 ? m[o + F_STEP] : 0;
    out.first = m[o + F_FIRST] + k * out.step;
    return Math.min(n, rn - k);
  }
}

/** Words per slot of the private chunks (at least one, so that a chunk is never zero-length). */
function nr_private_words(n: number): number {
  return Math.max(1, n);
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

/**
 * Physical memory: page frames and their descriptors (struct page / struct ptdesc
 * fields that the model needs), held in typed arrays indexed by PFN.
 *
 * Frames are handed out from free lists (order 0 and order 9 for THP; stacks of
 * runs in typed arrays, free_runs.ts); freed frames are poisoned: their type
 * becomes PG_FREE, their generation is bumped and, for page-table frames, their
 * entries are overwritten (pgtable/store.ts), so a later access through a stale
 * pointer is detectable.
 *
 * The descriptor arrays double while they are small; past RESERVE_AT frames they
 * are replaced once by arrays of the largest capacity the host allows
 * (HOST_MAX_FRAMES, or max_pfn), which the host OS commits only as pages of them
 * are written: no further copy and no 2x peak, host memory in proportion to the
 * frames ever used (issue #10 §1). A host that refuses the reservation gets
 * doubling instead.
 */
import { MmsimError } from "@mmsim/spec";
import type * as types from "../types/mm_types.js";
import { FreeRuns } from "./free_runs.js";
export const PG_FREE = 0;
export const PG_ANON = 1;
export const PG_PGTABLE = 2;
export const PG_ZERO = 3;
export const PG_SHMEM = 4;
export const PG_RESERVED = 5;
/** A tail page of a compound (THP) folio. */
export const PG_TAIL = 6;

/** Page flags (a subset of enum pageflags). */
export const PF_DIRTY = 1;
/** !PG_swapbacked: an anon folio lazily freed by MADV_FREE. */
export const PF_LAZYFREE = 2;
export const PF_HEAD = 4;
export const PF_REFERENCED = 8;

export const HPAGE_PMD_ORDER = 9;
export const HPAGE_PMD_NR = 512;

export class OutOfMemory extends MmsimError {
  constructor(message: string) {
    super("out-of-memory", message);
  }
}

/** Frames the descriptor arrays double up to; past it they are reserved at their largest. */
export const RESERVE_AT = 1 << 22;
/**
 * The most frames flat descriptor arrays can describe on this host: a typed array
 * holds at most 2^32 bytes on Node 20 (the Float64Array fields: 2^29 elements).
 * Model limit: a PFN at or past it is an OutOfMemory (simulated memory of 2 TiB).
 */
export const HOST_MAX_FRAMES = 2 ** 29;
/**
 * Descriptor bytes per frame: type, flags (1 each), gen, owner (2 each, until a
 * value needs 4: see below), refcount, mapcount (4 each), data, index (8 each).
 */
export const BYTES_PER_FRAME = 30;

export class PageFrames implements types.PageFrames {
  type = new Uint8Array(0);
  flags = new Uint8Array(0);
  refcount = new Int32Array(0);
  mapcount = new Int32Array(0);
  /**
   * Times this frame was freed: a stale reference carries an older generation.
   * 16 bits until some frame is freed the 65,535th time, then 32 (widen_gen(); a
   * 32-bit generation wraps after 2^32 frees of one frame, as it always did).
   */
  gen: Uint16Array | Uint32Array = new Uint16Array(0);
  /** User-data oracle: the value last written to the page (0 = zero-filled). */
  data = new Float64Array(0);
  /**
   * Owner mm id of a page-table page (ptdesc->pt_mm) or of an anon page: 16 bits
   * until an mm id past 65,535 appears (owner_fits(), from PtStore.alloc() of the
   * mm's PGD, before any page of it), then 32.
   */
  owner: Uint16Array | Int32Array = new Uint16Array(0);
  /**
   * Virtual address an anon page is mapped at (single-mm rmap for MADV_FREE
   * reclaim); for a page-table page, its slot in the table store (PtStore.lookup()).
   */
  index = new Float64Array(0);

  private cap = 0;
  /** Frames ever used (PFN 0 is never handed out). */
  private top = 1;
  private readonly free0 = new FreeRuns(1);
  private readonly free9 = new FreeRuns(HPAGE_PMD_NR);
  nr_free = 0;
  nr_used = 0;
  /** PFN of the shared zero page, and of the huge zero folio's head. */
  readonly zero_pfn: number;
  readonly huge_zero_pfn: number;

  constructor(readonly max_pfn = 2 ** 31 - 1) {
    // Small to start: the explorer builds a kernel per execution, and a scenario uses a few hundred frames.
    this.resize(1 << 10);
    this.zero_pfn = this.alloc(0, PG_ZERO);
    this.refcount[this.zero_pfn] = 1 << 30;
    this.huge_zero_pfn = this.alloc(HPAGE_PMD_ORDER, PG_ZERO);
    this.refcount[this.huge_zero_pfn] = 1 << 30;
  }

  private grow(min: number): void {
    if (min <= this.cap) return;
    const limit = Math.min(this.max_pfn + 1, HOST_MAX_FRAMES);
    if (min > limit) throw new OutOfMemory(`out of simulated memory: pfn ${min - 1} is past the ${limit} frames this host's descriptor arrays can hold`);
    let cap = this.cap || 1024;
    while (cap < min) cap *= 2;
    if (cap > RESERVE_AT) {
      // Reserve the largest capacity once (the OS commits it as it is written); doubling if the host refuses.
      try {
        this.resize(limit);
        return;
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
      }
    }
    this.resize(Math.min(cap, limit));
  }

  private resize(cap: number): void {
    const g = <T extends { length: number; set(a: ArrayLike<number>): void }>(old: T, mk: new (n: number) => T): T => {
      const n = new mk(cap);
      n.set(old as unknown as ArrayLike<number>);
      return n;
    };
    // Every array first, then the fields (a refused reservation leaves the old ones).
    const type = g(this.type, Uint8Array);
    const flags = g(this.flags, Uint8Array);
    const refcount = g(this.refcount, Int32Array);
    const mapcount = g(this.mapcount, Int32Array);
    const gen = this.gen instanceof Uint16Array ? g(this.gen, Uint16Array) : g(this.gen, Uint32Array);
    const data = g(this.data, Float64Array);
    const owner = this.owner instanceof Uint16Array ? g(this.owner, Uint16Array) : g(this.owner, Int32Array);
    const index = g(this.index, Float64Array);
    this.type = type;
    this.flags = flags;
    this.refcount = refcount;
    this.mapcount = mapcount;
    this.gen = gen;
    this.data = data;
    this.owner = owner;
    this.index = index;
    this.cap = cap;
  }

  /** Make room for mm id `id` in `owner` (16 bits wide until an id needs more). */
  owner_fits(id: number): void {
    if (id > 0xffff && this.owner instanceof Uint16Array) this.owner = this.widened(this.owner, Int32Array);
  }

  /** `old`'s elements in a new array of `mk` of the same capacity (reserved capacity stays reserved: untouched pages are not committed). */
  protected widened<T extends Int32Array | Uint32Array>(old: ArrayLike<number>, mk: new (n: number) => T): T {
    const n = new mk(this.cap);
    // Only the frames ever used hold anything: copy those (the rest stays zero, and uncommitted).
    for (let i = 0; i < this.top; i++) n[i] = old[i];
    return n;
  }

  /** Frames never used before, from `top` (kept out of alloc(): the hot path pops a free list). */
  private alloc_top(order: 0 | 9): number {
    const n = 1 << order;
    let base = this.top;
    if (order) base = Math.ceil(base / n) * n;
    if (base + n > this.max_pfn) throw new OutOfMemory(`out of simulated memory (max_pfn ${this.max_pfn})`);
    if (base + n > this.cap) this.grow(base + n);
    // Frames skipped to align a THP go to the order-0 free list (pushed in ascending order).
    this.free0.push_ascending(this.top, base - this.top);
    this.nr_free += base - this.top;
    this.top = base + n;
    return base;
  }

  /** Allocate 2^order frames of `type`; returns the head PFN. */
  alloc(order: 0 | 9, type: number): number {
    let pfn = order === 0 ? this.free0.pop() : this.free9.pop();
    const n = 1 << order;
    if (pfn < 0) pfn = this.alloc_top(order);
    else this.nr_free -= n;
    this.nr_used += n;
    this.type[pfn] = type;
    this.flags[pfn] = order ? PF_HEAD : 0;
    this.refcount[pfn] = 1;
    this.mapcount[pfn] = 0;
    this.data[pfn] = 0;
    this.owner[pfn] = 0;
    for (let i = 1; i < n; i++) {
      this.type[pfn + i] = PG_TAIL;
      this.flags[pfn + i] = 0;
      this.mapcount[pfn + i] = 0;
      this.data[pfn + i] = 0;
    }
    return pfn;
  }

  /** Free a frame (or a THP folio by its head); poisons the descriptors. */
  free(pfn: number, order: 0 | 9): void {
    const t = this.type[pfn];
    if (t === PG_FREE) throw new Error(`double free of pfn ${pfn}`);
    if (t === PG_ZERO || t === PG_TAIL) throw new Error(`freeing pfn ${pfn} of type ${t}`);
    const n = 1 << order;
    for (let i = 0; i < n; i++) {
      this.type[pfn + i] = PG_FREE;
      if (this.gen[pfn + i] === 0xffff && this.gen instanceof Uint16Array) this.gen = this.widened(this.gen, Uint32Array);
      this.gen[pfn + i]++;
      this.refcount[pfn + i] = 0;
      this.mapcount[pfn + i] = 0;
      this.flags[pfn + i] = 0;
    }
    if (order) this.free9.push(pfn);
    else this.free0.push(pfn);
    this.nr_free += n;
    this.nr_used -= n;
  }

  /**
   * Host bytes the descriptors of the frames ever used take (committed: the
   * arrays past them are reserved, not written), plus the free lists' run tables.
   */
  host_bytes(): number {
    const per = BYTES_PER_FRAME + (this.gen instanceof Uint16Array ? 0 : 2) + (this.owner instanceof Uint16Array ? 0 : 2);
    return this.top * per + this.free0.host_bytes() + this.free9.host_bytes();
  }

  is_free(pfn: number): boolean {
    return this.type[pfn] === PG_FREE;
  }
  /* Bulk range operations (issue #10 §1, the batch paths): each equals a sequence of alloc()/free() calls. */

  /**
   * Allocate up to `max` order-0 frames of `type` at once, as that many alloc(0, type)
   * calls would hand them out, as long as they are one arithmetic run: the top run
   * of the order-0 free list (or part of it; a run of any difference), else
   * never-used frames from the top. Returns the first PFN; out.n frames were
   * allocated (>= 1), at first, first + out.step, ... (out.step: +1 or -1 for runs
   * of neighbouring frames, any non-zero int32 for others, e.g. every other frame).
   * Descriptors as alloc() leaves them; with `anon_owner` (>= 0), as an anon
   * fault then leaves them (owner, mapcount 1, PG_dirty) except `data` and
   * `index`, which the caller sets for every frame (one pass over the
   * descriptors, not two: the fault batch's fault_run()).
   */
  alloc_run(max: number, type: number, out: { n: number; step: number }, anon_owner = -1): number {
    let first = this.free0.peek();
    let n: number;
    let step: number;
    if (first >= 0) {
      step = this.free0.pop_diff() || 1;
      n = this.free0.pop_run(max);
      this.nr_free -= n;
    } else {
      // alloc_top(0) n times: consecutive new frames; as many as the limits let alloc() hand out.
      first = this.top;
      n = Math.min(max, this.max_pfn - first, Math.min(this.max_pfn + 1, HOST_MAX_FRAMES) - first);
      if (n <= 0) {
        out.n = 1;
        out.step = 1;
        return this.alloc(0, type); // throws OutOfMemory as alloc() does
      }
      if (first + n > this.cap) this.grow(first + n);
      this.top = first + n;
      step = 1;
    }
    this.nr_used += n;
    if (anon_owner >= 0) {
      this.alloc_run_anon(first, n, step, type, anon_owner);
    } else if (step === 1 || step === -1 || n === 1) {
      const lo = step > 0 ? first : first - n + 1;
      const hi = lo + n;
      this.type.fill(type, lo, hi);
      this.flags.fill(0, lo, hi);
      this.refcount.fill(1, lo, hi);
      this.mapcount.fill(0, lo, hi);
      this.data.fill(0, lo, hi);
      this.owner.fill(0, lo, hi);
    } else {
      // Frames `step` apart (the ones in between are not this run's): one loop.
      const t = this.type;
      const fl = this.flags;
      const rc = this.refcount;
      const mc = this.mapcount;
      const da = this.data;
      const ow = this.owner;
      for (let i = 0, q = first; i < n; i++, q += step) {
        t[q] = type;
        fl[q] = 0;
        rc[q] = 1;
        mc[q] = 0;
        da[q] = 0;
        ow[q] = 0;
      }
    }
    out.n = n;
    out.step = step;
    return first;
  }

  /** alloc_run()'s descriptors for an anon fault's frames (all but data and index). */
  private alloc_run_anon(first: number, n: number, step: number, type: number, owner: number): void {
    if (step === 1 || step === -1 || n === 1) {
      const lo = step > 0 ? first : first - n + 1;
      const hi = lo + n;
      this.type.fill(type, lo, hi);
      this.flags.fill(PF_DIRTY, lo, hi);
      this.refcount.fill(1, lo, hi);
      this.mapcount.fill(1, lo, hi);
      this.owner.fill(owner, lo, hi);
      return;
    }
    const t = this.type;
    const fl = this.flags;
    const rc = this.refcount;
    const mc = this.mapcount;
    const ow = this.owner;
    for (let i = 0, q = first; i < n; i++, q += step) {
      t[q] = type;
      fl[q] = PF_DIRTY;
      rc[q] = 1;
      mc[q] = 1;
      ow[q] = owner;
    }
  }

  /**
   * free(first + i * step, 0) for i < n, in that order (step any non-zero int32:
   * +1 or -1, or +-2 for every other frame, as a sparse workload's data pages
   * between its page tables): order-0 frames that are allocated, not the zero
   * page and not tail pages (on a frame that is not, the error free() raises is
   * thrown, the run half done: a model bug).
   */
  free_run(first: number, n: number, step: number): void {
    if (n <= 0) return;
    if (step !== 1 && step !== -1) {
      this.free_strided(first, n, step);
      return;
    }
    const lo = step > 0 ? first : first - n + 1;
    const hi = lo + n;
    const type = this.type;
    let gen = this.gen;
    if (hi <= 0x7fffffff) {
      // The same loop on int32 indexes (twice as fast as on doubles).
      for (let p = lo | 0, e = hi | 0; p < e; p++) {
        const t = type[p];
        if (t === PG_FREE || t === PG_ZERO || t === PG_TAIL) this.free(p, 0); // throws
        if (gen[p] === 0xffff && gen instanceof Uint16Array) gen = this.gen = this.widened(gen, Uint32Array); // as free() does
        gen[p] = gen[p] + 1;
      }
    } else {
      for (let p = lo; p < hi; p++) {
        const t = type[p];
        if (t === PG_FREE || t === PG_ZERO || t === PG_TAIL) this.free(p, 0); // throws
        if (gen[p] === 0xffff && gen instanceof Uint16Array) gen = this.gen = this.widened(gen, Uint32Array); // as free() does
        gen[p] = gen[p] + 1;
      }
    }
    type.fill(PG_FREE, lo, hi);
    this.refcount.fill(0, lo, hi);
    this.mapcount.fill(0, lo, hi);
    this.flags.fill(0, lo, hi);
    this.free0.push_run(first, n, step);
    this.nr_free += n;
    this.nr_used -= n;
  }

  /** free_run() of frames `step` apart (|step| > 1): the same descriptors and free-list order, frame by frame. */
  private free_strided(first: number, n: number, step: number): void {
    const type = this.type;
    const refcount = this.refcount;
    const mapcount = this.mapcount;
    const flags = this.flags;
    let gen = this.gen;
    for (let i = 0, p = first; i < n; i++, p += step) {
      const t = type[p];
      if (t === PG_FREE || t === PG_ZERO || t === PG_TAIL) this.free(p, 0); // throws
      if (gen[p] === 0xffff && gen instanceof Uint16Array) gen = this.gen = this.widened(gen, Uint32Array); // as free() does
      gen[p] = gen[p] + 1;
      type[p] = PG_FREE;
      refcount[p] = 0;
      mapcount[p] = 0;
      flags[p] = 0;
    }
    this.free0.push_run(first, n, step);
    this.nr_free += n;
    this.nr_used -= n;
  }
}

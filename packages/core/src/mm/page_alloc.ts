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
 * The descriptors are held in chunks of FRAME_CHUNK (2^22) frames (issue #10 §4:
 * no limit below 2^40 frames but max_pfn and host memory; a typed array holds
 * fewer than 2^33 elements on Node 20, so flat arrays could not). Each field has
 * a directory of chunks (`type_dir`, `flags_dir`, `refcount_dir`, `mapcount_dir`,
 * `gen_dir`, `data_dir`, `owner_dir`, `index_dir`); a chunk is allocated when
 * `top` reaches it and never copied (the first one doubles from 1,024 frames up
 * to FRAME_CHUNK, for the explorer's small kernels); the host OS commits a
 * chunk's pages as they are written, so host memory stays in proportion to the
 * frames ever used (issue #10 §1). Like SPARSEMEM's mem_section[] memmaps (2^15
 * pages a section on x86-64); the model's chunks are larger and hold its own
 * fields, not struct page.
 *
 * Access convention (every site outside this file):
 *   - one frame: the accessors, `frames.get_type(pfn)`, `frames.set_type(pfn, v)`,
 *     likewise flags, refcount, mapcount, data, owner, index (gen: get only), plus
 *     `add_refcount`/`add_mapcount(pfn, d)` (return the new count) and
 *     `set_flag_bits`/`clear_flag_bits(pfn, bits)`;
 *   - a run of frames in a hot loop: resolve the chunk once,
 *     `const c = frame_chunk(pfn), mc = frames.mapcount_dir[c]`, index it with
 *     `frame_off(q)` (or frame_off(pfn) + i * d), and split the run where it
 *     leaves the chunk: `frames_in_chunk(pfn, d, n)` frames of it are in pfn's
 *     chunk. alloc_run() never returns a run that crosses a chunk; free_run()
 *     splits its own. Re-read the directory after anything that may allocate or
 *     free (a chunk may be replaced: the first one grows, `gen`/`owner` widen).
 *   - frame_chunk()/frame_off() are valid for PFNs up to 2^53 (never `>>>` or
 *     `| 0` on a PFN: they wrap at 2^32 / 2^31).
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

/**
 * Frames per descriptor chunk (2^22: 4 M frames, 126 MB of descriptors at 30 bytes
 * a frame, 16 GiB of simulated memory). The first chunk doubles from 1,024 frames
 * up to it (the explorer builds a kernel per execution, which uses a few hundred
 * frames); every later chunk is allocated whole when `top` reaches it (the host
 * OS commits its pages as they are written) and never copied.
 */
export const FRAME_CHUNK = 2 ** 22;
/** The highest max_pfn: x86-64's PTE holds a 40-bit PFN (PTE_PFN_MASK, bits 12..51). */
export const MAX_PFN_LIMIT = 2 ** 40 - 1;
/**
 * The chunk PFN `pfn` is in (its index in the `*_dir` directories). Valid for any
 * PFN up to 2^53 (`>>>` would wrap at 2^32).
 */
export function frame_chunk(pfn: number): number {
  return (pfn / FRAME_CHUNK) | 0;
}
/**
 * PFN `pfn`'s offset in its chunk. Valid for any PFN up to 2^53: `&` takes the
 * PFN modulo 2^32 first, which keeps the low 22 bits.
 */
export function frame_off(pfn: number): number {
  return pfn & (FRAME_CHUNK - 1);
}
/**
 * Deliberately wrong run splits, for page_alloc_chunks.test.ts (each must be
 * caught): "chunk-overrun" lets a run go one frame past its chunk's end (or
 * start); "chunk-index-wrap" finds the chunk from the PFN modulo 2^32 (`>>>`).
 */
export type FrameChunkMutant = "chunk-overrun" | "chunk-index-wrap";
let chunk_mutant: FrameChunkMutant | null = null;
/** Set (or clear, null) the run-split mutant, for every PageFrames (tests only). */
export function set_frame_chunk_mutant(m: FrameChunkMutant | null): void {
  chunk_mutant = m;
}
/**
 * How many of the frames pfn, pfn + d, ..., (at most `max`, d any non-zero
 * integer) lie in pfn's chunk: a batch loop resolves the chunk once for them
 * (called once per run, not per frame).
 */
export function frames_in_chunk(pfn: number, d: number, max: number): number {
  const base = (chunk_mutant === "chunk-index-wrap" ? ((pfn >>> 0) / FRAME_CHUNK) | 0 : frame_chunk(pfn)) * FRAME_CHUNK;
  let room = d > 0 ? Math.floor((base + FRAME_CHUNK - 1 - pfn) / d) + 1 : Math.floor((pfn - base) / -d) + 1;
  if (chunk_mutant === "chunk-overrun") room++;
  return room < max ? room : max;
}
/**
 * Descriptor bytes per frame: type, flags (1 each), gen, owner (2 each, until a
 * value needs 4: see below), refcount, mapcount (4 each), data, index (8 each).
 */
export const BYTES_PER_FRAME = 30;

type Gen = Uint16Array | Uint32Array;
type Owner = Uint16Array | Int32Array;

export class PageFrames implements types.PageFrames {
  /*
   * The descriptor fields, one directory of chunks each: field X of frame `pfn` is
   * X_dir[frame_chunk(pfn)][frame_off(pfn)]. A directory is a JS array of typed
   * arrays, holey where no frame was ever handed out (skip_to()'s holes).
   */
  readonly type_dir: Uint8Array[] = [];
  readonly flags_dir: Uint8Array[] = [];
  readonly refcount_dir: Int32Array[] = [];
  readonly mapcount_dir: Int32Array[] = [];
  /**
   * Times this frame was freed: a stale reference carries an older generation.
   * 16 bits until some frame is freed the 65,535th time, then 32 (widen_gen(); a
   * 32-bit generation wraps after 2^32 frees of one frame, as it always did).
   */
  gen_dir: Gen[] = [];
  /** User-data oracle: the value last written to the page (0 = zero-filled). */
  readonly data_dir: Float64Array[] = [];
  /**
   * Owner mm id of a page-table page (ptdesc->pt_mm) or of an anon page: 16 bits
   * until an mm id past 65,535 appears (owner_fits(), from PtStore.alloc() of the
   * mm's PGD, before any page of it), then 32.
   */
  owner_dir: Owner[] = [];
  /**
   * Virtual address an anon page is mapped at (single-mm rmap for MADV_FREE
   * reclaim); for a page-table page, its slot in the table store (PtStore.lookup()).
   */
  readonly index_dir: Float64Array[] = [];

  /** Frames the allocated chunks describe, from PFN 0 up (holes included). */
  private cap = 0;
  /** Frames ever used (PFN 0 is never handed out). */
  private top = 1;
  /** Frames of skip_to()'s holes (never handed out, no descriptors). */
  private holes = 0;
  private readonly free0 = new FreeRuns(1);
  private readonly free9 = new FreeRuns(HPAGE_PMD_NR);
  nr_free = 0;
  nr_used = 0;
  /** PFN of the shared zero page, and of the huge zero folio's head. */
  readonly zero_pfn: number;
  readonly huge_zero_pfn: number;

  constructor(readonly max_pfn = 2 ** 31 - 1) {
    if (!Number.isInteger(max_pfn) || max_pfn < HPAGE_PMD_NR * 2 || max_pfn > MAX_PFN_LIMIT) {
      throw new MmsimError("config-error", `max_pfn must be an integer from ${HPAGE_PMD_NR * 2} to 2^40 - 1 (x86-64's 40-bit PFN), got ${max_pfn}`);
    }
    // Small to start: the explorer builds a kernel per execution, and a scenario uses a few hundred frames.
    this.grow(1 << 10);
    this.zero_pfn = this.alloc(0, PG_ZERO);
    this.set_refcount(this.zero_pfn, 1 << 30);
    this.huge_zero_pfn = this.alloc(HPAGE_PMD_ORDER, PG_ZERO);
    this.set_refcount(this.huge_zero_pfn, 1 << 30);
  }

  /* Accessors for one frame (the convention every non-batch site uses). */
  get_type(pfn: number): number {
    return this.type_dir[frame_chunk(pfn)][frame_off(pfn)];
  }
  set_type(pfn: number, v: number): void {
    this.type_dir[frame_chunk(pfn)][frame_off(pfn)] = v;
  }
  get_flags(pfn: number): number {
    return this.flags_dir[frame_chunk(pfn)][frame_off(pfn)];
  }
  set_flags(pfn: number, v: number): void {
    this.flags_dir[frame_chunk(pfn)][frame_off(pfn)] = v;
  }
  /** flags |= bits. */
  set_flag_bits(pfn: number, bits: number): void {
    this.flags_dir[frame_chunk(pfn)][frame_off(pfn)] |= bits;
  }
  /** flags &= ~bits. */
  clear_flag_bits(pfn: number, bits: number): void {
    this.flags_dir[frame_chunk(pfn)][frame_off(pfn)] &= ~bits;
  }
  get_refcount(pfn: number): number {
    return this.refcount_dir[frame_chunk(pfn)][frame_off(pfn)];
  }
  set_refcount(pfn: number, v: number): void {
    this.refcount_dir[frame_chunk(pfn)][frame_off(pfn)] = v;
  }
  /** refcount += d; returns the new count. */
  add_refcount(pfn: number, d: number): number {
    const a = this.refcount_dir[frame_chunk(pfn)];
    const i = frame_off(pfn);
    return (a[i] += d);
  }
  get_mapcount(pfn: number): number {
    return this.mapcount_dir[frame_chunk(pfn)][frame_off(pfn)];
  }
  set_mapcount(pfn: number, v: number): void {
    this.mapcount_dir[frame_chunk(pfn)][frame_off(pfn)] = v;
  }
  /** mapcount += d; returns the new count. */
  add_mapcount(pfn: number, d: number): number {
    const a = this.mapcount_dir[frame_chunk(pfn)];
    const i = frame_off(pfn);
    return (a[i] += d);
  }
  get_gen(pfn: number): number {
    return this.gen_dir[frame_chunk(pfn)][frame_off(pfn)];
  }
  get_data(pfn: number): number {
    return this.data_dir[frame_chunk(pfn)][frame_off(pfn)];
  }
  set_data(pfn: number, v: number): void {
    this.data_dir[frame_chunk(pfn)][frame_off(pfn)] = v;
  }
  get_owner(pfn: number): number {
    return this.owner_dir[frame_chunk(pfn)][frame_off(pfn)];
  }
  set_owner(pfn: number, v: number): void {
    this.owner_dir[frame_chunk(pfn)][frame_off(pfn)] = v;
  }
  get_index(pfn: number): number {
    return this.index_dir[frame_chunk(pfn)][frame_off(pfn)];
  }
  set_index(pfn: number, v: number): void {
    this.index_dir[frame_chunk(pfn)][frame_off(pfn)] = v;
  }
  /** Whether `gen` and `owner` are 32 bits wide (widened: see those fields). */
  get gen32(): boolean {
    return !(this.gen_dir[0] instanceof Uint16Array);
  }
  get owner32(): boolean {
    return !(this.owner_dir[0] instanceof Uint16Array);
  }

  /**
   * Descriptors for every PFN from `top` up to `min` (exclusive): the first chunk
   * doubles up to FRAME_CHUNK frames while `top` is in it; later chunks are
   * allocated whole, once, when `top` reaches them (holes stay unallocated).
   */
  private grow(min: number): void {
    if (min <= this.cap) return;
    if (min > this.max_pfn + 1) throw new OutOfMemory(`out of simulated memory (max_pfn ${this.max_pfn})`);
    try {
      if (this.top < FRAME_CHUNK && this.cap < FRAME_CHUNK) {
        // The first chunk doubles (the only chunk ever copied, and only while it is smaller than FRAME_CHUNK).
        let n = this.cap || 1024;
        while (n < Math.min(min, FRAME_CHUNK)) n *= 2;
        n = Math.min(n, this.max_pfn + 1);
        this.set_chunk(0, n, this.cap);
        this.cap = n;
      }
      if (min > this.cap) {
        for (let c = frame_chunk(Math.max(this.cap, this.top)); c * FRAME_CHUNK < min; c++) {
          if (this.type_dir[c] === undefined) this.set_chunk(c, Math.min(FRAME_CHUNK, this.max_pfn + 1 - c * FRAME_CHUNK), 0);
        }
        this.cap = Math.min((frame_chunk(min - 1) + 1) * FRAME_CHUNK, this.max_pfn + 1);
      }
    } catch (e) {
      if (e instanceof RangeError) throw new OutOfMemory(`out of host memory: the descriptors of pfn ${min - 1} (chunk ${frame_chunk(min - 1)}) could not be allocated (${e.message})`);
      throw e;
    }
  }

  /** Chunk `c` becomes `n` frames of zeroed descriptors, the first `keep` copied from the old chunk. */
  private set_chunk(c: number, n: number, keep: number): void {
    const g = <T extends { subarray(a: number, b: number): ArrayLike<number> }>(old: T | undefined, mk: new (n: number) => T): T => {
      const a = new mk(n);
      if (old !== undefined && keep > 0) (a as unknown as Uint8Array).set(old.subarray(0, keep) as Uint8Array);
      return a;
    };
    // Every array first, then the fields (a refused allocation leaves the old ones).
    const gen32 = this.gen_dir.length > 0 && this.gen32;
    const owner32 = this.owner_dir.length > 0 && this.owner32;
    const type = g(this.type_dir[c], Uint8Array);
    const flags = g(this.flags_dir[c], Uint8Array);
    const refcount = g(this.refcount_dir[c], Int32Array);
    const mapcount = g(this.mapcount_dir[c], Int32Array);
    const gen: Gen = gen32 ? g(this.gen_dir[c] as Uint32Array, Uint32Array) : g(this.gen_dir[c] as Uint16Array, Uint16Array);
    const data = g(this.data_dir[c], Float64Array);
    const owner: Owner = owner32 ? g(this.owner_dir[c] as Int32Array, Int32Array) : g(this.owner_dir[c] as Uint16Array, Uint16Array);
    const index = g(this.index_dir[c], Float64Array);
    this.type_dir[c] = type;
    this.flags_dir[c] = flags;
    this.refcount_dir[c] = refcount;
    this.mapcount_dir[c] = mapcount;
    this.gen_dir[c] = gen;
    this.data_dir[c] = data;
    this.owner_dir[c] = owner;
    this.index_dir[c] = index;
  }

  /**
   * A hole in simulated physical memory from `top` up to `pfn` (like PFNs without
   * a memory section under SPARSEMEM): those frames are never handed out and get
   * no descriptors; the next never-used frame is `pfn`. For tests of PFNs up to
   * 2^40 without 2^40 frames of descriptors. The model's: Linux learns its holes
   * from the firmware's memory map at boot.
   */
  skip_to(pfn: number): void {
    if (!Number.isInteger(pfn) || pfn < this.top || pfn > this.max_pfn) throw new MmsimError("config-error", `skip_to(${pfn}): not a PFN from top (${this.top}) to max_pfn (${this.max_pfn})`);
    this.holes += pfn - this.top;
    this.top = pfn;
  }

  /** Make room for mm id `id` in `owner` (16 bits wide until an id needs more). */
  owner_fits(id: number): void {
    if (id > 0xffff && !this.owner32) this.owner_dir = this.widened(this.owner_dir, Int32Array);
  }

  /** The generation array of `pfn`'s chunk after a 16-bit generation at 0xffff: the directory widened to 32 bits. */
  private widen_gen(pfn: number): Gen {
    this.gen_dir = this.widened(this.gen_dir, Uint32Array);
    return this.gen_dir[frame_chunk(pfn)];
  }

  /**
   * Every chunk of `dir` in a new array of `mk` of the same length (a rare
   * one-off: the first 65,536th free of a frame, the first mm id past 65,535).
   */
  protected widened<T extends Int32Array | Uint32Array>(dir: ArrayLike<number>[], mk: new (n: number) => T): T[] {
    const out: T[] = [];
    for (let c = 0; c < dir.length; c++) {
      const old = dir[c];
      if (old === undefined) continue;
      const n = new mk(old.length);
      // Only the frames ever used hold anything: copy those (the rest stays zero, and uncommitted).
      const used = Math.min(old.length, this.top - c * FRAME_CHUNK);
      for (let i = 0; i < used; i++) n[i] = old[i];
      out[c] = n;
    }
    return out;
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
    // A THP is 512-aligned, a chunk 2^22-aligned: a folio lies in one chunk.
    const c = frame_chunk(pfn);
    const o = frame_off(pfn);
    const t = this.type_dir[c];
    const fl = this.flags_dir[c];
    const mc = this.mapcount_dir[c];
    const da = this.data_dir[c];
    t[o] = type;
    fl[o] = order ? PF_HEAD : 0;
    this.refcount_dir[c][o] = 1;
    mc[o] = 0;
    da[o] = 0;
    this.owner_dir[c][o] = 0;
    for (let i = 1; i < n; i++) {
      t[o + i] = PG_TAIL;
      fl[o + i] = 0;
      mc[o + i] = 0;
      da[o + i] = 0;
    }
    return pfn;
  }

  /** Free a frame (or a THP folio by its head); poisons the descriptors. */
  free(pfn: number, order: 0 | 9): void {
    const c = frame_chunk(pfn);
    const o = frame_off(pfn);
    const type = this.type_dir[c];
    const t = type[o];
    if (t === PG_FREE) throw new Error(`double free of pfn ${pfn}`);
    if (t === PG_ZERO || t === PG_TAIL) throw new Error(`freeing pfn ${pfn} of type ${t}`);
    const n = 1 << order;
    const refcount = this.refcount_dir[c];
    const mapcount = this.mapcount_dir[c];
    const flags = this.flags_dir[c];
    let gen = this.gen_dir[c];
    for (let i = o; i < o + n; i++) {
      type[i] = PG_FREE;
      if (gen[i] === 0xffff && gen instanceof Uint16Array) gen = this.widen_gen(pfn);
      gen[i]++;
      refcount[i] = 0;
      mapcount[i] = 0;
      flags[i] = 0;
    }
    if (order) this.free9.push(pfn);
    else this.free0.push(pfn);
    this.nr_free += n;
    this.nr_used -= n;
  }

  /**
   * Host bytes the descriptors of the frames ever used take (committed: the
   * chunks past them are allocated, not written), plus the free lists' run tables.
   */
  host_bytes(): number {
    const per = BYTES_PER_FRAME + (this.gen32 ? 2 : 0) + (this.owner32 ? 2 : 0);
    return (this.top - this.holes) * per + this.free0.host_bytes() + this.free9.host_bytes();
  }

  is_free(pfn: number): boolean {
    return this.get_type(pfn) === PG_FREE;
  }
  /*
   * Bulk range operations (issue #10 §1, the batch paths): each equals a sequence
   * of alloc()/free() calls. A run handed out lies in one chunk (alloc_run() stops
   * at a chunk's end); free_run() takes any run and splits it at chunk boundaries.
   */

  /**
   * Allocate up to `max` order-0 frames of `type` at once, as that many alloc(0, type)
   * calls would hand them out, as long as they are one arithmetic run in one
   * chunk: the top run of the order-0 free list (or part of it; a run of any
   * difference), else never-used frames from the top. Returns the first PFN;
   * out.n frames were allocated (>= 1), at first, first + out.step, ... (out.step:
   * +1 or -1 for runs of neighbouring frames, any non-zero int32 for others, e.g.
   * every other frame), all in frame_chunk(first).
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
      const room = frames_in_chunk(first, step, max);
      if (room <= 0) throw new Error(`alloc_run: no frame of the run at pfn ${first} in its chunk (a model bug)`);
      n = this.free0.pop_run(room);
      this.nr_free -= n;
    } else {
      // alloc_top(0) n times: consecutive new frames; as many as max_pfn lets alloc() hand out, in top's chunk.
      first = this.top;
      n = Math.min(frames_in_chunk(first, 1, max), this.max_pfn - first);
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
    const c = frame_chunk(first);
    const o = frame_off(first);
    if (anon_owner >= 0) {
      this.alloc_run_anon(c, o, n, step, type, anon_owner);
    } else if (step === 1 || step === -1 || n === 1) {
      const lo = step > 0 ? o : o - n + 1;
      const hi = lo + n;
      this.type_dir[c].fill(type, lo, hi);
      this.flags_dir[c].fill(0, lo, hi);
      this.refcount_dir[c].fill(1, lo, hi);
      this.mapcount_dir[c].fill(0, lo, hi);
      this.data_dir[c].fill(0, lo, hi);
      this.owner_dir[c].fill(0, lo, hi);
    } else {
      // Frames `step` apart (the ones in between are not this run's): one loop.
      const t = this.type_dir[c];
      const fl = this.flags_dir[c];
      const rc = this.refcount_dir[c];
      const mc = this.mapcount_dir[c];
      const da = this.data_dir[c];
      const ow = this.owner_dir[c];
      for (let i = 0, q = o; i < n; i++, q += step) {
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

  /** alloc_run()'s descriptors for an anon fault's frames (all but data and index): chunk `c`, from offset `o`. */
  private alloc_run_anon(c: number, o: number, n: number, step: number, type: number, owner: number): void {
    const t = this.type_dir[c];
    const fl = this.flags_dir[c];
    const rc = this.refcount_dir[c];
    const mc = this.mapcount_dir[c];
    const ow = this.owner_dir[c];
    if (step === 1 || step === -1 || n === 1) {
      const lo = step > 0 ? o : o - n + 1;
      const hi = lo + n;
      t.fill(type, lo, hi);
      fl.fill(PF_DIRTY, lo, hi);
      rc.fill(1, lo, hi);
      mc.fill(1, lo, hi);
      ow.fill(owner, lo, hi);
      return;
    }
    for (let i = 0, q = o; i < n; i++, q += step) {
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
   * thrown, the run half done: a model bug). The run may cross chunks: it is
   * done a chunk's piece at a time.
   */
  free_run(first: number, n: number, step: number): void {
    if (n <= 0) return;
    for (let done = 0; done < n; ) {
      const p = first + done * step;
      const k = frames_in_chunk(p, step, n - done);
      if (k <= 0) throw new Error(`free_run: no frame of the run at pfn ${p} in its chunk (a model bug)`);
      this.free_piece(frame_chunk(p), frame_off(p), k, step);
      done += k;
    }
    this.free0.push_run(first, n, step);
    this.nr_free += n;
    this.nr_used -= n;
  }

  /** free_run()'s descriptors for `n` frames `step` apart in chunk `c`, from offset `o` (all in the chunk). */
  private free_piece(c: number, o: number, n: number, step: number): void {
    const type = this.type_dir[c];
    const refcount = this.refcount_dir[c];
    const mapcount = this.mapcount_dir[c];
    const flags = this.flags_dir[c];
    let gen = this.gen_dir[c];
    const base = c * FRAME_CHUNK;
    if (step === 1 || step === -1) {
      const lo = step > 0 ? o : o - n + 1;
      const hi = lo + n;
      for (let q = lo; q < hi; q++) {
        const t = type[q];
        if (t === PG_FREE || t === PG_ZERO || t === PG_TAIL) this.free(base + q, 0); // throws
        if (gen[q] === 0xffff && gen instanceof Uint16Array) gen = this.widen_gen(base); // as free() does
        gen[q] = gen[q] + 1;
      }
      type.fill(PG_FREE, lo, hi);
      refcount.fill(0, lo, hi);
      mapcount.fill(0, lo, hi);
      flags.fill(0, lo, hi);
      return;
    }
    // Frames `step` apart: the same descriptors, frame by frame.
    for (let i = 0, q = o; i < n; i++, q += step) {
      const t = type[q];
      if (t === PG_FREE || t === PG_ZERO || t === PG_TAIL) this.free(base + q, 0); // throws
      if (gen[q] === 0xffff && gen instanceof Uint16Array) gen = this.widen_gen(base); // as free() does
      gen[q] = gen[q] + 1;
      type[q] = PG_FREE;
      refcount[q] = 0;
      mapcount[q] = 0;
      flags[q] = 0;
    }
  }
}

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
 * No limit below 2^40 frames but max_pfn and host memory (issue #10 §4; a typed
 * array holds fewer than 2^33 elements on Node 20, so flat arrays alone could
 * not). The first region, PFNs below `flat_n`, is flat typed arrays (`flat_type`,
 * `flat_flags`, ...) that double from 1,024 frames (the explorer builds a kernel
 * per execution, which uses a few hundred) up to FRAME_CHUNK (2^22), then are
 * reserved once at FLAT_FRAMES (2^29, 2 TiB); frames past it are in chunks of
 * FRAME_CHUNK frames, allocated whole when `top` reaches them and never copied.
 * Each field has a directory of chunks (`type_dir`, `flags_dir`, `refcount_dir`,
 * `mapcount_dir`, `gen_dir`, `data_dir`, `owner_dir`, `index_dir`) covering every
 * PFN: the first region's chunks are views of its arrays. The host OS commits
 * pages as they are written, so host memory stays in proportion to the frames
 * ever used (issue #10 §1). Like SPARSEMEM's mem_section[] memmaps (2^15 pages a
 * section on x86-64); the model's chunks are larger and hold its own fields.
 * Why a flat first region: a directory access per single frame cost the
 * production bench 5-25 % per phase (V8 inlines the accessors' callers less);
 * the flat arrays' fast path costs one compare.
 *
 * Access convention (every site outside this file):
 *   - one frame: the accessors, `frames.get_type(pfn)`, `frames.set_type(pfn, v)`,
 *     likewise flags, refcount, mapcount, data, owner, index (gen: get only), plus
 *     `add_refcount`/`add_mapcount(pfn, d)` (return the new count) and
 *     `set_flag_bits`/`clear_flag_bits(pfn, bits)`; a very hot site may test
 *     `pfn < frames.flat_n` and index `frames.flat_type` etc. itself, calling the
 *     accessor otherwise (PtStore.lookup(), folio.ts);
 *   - a run of frames in a hot loop: resolve the chunk once,
 *     `const c = frame_chunk(pfn), mc = frames.mapcount_dir[c]`, index it with
 *     `frame_off(q)` (or frame_off(pfn) + i * d), and split the run where it
 *     leaves the chunk: `frames_in_chunk(pfn, d, n)` frames of it are in pfn's
 *     chunk. alloc_run() never returns a run that crosses a chunk; free_run()
 *     splits its own. Re-read the arrays after anything that may allocate or
 *     free (they may be replaced: the first region grows, `gen`/`owner` widen).
 *   - frame_chunk()/frame_off() are valid for PFNs up to 2^53 (never `>>>` or
 *     `| 0` on a PFN: they wrap at 2^32 / 2^31).
 *   - `data` and `index` are stored relative to the frame's PFN (see
 *     DATA_PER_PFN): a site that reads or writes their arrays itself adds or
 *     subtracts it; the accessors do.
 */
import { MmsimError } from "@mmsim/spec";
import type * as types from "../types/mm_types.js";
import { FreeRuns } from "./free_runs.js";
import { frame_words, last_puts_words16, last_puts_words32 } from "./frame_words.js";
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
/**
 * The first region's size once it is past FRAME_CHUNK frames (2^29, 2 TiB of
 * simulated memory: the largest Float64Array Node 20 makes): reserved at once,
 * committed by the host OS as written. Not a limit: frames past it are in chunks.
 */
export const FLAT_FRAMES = 2 ** 29;
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
 * A deliberately wrong run split, for page_alloc_chunks.test.ts (it must be
 * caught): "chunk-overrun" lets a run go one frame past its chunk's end (or
 * start). And free_last_puts()'s, for free_last_puts.test.ts: "last-puts-short"
 * fills the freed run's descriptors one frame short; "last-puts-unchecked" frees a
 * run without free()'s bad-page check. And alloc_run()'s for an anon fault, for
 * page_alloc_anon_run.test.ts: "anon-ones-short" copies the counts of 1 one frame
 * short; "anon-loop-short" sets a short run's descriptors (the loop) one frame short.
 */
export type FrameChunkMutant = "chunk-overrun" | "last-puts-short" | "last-puts-unchecked" | "anon-ones-short" | "anon-loop-short";
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
  const o = frame_off(pfn);
  let room = d === 1 ? FRAME_CHUNK - o : d === -1 ? o + 1 : d > 0 ? Math.floor((FRAME_CHUNK - 1 - o) / d) + 1 : Math.floor(o / -d) + 1;
  if (chunk_mutant === "chunk-overrun") room++;
  return room < max ? room : max;
}
/**
 * How `data` and `index` are stored: relative to the frame's PFN, data_dir and
 * flat_data hold data - pfn * DATA_PER_PFN, index_dir and flat_index hold
 * index - pfn * INDEX_PER_PFN (the accessors add it back). A fault run of
 * neighbouring frames in ascending order at neighbouring pages with successive
 * data-oracle values (the fault batch's fault_run()) then stores one value in
 * each array for all its frames: two fill()s, not a loop over the frames (its
 * descending runs, the free list's other half, still loop). Exact in doubles: a
 * PFN is below 2^40, so pfn * 4096 is below 2^52; an index is a page address
 * (below 2^57, a multiple of 4096) or a table slot (an integer below 2^53), data
 * an integer below 2^53, and so are the differences (or multiples of 4096 below
 * 2^58, which doubles hold exactly). Never-used frames (zeroed arrays) read as
 * data pfn and index pfn * 4096: no path reads them before alloc() sets them.
 * Invisible to every observer but the raw arrays (the state digest hashes those:
 * the fast and the step-by-step paths store alike).
 */
export const DATA_PER_PFN = 1;
export const INDEX_PER_PFN = 4096;

/**
 * Descriptor bytes per frame: type, flags (1 each), gen, owner (2 each, until a
 * value needs 4: see below), refcount, mapcount (4 each), data, index (8 each).
 */
export const BYTES_PER_FRAME = 30;

/** data 0 (stored relative to the PFN) for offsets from, from + step, ... before `to` of chunk `c`'s data array `da`. */
function data_zero(da: Float64Array, c: number, from: number, to: number, step: number): void {
  const base = c * FRAME_CHUNK;
  for (let q = from; q !== to; q += step) da[q] = 0 - (base + q) * DATA_PER_PFN;
}

/** Field `dir` of a frame past the first region (the accessors' slow path, kept out of them: see there). */
function far_get(dir: readonly ArrayLike<number>[], pfn: number): number {
  return dir[frame_chunk(pfn)][frame_off(pfn)];
}
/** Set field `dir` of a frame past the first region to `v`; returns `v`. */
function far_set(dir: readonly { [i: number]: number }[], pfn: number, v: number): number {
  return (dir[frame_chunk(pfn)][frame_off(pfn)] = v);
}

type Gen = Uint16Array | Uint32Array;
/** Word views of no frames: flat_words before the first region is made (the constructor makes it), and a hole's. */
const NO_WORDS = frame_words(new Uint8Array(0), new Uint8Array(0), new Int32Array(0), new Int32Array(0), new Uint16Array(0));
type Owner = Uint16Array | Int32Array;

export class PageFrames implements types.PageFrames {
  /*
   * The descriptor fields, one directory of chunks each: field X of frame `pfn` is
   * X_dir[frame_chunk(pfn)][frame_off(pfn)]. A directory is a JS array of typed
   * arrays (kept packed, for V8: a chunk no frame of which was ever handed out,
   * in skip_to()'s holes, is an empty array). The chunks of the first region
   * (below flat_n, see there) are views of its flat arrays.
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
  /**
   * Word views of each chunk's type, flags, refcount, mapcount and 16-bit gen
   * arrays (frame_words.ts: several frames a word, for the batches' word-wide
   * passes), and of the first region's (flat_words); made with the chunk, remade
   * whenever its arrays are replaced (the first region grown, gen widened).
   */
  readonly words_dir: types.FrameWords[] = [];
  flat_words: types.FrameWords = NO_WORDS;
  /**
   * The first region, PFNs below flat_n, in flat arrays (flat_type, flat_flags,
   * ...): the accessors' fast path, one compare more than a flat array. Read only
   * outside this file, where a hot site may test `pfn < flat_n` and index them
   * itself (PtStore.lookup()). It doubles
   * from 1,024 frames up to FRAME_CHUNK, then is reserved once at FLAT_FRAMES
   * (the host OS commits its pages as they are written; a host that refuses
   * keeps it at FRAME_CHUNK); frames past it are in chunks of the directories.
   * Measured: a directory access per single frame cost the production bench
   * 5-25 % per phase, this fast path none (packages/bench/README.md).
   */
  flat_n = 0;
  flat_type: Uint8Array = new Uint8Array(0);
  flat_flags: Uint8Array = new Uint8Array(0);
  flat_refcount: Int32Array = new Int32Array(0);
  flat_mapcount: Int32Array = new Int32Array(0);
  flat_gen: Gen = new Uint16Array(0);
  flat_data: Float64Array = new Float64Array(0);
  flat_owner: Owner = new Uint16Array(0);
  flat_index: Float64Array = new Float64Array(0);

  /** Frames the first region and the allocated chunks describe, from PFN 0 up (holes included). */
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

  /*
   * Accessors for one frame (the convention every non-batch site uses): the first
   * region's flat arrays, else the directory, with frame_chunk() and frame_off()
   * spelled out with FRAME_CHUNK's value (2^22 = 4194304) so that no nested call
   * spends V8's inlining budget (cumulative bytecode per optimized function: with
   * the calls, the callers of the accessors were no longer inlined;
   * page_alloc_chunks.test.ts checks the literals against FRAME_CHUNK). Likewise
   * DATA_PER_PFN (1) and INDEX_PER_PFN (4096) in data's and index's (in the bundle
   * a `var`, which V8 does not fold; page_alloc_relative.test.ts checks them).
   */
  get_type(pfn: number): number {
    return pfn < this.flat_n ? this.flat_type[pfn] : far_get(this.type_dir, pfn);
  }
  set_type(pfn: number, v: number): void {
    if (pfn < this.flat_n) this.flat_type[pfn] = v;
    else far_set(this.type_dir, pfn, v);
  }
  get_flags(pfn: number): number {
    return pfn < this.flat_n ? this.flat_flags[pfn] : far_get(this.flags_dir, pfn);
  }
  set_flags(pfn: number, v: number): void {
    if (pfn < this.flat_n) this.flat_flags[pfn] = v;
    else far_set(this.flags_dir, pfn, v);
  }
  /** flags |= bits. */
  set_flag_bits(pfn: number, bits: number): void {
    if (pfn < this.flat_n) this.flat_flags[pfn] |= bits;
    else far_set(this.flags_dir, pfn, far_get(this.flags_dir, pfn) | bits);
  }
  /** flags &= ~bits. */
  clear_flag_bits(pfn: number, bits: number): void {
    if (pfn < this.flat_n) this.flat_flags[pfn] &= ~bits;
    else far_set(this.flags_dir, pfn, far_get(this.flags_dir, pfn) & ~bits);
  }
  get_refcount(pfn: number): number {
    return pfn < this.flat_n ? this.flat_refcount[pfn] : far_get(this.refcount_dir, pfn);
  }
  set_refcount(pfn: number, v: number): void {
    if (pfn < this.flat_n) this.flat_refcount[pfn] = v;
    else far_set(this.refcount_dir, pfn, v);
  }
  /** refcount += d; returns the new count. */
  add_refcount(pfn: number, d: number): number {
    return pfn < this.flat_n ? (this.flat_refcount[pfn] += d) : far_set(this.refcount_dir, pfn, far_get(this.refcount_dir, pfn) + d);
  }
  get_mapcount(pfn: number): number {
    return pfn < this.flat_n ? this.flat_mapcount[pfn] : far_get(this.mapcount_dir, pfn);
  }
  set_mapcount(pfn: number, v: number): void {
    if (pfn < this.flat_n) this.flat_mapcount[pfn] = v;
    else far_set(this.mapcount_dir, pfn, v);
  }
  /** mapcount += d; returns the new count. */
  add_mapcount(pfn: number, d: number): number {
    return pfn < this.flat_n ? (this.flat_mapcount[pfn] += d) : far_set(this.mapcount_dir, pfn, far_get(this.mapcount_dir, pfn) + d);
  }
  get_gen(pfn: number): number {
    return pfn < this.flat_n ? this.flat_gen[pfn] : far_get(this.gen_dir, pfn);
  }
  get_data(pfn: number): number {
    return (pfn < this.flat_n ? this.flat_data[pfn] : far_get(this.data_dir, pfn)) + pfn;
  }
  set_data(pfn: number, v: number): void {
    if (pfn < this.flat_n) this.flat_data[pfn] = v - pfn;
    else far_set(this.data_dir, pfn, v - pfn);
  }
  get_owner(pfn: number): number {
    return pfn < this.flat_n ? this.flat_owner[pfn] : far_get(this.owner_dir, pfn);
  }
  set_owner(pfn: number, v: number): void {
    if (pfn < this.flat_n) this.flat_owner[pfn] = v;
    else far_set(this.owner_dir, pfn, v);
  }
  get_index(pfn: number): number {
    return (pfn < this.flat_n ? this.flat_index[pfn] : far_get(this.index_dir, pfn)) + pfn * 4096;
  }
  set_index(pfn: number, v: number): void {
    if (pfn < this.flat_n) this.flat_index[pfn] = v - pfn * 4096;
    else far_set(this.index_dir, pfn, v - pfn * 4096);
  }
  /** Whether `gen` and `owner` are 32 bits wide (widened: see those fields). */
  get gen32(): boolean {
    return !(this.flat_gen instanceof Uint16Array);
  }
  get owner32(): boolean {
    return !(this.flat_owner instanceof Uint16Array);
  }

  /**
   * Descriptors for every PFN from `top` up to `min` (exclusive): the first region
   * doubles up to FRAME_CHUNK frames, then is reserved at FLAT_FRAMES, while `top`
   * is in it; past it, chunks are allocated whole, once, when `top` reaches them
   * (holes stay empty).
   */
  private grow(min: number): void {
    if (min <= this.cap) return;
    if (min > this.max_pfn + 1) throw new OutOfMemory(`out of simulated memory (max_pfn ${this.max_pfn})`);
    try {
      if (this.cap === this.flat_n && this.top <= this.flat_n + 1 && this.flat_n < FLAT_FRAMES) {
        const limit = this.max_pfn + 1;
        if (min <= FRAME_CHUNK) {
          // The first region doubles (copied only while it is at most FRAME_CHUNK frames).
          let n = this.flat_n || 1024;
          while (n < min) n *= 2;
          this.set_flat(Math.min(n, limit));
        } else if (this.flat_n < FRAME_CHUNK || this.flat_n < Math.min(FLAT_FRAMES, limit)) {
          // Reserved once at its largest; a host that refuses it gets FRAME_CHUNK and chunks after it.
          try {
            this.set_flat(Math.min(FLAT_FRAMES, limit));
          } catch (e) {
            if (!(e instanceof RangeError)) throw e;
            if (this.flat_n < FRAME_CHUNK) this.set_flat(Math.min(FRAME_CHUNK, limit));
          }
        }
        this.cap = this.flat_n;
      }
      if (min > this.cap) {
        for (let c = frame_chunk(Math.max(this.cap, this.top)); c * FRAME_CHUNK < min; c++) {
          if (c >= this.type_dir.length || this.type_dir[c].length === 0) this.set_chunk(c, Math.min(FRAME_CHUNK, this.max_pfn + 1 - c * FRAME_CHUNK));
        }
        this.cap = Math.min((frame_chunk(min - 1) + 1) * FRAME_CHUNK, this.max_pfn + 1);
      }
    } catch (e) {
      if (e instanceof RangeError) throw new OutOfMemory(`out of host memory: the descriptors of pfn ${min - 1} (chunk ${frame_chunk(min - 1)}) could not be allocated (${e.message})`);
      throw e;
    }
  }

  /** The first region becomes `n` frames (the frames below the old flat_n copied), its chunks views of it. */
  private set_flat(n: number): void {
    const keep = this.flat_n;
    const g = <T extends Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array>(old: T, mk: new (n: number) => T): T => {
      const a = new mk(n);
      if (keep > 0) (a as Uint8Array).set(old as Uint8Array);
      return a;
    };
    // Every array first, then the fields (a refused reservation leaves the old ones).
    const t0 = g(this.flat_type, Uint8Array);
    const f0 = g(this.flat_flags, Uint8Array);
    const r0 = g(this.flat_refcount, Int32Array);
    const m0 = g(this.flat_mapcount, Int32Array);
    const g0: Gen = this.flat_gen instanceof Uint16Array ? g(this.flat_gen, Uint16Array) : g(this.flat_gen, Uint32Array);
    const d0 = g(this.flat_data, Float64Array);
    const o0: Owner = this.flat_owner instanceof Uint16Array ? g(this.flat_owner, Uint16Array) : g(this.flat_owner, Int32Array);
    const i0 = g(this.flat_index, Float64Array);
    this.flat_type = t0;
    this.flat_flags = f0;
    this.flat_refcount = r0;
    this.flat_mapcount = m0;
    this.flat_gen = g0;
    this.flat_data = d0;
    this.flat_owner = o0;
    this.flat_index = i0;
    this.flat_n = n;
    this.flat_views();
  }

  /** The directories' chunks of the first region: its arrays themselves while they are one chunk, else views. */
  private flat_views(): void {
    const n = this.flat_n;
    for (let c = 0; c * FRAME_CHUNK < n; c++) {
      const lo = c * FRAME_CHUNK;
      const hi = Math.min(n, lo + FRAME_CHUNK);
      const v = <T extends { subarray(a: number, b: number): T }>(a: T): T => (n <= FRAME_CHUNK ? a : a.subarray(lo, hi));
      this.type_dir[c] = v(this.flat_type);
      this.flags_dir[c] = v(this.flat_flags);
      this.refcount_dir[c] = v(this.flat_refcount);
      this.mapcount_dir[c] = v(this.flat_mapcount);
      this.gen_dir[c] = this.flat_gen instanceof Uint16Array ? v(this.flat_gen) : v(this.flat_gen);
      this.data_dir[c] = v(this.flat_data);
      this.owner_dir[c] = this.flat_owner instanceof Uint16Array ? v(this.flat_owner) : v(this.flat_owner);
      this.index_dir[c] = v(this.flat_index);
      this.words_dir[c] = this.chunk_words(c);
    }
    // (While the first region is one chunk, chunk 0's arrays are its arrays: the same views.)
    this.flat_words = n <= FRAME_CHUNK ? this.words_dir[0] : frame_words(this.flat_type, this.flat_flags, this.flat_refcount, this.flat_mapcount, this.flat_gen);
  }

  /** Chunk c's word views (of its arrays as they are now; a hole's: none, shared). */
  private chunk_words(c: number): types.FrameWords {
    if (this.type_dir[c].length === 0) return NO_WORDS;
    return frame_words(this.type_dir[c], this.flags_dir[c], this.refcount_dir[c], this.mapcount_dir[c], this.gen_dir[c]);
  }

  /** Chunk `c` (past the first region) becomes `n` frames of zeroed descriptors. */
  private set_chunk(c: number, n: number): void {
    // Chunks below c that no frame reached (holes) are empty arrays: the directories stay packed.
    for (let h = this.type_dir.length; h < c; h++) {
      this.type_dir.push(new Uint8Array(0));
      this.flags_dir.push(new Uint8Array(0));
      this.refcount_dir.push(new Int32Array(0));
      this.mapcount_dir.push(new Int32Array(0));
      this.gen_dir.push(this.gen32 ? new Uint32Array(0) : new Uint16Array(0));
      this.data_dir.push(new Float64Array(0));
      this.owner_dir.push(this.owner32 ? new Int32Array(0) : new Uint16Array(0));
      this.index_dir.push(new Float64Array(0));
      this.words_dir.push(this.chunk_words(h));
    }
    // Every array first, then the fields (a refused allocation leaves the old ones).
    const type = new Uint8Array(n);
    const flags = new Uint8Array(n);
    const refcount = new Int32Array(n);
    const mapcount = new Int32Array(n);
    const gen: Gen = this.gen32 ? new Uint32Array(n) : new Uint16Array(n);
    const data = new Float64Array(n);
    const owner: Owner = this.owner32 ? new Int32Array(n) : new Uint16Array(n);
    const index = new Float64Array(n);
    this.type_dir[c] = type;
    this.flags_dir[c] = flags;
    this.refcount_dir[c] = refcount;
    this.mapcount_dir[c] = mapcount;
    this.gen_dir[c] = gen;
    this.data_dir[c] = data;
    this.owner_dir[c] = owner;
    this.index_dir[c] = index;
    this.words_dir[c] = this.chunk_words(c);
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
    if (id > 0xffff && !this.owner32) {
      const nf = this.nr_flat_chunks();
      const [o0, ...far] = this.widened([this.flat_owner, ...this.owner_dir.slice(nf)], Int32Array, this.used_lengths(nf));
      this.flat_owner = o0;
      this.owner_dir = [...this.owner_dir.slice(0, nf), ...far]; // the first nf: views, redone below
      this.flat_views();
    }
  }

  /** After a 16-bit generation at 0xffff: every generation widened to 32 bits (re-read the arrays). */
  private widen_gen(): void {
    const nf = this.nr_flat_chunks();
    const [g0, ...far] = this.widened([this.flat_gen, ...this.gen_dir.slice(nf)], Uint32Array, this.used_lengths(nf));
    this.flat_gen = g0;
    this.gen_dir = [...this.gen_dir.slice(0, nf), ...far];
    this.flat_views();
    for (let c = nf; c < this.type_dir.length; c++) this.words_dir[c] = this.chunk_words(c);
  }

  /** How many frames of the first region and of each chunk from `nf` on were ever used (widened() copies those only). */
  private used_lengths(nf: number): number[] {
    const out = [Math.min(this.flat_n, this.top)];
    for (let c = nf; c < this.type_dir.length; c++) out.push(Math.max(0, Math.min(this.type_dir[c].length, this.top - c * FRAME_CHUNK)));
    return out;
  }

  /** Directory chunks that are views of the first region. */
  private nr_flat_chunks(): number {
    return Math.ceil(this.flat_n / FRAME_CHUNK);
  }

  /**
   * Each array of `arrs` (the first region's, then the chunks past it) in a new
   * array of `mk` of the same length, its first used[k] elements copied (a rare one-off: the first 65,536th free of
   * a frame, the first mm id past 65,535).
   */
  protected widened<T extends Int32Array | Uint32Array>(arrs: ArrayLike<number>[], mk: new (n: number) => T, used: number[]): T[] {
    return arrs.map((old, k) => {
      const n = new mk(old.length);
      // Only the frames ever used hold anything: copy those (the rest stays zero, and uncommitted).
      for (let i = 0; i < used[k]; i++) n[i] = old[i];
      return n;
    });
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
    if (order === 0 && pfn < this.flat_n) {
      // The common case written out (small: alloc() is inlined into the fault paths, see the accessors).
      this.flat_type[pfn] = type;
      this.flat_flags[pfn] = 0;
      this.flat_refcount[pfn] = 1;
      this.flat_mapcount[pfn] = 0;
      this.flat_data[pfn] = 0 - pfn; // data 0 (stored relative to the PFN)
      this.flat_owner[pfn] = 0;
    } else this.alloc_desc(pfn, order, type);
    return pfn;
  }

  /** alloc()'s descriptors of the 2^order frames from `pfn` (a THP is 512-aligned, a chunk 2^22-aligned: a folio lies in one chunk). */
  private alloc_desc(pfn: number, order: 0 | 9, type: number): void {
    let o = pfn;
    let t = this.flat_type;
    let fl = this.flat_flags;
    let mc = this.flat_mapcount;
    let da = this.flat_data;
    let rc = this.flat_refcount;
    let ow = this.flat_owner;
    if (pfn >= this.flat_n) {
      const c = frame_chunk(pfn);
      o = frame_off(pfn);
      t = this.type_dir[c];
      fl = this.flags_dir[c];
      mc = this.mapcount_dir[c];
      da = this.data_dir[c];
      rc = this.refcount_dir[c];
      ow = this.owner_dir[c];
    }
    t[o] = type;
    fl[o] = order ? PF_HEAD : 0;
    rc[o] = 1;
    mc[o] = 0;
    da[o] = 0 - pfn * DATA_PER_PFN; // data 0 (stored relative to the PFN)
    ow[o] = 0;
    for (let i = 1; i < 1 << order; i++) {
      t[o + i] = PG_TAIL;
      fl[o + i] = 0;
      mc[o + i] = 0;
      da[o + i] = 0 - (pfn + i) * DATA_PER_PFN;
    }
  }

  /** Free a frame (or a THP folio by its head); poisons the descriptors. */
  free(pfn: number, order: 0 | 9): void {
    let o = pfn;
    let type = this.flat_type;
    let refcount = this.flat_refcount;
    let mapcount = this.flat_mapcount;
    let flags = this.flat_flags;
    let gen = this.flat_gen;
    if (pfn >= this.flat_n) {
      const c = frame_chunk(pfn);
      o = frame_off(pfn);
      type = this.type_dir[c];
      refcount = this.refcount_dir[c];
      mapcount = this.mapcount_dir[c];
      flags = this.flags_dir[c];
      gen = this.gen_dir[c];
    }
    const t = type[o];
    if (t === PG_FREE) throw new Error(`double free of pfn ${pfn}`);
    if (t === PG_ZERO || t === PG_TAIL) throw new Error(`freeing pfn ${pfn} of type ${t}`);
    const n = 1 << order;
    for (let i = o; i < o + n; i++) {
      type[i] = PG_FREE;
      if (gen[i] === 0xffff && gen instanceof Uint16Array) {
        this.widen_gen();
        gen = pfn < this.flat_n ? this.flat_gen : this.gen_dir[frame_chunk(pfn)];
      }
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
      data_zero(this.data_dir[c], c, lo, hi, 1);
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
        ow[q] = 0;
      }
      data_zero(da, c, o, o + n * step, step);
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
    if ((step === 1 || step === -1) && n >= ANON_RUN_FILLS) {
      const lo = step > 0 ? o : o - n + 1;
      const hi = lo + n;
      t.fill(type, lo, hi);
      fl.fill(PF_DIRTY, lo, hi);
      if (n <= ONES.length) {
        // Counts of 1 copied from a template: fill() stores a non-zero int32 element by element, set() copies
        // memory (2.5x faster). Its views made once (ones_view()): a subarray() per run cost more than the copy.
        const ones = ones_view(chunk_mutant === "anon-ones-short" ? n - 1 : n);
        rc.set(ones, lo);
        mc.set(ones, lo);
      } else {
        rc.fill(1, lo, hi);
        mc.fill(1, lo, hi);
      }
      ow.fill(owner, lo, hi);
      return;
    }
    // A short run (the free list hands a fault batch a few of them per table, between its long
    // ones) or frames `step` apart: one loop (five fill()/set() calls into the runtime cost more).
    if (chunk_mutant === "anon-loop-short") n--;
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

  /**
   * What the mmu_gather's flush does with a recorded run of single references
   * (tlb/mmu_gather.ts, put_page_run()): the frames first, first + step, ... (step
   * +1 or -1, at most `n`, in the first region's flat arrays or in first's chunk)
   * whose put is the last (refcount 1, not a large folio's head) are freed as
   * free_run(first, r, step) frees them, when there are r >= 2 of them; returns r
   * (0 when fewer than two: the caller folio_put()s `first` the ordinary way).
   * One pass over the run tests refcount, flags and type (free()'s bad-page check)
   * and bumps the generation (freelastputs16/32), where the check, the type pass
   * and the bump were three; then the other fields are filled. A frame free()
   * refuses throws free()'s error, the generations before it bumped (a model bug).
   * A run of at least LAST_PUTS_WORDS frames that are all anon last puts with
   * generations below 0xffff (the seed loop's) is checked and bumped word-wide
   * first (frame_words.ts: 4 frames a word); any other goes frame by frame.
   */
  free_last_puts(first: number, n: number, step: number): number {
    if (step !== 1 && step !== -1) return 0;
    const flat = first < this.flat_n;
    const c = flat ? 0 : frame_chunk(first);
    // An int32 offset (flat_n <= FLAT_FRAMES = 2^29): a double index costs a conversion per frame.
    const o = flat ? first | 0 : frame_off(first);
    const refcount = flat ? this.flat_refcount : this.refcount_dir[c];
    const flags = flat ? this.flat_flags : this.flags_dir[c];
    const end = flat ? this.flat_n : this.type_dir[c].length;
    const room = step > 0 ? end - o : o + 1;
    const lim = room < n ? room : n;
    // At least two (else the caller's folio_put(): nothing bumped yet).
    if (lim < 2 || refcount[o] !== 1 || (flags[o] & PF_HEAD) !== 0 || refcount[o + step] !== 1 || (flags[o + step] & PF_HEAD) !== 0) return 0;
    const type = flat ? this.flat_type : this.type_dir[c];
    let gen = flat ? this.flat_gen : this.gen_dir[c];
    const bad = chunk_mutant === "last-puts-unchecked" ? 0 : NOT_FREEABLE;
    let r = 0;
    const wlo = step > 0 ? o : o - lim + 1;
    const w = flat ? this.flat_words : this.words_dir[c];
    if (
      lim >= LAST_PUTS_WORDS &&
      (gen instanceof Uint16Array ? last_puts_words16(w, refcount, flags, type, gen, wlo, wlo + lim, PG_ANON, PF_HEAD) : last_puts_words32(w, refcount, flags, type, gen, wlo, wlo + lim, PG_ANON, PF_HEAD))
    ) {
      r = lim;
      stop = STOP_END;
    } else r = gen instanceof Uint16Array ? last_puts16(refcount, flags, type, gen, o, step, lim, bad) : last_puts32(refcount, flags, type, gen, o, step, 0, lim, bad);
    if (stop === STOP_GEN) {
      // A 16-bit generation at 0xffff: all widened (as free() does), then on from that frame.
      this.widen_gen();
      gen = flat ? this.flat_gen : this.gen_dir[c];
      r = last_puts32(refcount, flags, type, gen as Uint32Array, o, step, r, lim, bad);
    }
    if (stop === STOP_BAD) this.free((flat ? 0 : c * FRAME_CHUNK) + o + r * step, 0); // throws as free() does
    const lo = step > 0 ? o : o - r + 1;
    const hi = chunk_mutant === "last-puts-short" ? lo + r - 1 : lo + r;
    const mapcount = flat ? this.flat_mapcount : this.mapcount_dir[c];
    if (r < LAST_PUTS_WORDS) {
      // A short run (the mmu_gather's first batch holds 7 pages): a loop costs less than 4 fill() calls (each a call into the runtime).
      for (let q = lo; q < hi; q++) {
        type[q] = PG_FREE;
        refcount[q] = 0;
        mapcount[q] = 0;
        flags[q] = 0;
      }
    } else {
      type.fill(PG_FREE, lo, hi);
      refcount.fill(0, lo, hi);
      mapcount.fill(0, lo, hi);
      flags.fill(0, lo, hi);
    }
    this.free0.push_run(first, r, step);
    this.nr_free += r;
    this.nr_used -= r;
    return r;
  }

  /** free_run()'s descriptors for `n` frames `step` apart in chunk `c`, from offset `o` (all in the chunk). */
  private free_piece(c: number, o: number, n: number, step: number): void {
    const type = this.type_dir[c];
    const base = c * FRAME_CHUNK;
    // Neighbouring frames (the common case): the bad-page check in one pass over the
    // types, the generations in one (gen_bump16/32: monomorphic, no call per frame),
    // the other fields filled.
    if (step === 1 || step === -1) {
      const lo = step > 0 ? o : o - n + 1;
      const hi = lo + n;
      const bad = this.first_not_freeable(type, lo, hi, 1);
      if (bad >= 0) this.free(base + bad, 0); // throws as free() does (nothing of the run done yet)
      this.bump_gens(c, lo, hi, 1);
      type.fill(PG_FREE, lo, hi);
      this.refcount_dir[c].fill(0, lo, hi);
      this.mapcount_dir[c].fill(0, lo, hi);
      this.flags_dir[c].fill(0, lo, hi);
      return;
    }
    // Frames `step` apart: the same, with the stride.
    const e = o + n * step;
    const bad = this.first_not_freeable(type, o, e, step);
    if (bad >= 0) this.free(base + bad, 0); // throws
    this.bump_gens(c, o, e, step);
    const refcount = this.refcount_dir[c];
    const mapcount = this.mapcount_dir[c];
    const flags = this.flags_dir[c];
    for (let q = o; q !== e; q += step) {
      type[q] = PG_FREE;
      refcount[q] = 0;
      mapcount[q] = 0;
      flags[q] = 0;
    }
  }

  /**
   * gen[q]++ for q = from, from + step, ... before `to` in chunk `c` (free()'s
   * generation bump), widening the generations to 32 bits (as free() does) when a
   * 16-bit one would pass 0xffff.
   */
  protected bump_gens(c: number, from: number, to: number, step: number): void {
    const gen = this.gen_dir[c];
    if (gen instanceof Uint16Array) {
      from = gen_bump16(gen, from, to, step);
      if (from === to) return;
      this.widen_gen();
    }
    gen_bump32(this.gen_dir[c] as Uint32Array, from, to, step);
  }

  /**
   * free_run()'s bad-page check: the first offset of from, from + step, ... before
   * `to` whose type free() refuses (free, the zero page, a tail page), else -1.
   */
  protected first_not_freeable(type: Uint8Array, from: number, to: number, step: number): number {
    const bad = NOT_FREEABLE; // a local, not a load of the module's binding per frame
    for (let q = from; q !== to; q += step) if ((bad >> type[q]) & 1) return q;
    return -1;
  }
}

/** Frame types free() refuses (double free, the zero page, a tail page): bit `type` set. */
const NOT_FREEABLE = (1 << PG_FREE) | (1 << PG_ZERO) | (1 << PG_TAIL);

/** gen[q]++ for q = from, from + step, ... before `to`, stopping before a generation at 0xffff: returns where it stopped (`to`: done). */
function gen_bump16(gen: Uint16Array, from: number, to: number, step: number): number {
  for (let q = from; q !== to; q += step) {
    const g = gen[q] + 1;
    if (g > 0xffff) return q;
    gen[q] = g;
  }
  return to;
}

/** gen[q]++ for q = from, from + step, ... before `to` (32 bits: wraps after 2^32 frees, as free() does). */
function gen_bump32(gen: Uint32Array, from: number, to: number, step: number): void {
  for (let q = from; q !== to; q += step) gen[q]++;
}

/** alloc_run_anon()'s template of refcounts / mapcounts of 1 (a PTE table's worth: a fault run's longest). */
const ONES = new Int32Array(512).fill(1);
/** ONES' first n elements, for each n: made once each, when first needed. */
const ONES_VIEWS: Int32Array[] = [];
function ones_view(n: number): Int32Array {
  let v = ONES_VIEWS[n];
  if (v === undefined) {
    // (Every length below n too: the array stays packed, so the lookup above stays a plain load.)
    for (let m = ONES_VIEWS.length; m <= n; m++) ONES_VIEWS.push(ONES.subarray(0, m));
    v = ONES_VIEWS[n];
  }
  return v;
}
/**
 * The shortest run of neighbouring frames alloc_run_anon() sets with fill()s and
 * set()s; shorter ones in one loop. Each of those five calls costs about as much
 * as the loop over a few dozen frames (measured on Node 20: a fill() or set() of
 * 3 elements 50-130 ns, the loop's five stores 1-2 ns a frame). The seed loop's
 * tables take two or three runs of 1-5 frames besides their long ones.
 */
const ANON_RUN_FILLS = 16;

/** The shortest run free_last_puts() tries word-wide (shorter ones: the head and tail frames would be most of it). */
const LAST_PUTS_WORDS = 16;

/** Why free_last_puts()'s pass stopped: the run's end or a frame whose put is not the last, */
const STOP_END = 0;
/** a frame free() refuses (its offset: the count returned), */
const STOP_BAD = 1;
/** a 16-bit generation at 0xffff (widen, then go on from that frame). */
const STOP_GEN = 2;
let stop = STOP_END;

/**
 * free_last_puts()' pass with 16-bit generations: from offset o, `step` apart, at most
 * `lim` frames while each has refcount 1 and no PF_HEAD: free()'s type check (`bad`:
 * NOT_FREEABLE) and the generation bump. Returns how many; `stop` says why it stopped.
 */
function last_puts16(refcount: Int32Array, flags: Uint8Array, type: Uint8Array, gen: Uint16Array, o: number, step: number, lim: number, bad: number): number {
  const head = PF_HEAD; // a local: PF_HEAD is a module cell, loaded on every frame otherwise
  let r = 0;
  for (let q = o; r < lim; r++, q += step) {
    if (refcount[q] !== 1 || (flags[q] & head) !== 0) break;
    if ((bad >> type[q]) & 1) {
      stop = STOP_BAD;
      return r;
    }
    const g = gen[q] + 1;
    if (g > 0xffff) {
      stop = STOP_GEN;
      return r;
    }
    gen[q] = g;
  }
  stop = STOP_END;
  return r;
}

/** last_puts16() with 32-bit generations, from the run's frame `r`. */
function last_puts32(refcount: Int32Array, flags: Uint8Array, type: Uint8Array, gen: Uint32Array, o: number, step: number, r: number, lim: number, bad: number): number {
  const head = PF_HEAD; // (as in last_puts16)
  for (let q = o + r * step; r < lim; r++, q += step) {
    if (refcount[q] !== 1 || (flags[q] & head) !== 0) break;
    if ((bad >> type[q]) & 1) {
      stop = STOP_BAD;
      return r;
    }
    gen[q]++;
  }
  stop = STOP_END;
  return r;
}

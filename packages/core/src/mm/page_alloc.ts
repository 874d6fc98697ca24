/**
 * Physical memory: page frames and their descriptors (struct page / struct ptdesc
 * fields that the model needs), held in typed arrays indexed by PFN.
 *
 * Frames are handed out from free lists (order 0 and order 9 for THP); freed frames
 * are poisoned: their type becomes PG_FREE, their generation is bumped and, for
 * page-table frames, their entries are overwritten (pgtable/store.ts), so a later
 * access through a stale pointer is detectable.
 */
import { MmsimError } from "@mmsim/spec";
import type * as types from "../types/mm_types.js";
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

export class PageFrames implements types.PageFrames {
  type = new Uint8Array(0);
  flags = new Uint8Array(0);
  refcount = new Int32Array(0);
  mapcount = new Int32Array(0);
  /** Times this frame was freed: a stale reference carries an older generation. */
  gen = new Uint32Array(0);
  /** User-data oracle: the value last written to the page (0 = zero-filled). */
  data = new Float64Array(0);
  /** Owner mm id of a page-table page (ptdesc->pt_mm) or of an anon page. */
  owner = new Int32Array(0);
  /** Virtual address an anon page is mapped at (single-mm rmap for MADV_FREE reclaim). */
  index = new Float64Array(0);

  private cap = 0;
  /** Frames ever used (PFN 0 is never handed out). */
  private top = 1;
  private free0: number[] = [];
  private free9: number[] = [];
  nr_free = 0;
  nr_used = 0;
  /** PFN of the shared zero page, and of the huge zero folio's head. */
  readonly zero_pfn: number;
  readonly huge_zero_pfn: number;

  constructor(readonly max_pfn = 2 ** 31 - 1) {
    this.grow(1 << 16);
    this.zero_pfn = this.alloc(0, PG_ZERO);
    this.refcount[this.zero_pfn] = 1 << 30;
    this.huge_zero_pfn = this.alloc(HPAGE_PMD_ORDER, PG_ZERO);
    this.refcount[this.huge_zero_pfn] = 1 << 30;
  }

  private grow(min: number): void {
    let cap = this.cap || 1024;
    while (cap < min) cap *= 2;
    if (cap === this.cap) return;
    const g = <T extends { length: number; set(a: ArrayLike<number>): void }>(old: T, mk: new (n: number) => T): T => {
      const n = new mk(cap);
      n.set(old as unknown as ArrayLike<number>);
      return n;
    };
    this.type = g(this.type, Uint8Array);
    this.flags = g(this.flags, Uint8Array);
    this.refcount = g(this.refcount, Int32Array);
    this.mapcount = g(this.mapcount, Int32Array);
    this.gen = g(this.gen, Uint32Array);
    this.data = g(this.data, Float64Array);
    this.owner = g(this.owner, Int32Array);
    this.index = g(this.index, Float64Array);
    this.cap = cap;
  }

  /** Allocate 2^order frames of `type`; returns the head PFN. */
  alloc(order: 0 | 9, type: number): number {
    let pfn: number | undefined = order === 0 ? this.free0.pop() : this.free9.pop();
    const n = 1 << order;
    if (pfn === undefined) {
      let base = this.top;
      if (order) base = Math.ceil(base / n) * n;
      if (base + n > this.max_pfn) throw new OutOfMemory(`out of simulated memory (max_pfn ${this.max_pfn})`);
      // Frames skipped to align a THP go to the order-0 free list.
      for (let p = this.top; p < base; p++) {
        this.free0.push(p);
        this.nr_free++;
      }
      if (base + n > this.cap) this.grow(base + n);
      this.top = base + n;
      pfn = base;
    } else this.nr_free -= n;
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
      this.gen[pfn + i]++;
      this.refcount[pfn + i] = 0;
      this.mapcount[pfn + i] = 0;
      this.flags[pfn + i] = 0;
    }
    (order ? this.free9 : this.free0).push(pfn);
    this.nr_free += n;
    this.nr_used -= n;
  }

  is_free(pfn: number): boolean {
    return this.type[pfn] === PG_FREE;
  }
}

/**
 * Folios as the model needs them: a head PFN, a reference count on the head, and
 * per-page mapcounts. A THP folio is 512 naturally aligned frames.
 */
import type { Kernel } from "../types/kernel.js";
import { HPAGE_PMD_NR, PF_HEAD, PF_LAZYFREE, PG_ANON, PG_TAIL, PG_ZERO } from "./page_alloc.js";

/*
 * These helpers run for every page a fault, zap or flush handles: they read the
 * first frame region's flat arrays themselves (`pfn < flat_n`), else call the
 * accessors (a call that is never made costs no V8 inlining budget; see
 * PageFrames).
 */

/** page_folio(): the head of the folio containing `pfn`. */
export function page_folio(k: Kernel, pfn: number): number {
  const f = k.frames;
  return (pfn < f.flat_n ? f.flat_type[pfn] : f.get_type(pfn)) === PG_TAIL ? pfn - (pfn % HPAGE_PMD_NR) : pfn;
}

export function folio_test_large(k: Kernel, head: number): boolean {
  const f = k.frames;
  return ((head < f.flat_n ? f.flat_flags[head] : f.get_flags(head)) & PF_HEAD) !== 0;
}

export function folio_test_anon(k: Kernel, head: number): boolean {
  const f = k.frames;
  return (head < f.flat_n ? f.flat_type[head] : f.get_type(head)) === PG_ANON;
}

export function folio_get(k: Kernel, head: number): void {
  k.frames.add_refcount(head, 1);
}

/** folio_put(): drop a reference; the last one frees the folio. */
export function folio_put(k: Kernel, head: number): void {
  const f = k.frames;
  if ((head < f.flat_n ? f.flat_type[head] : f.get_type(head)) === PG_ZERO) return;
  if ((head < f.flat_n ? --f.flat_refcount[head] : f.add_refcount(head, -1)) === 0) {
    k.sanitizer?.page_freed(head);
    f.clear_flag_bits(head, PF_LAZYFREE);
    f.free(head, (f.get_flags(head) & PF_HEAD) !== 0 ? 9 : 0);
  } else if (f.get_refcount(head) < 0) throw new Error(`folio_put: refcount underflow on pfn ${head}`);
}

/** vm_normal_page(): NULL (-1) for the zero pages, which are special mappings. */
export function vm_normal_page(k: Kernel, pfn: number): number {
  const f = k.frames;
  const ty = pfn < f.flat_n ? f.flat_type[pfn] : f.get_type(pfn);
  return ty === PG_ZERO || (ty === PG_TAIL && k.frames.get_type(page_folio(k, pfn)) === PG_ZERO) ? -1 : pfn;
}

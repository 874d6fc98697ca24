/**
 * Folios as the model needs them: a head PFN, a reference count on the head, and
 * per-page mapcounts. A THP folio is 512 naturally aligned frames.
 */
import type { Kernel } from "../types/kernel.js";
import { HPAGE_PMD_NR, PF_HEAD, PF_LAZYFREE, PG_ANON, PG_TAIL, PG_ZERO } from "./page_alloc.js";

/** page_folio(): the head of the folio containing `pfn`. */
export function page_folio(k: Kernel, pfn: number): number {
  return k.frames.get_type(pfn) === PG_TAIL ? pfn - (pfn % HPAGE_PMD_NR) : pfn;
}

export function folio_test_large(k: Kernel, head: number): boolean {
  return (k.frames.get_flags(head) & PF_HEAD) !== 0;
}

export function folio_test_anon(k: Kernel, head: number): boolean {
  return k.frames.get_type(head) === PG_ANON;
}

export function folio_get(k: Kernel, head: number): void {
  k.frames.add_refcount(head, 1);
}

/** folio_put(): drop a reference; the last one frees the folio. */
export function folio_put(k: Kernel, head: number): void {
  const f = k.frames;
  if (f.get_type(head) === PG_ZERO) return;
  if (f.add_refcount(head, -1) === 0) {
    k.sanitizer?.page_freed(head);
    f.clear_flag_bits(head, PF_LAZYFREE);
    f.free(head, (f.get_flags(head) & PF_HEAD) !== 0 ? 9 : 0);
  } else if (f.get_refcount(head) < 0) throw new Error(`folio_put: refcount underflow on pfn ${head}`);
}

/** vm_normal_page(): NULL (-1) for the zero pages, which are special mappings. */
export function vm_normal_page(k: Kernel, pfn: number): number {
  const ty = k.frames.get_type(pfn);
  return ty === PG_ZERO || (ty === PG_TAIL && k.frames.get_type(page_folio(k, pfn)) === PG_ZERO) ? -1 : pfn;
}

/**
 * Folios as the model needs them: a head PFN, a reference count on the head, and
 * per-page mapcounts. A THP folio is 512 naturally aligned frames.
 */
import type { Kernel } from "../types/kernel.js";
import { HPAGE_PMD_NR, PF_HEAD, PF_LAZYFREE, PG_ANON, PG_TAIL, PG_ZERO } from "./page_alloc.js";

/** page_folio(): the head of the folio containing `pfn`. */
export function page_folio(k: Kernel, pfn: number): number {
  return k.frames.type[pfn] === PG_TAIL ? pfn - (pfn % HPAGE_PMD_NR) : pfn;
}

export function folio_test_large(k: Kernel, head: number): boolean {
  return (k.frames.flags[head] & PF_HEAD) !== 0;
}

export function folio_test_anon(k: Kernel, head: number): boolean {
  return k.frames.type[head] === PG_ANON;
}

export function folio_get(k: Kernel, head: number): void {
  k.frames.refcount[head]++;
}

/** folio_put(): drop a reference; the last one frees the folio. */
export function folio_put(k: Kernel, head: number): void {
  const f = k.frames;
  if (f.type[head] === PG_ZERO) return;
  if (--f.refcount[head] === 0) {
    k.sanitizer?.page_freed(head);
    f.flags[head] &= ~PF_LAZYFREE;
    f.free(head, (f.flags[head] & PF_HEAD) !== 0 ? 9 : 0);
  } else if (f.refcount[head] < 0) throw new Error(`folio_put: refcount underflow on pfn ${head}`);
}

/** vm_normal_page(): NULL (-1) for the zero pages, which are special mappings. */
export function vm_normal_page(k: Kernel, pfn: number): number {
  const ty = k.frames.type[pfn];
  return ty === PG_ZERO || (ty === PG_TAIL && k.frames.type[page_folio(k, pfn)] === PG_ZERO) ? -1 : pfn;
}

/**
 * The THP deferred split queue (mm/huge_memory.c deferred_split_folio(),
 * mm/rmap.c __folio_remove_rmap()): an anonymous large folio that loses some
 * of its PTE mappings while others remain is partially mapped; it is queued,
 * and under memory pressure the "thp-deferred_split" shrinker
 * (deferred_split_count/deferred_split_scan, run from shrink_slab(): mm/vmscan.ts
 * deferred_split_shrink) splits it: its unmapped subpages are freed and, since
 * 6.12, its mapped subpages that hold only zeroes are remapped to the shared
 * zero page (split_folio() in huge_memory.ts). Found by `mmsim check-host
 * --random` against Linux 6.18 (host corpus: thp-deferred-split).
 *
 * Model differences: the queue is one per kernel (Linux: one per memcg and
 * node); a folio fully mapped is never queued (Linux 6.12+ queues every new
 * anonymous THP for the underused-THP shrinker, deferred_split_folio(folio,
 * false), but with khugepaged/max_ptes_none at its default 511 thp_underused()
 * is false and the scan drops them: they only add to the count the scan quota
 * is computed from).
 */
import type { Kernel } from "../types/kernel.js";
import { folio_test_anon, folio_test_large } from "./folio.js";
import { HPAGE_PMD_NR } from "./page_alloc.js";

export interface DeferredSplitQueue {
  /** ds_queue->split_queue: head pfns, oldest first (insertion order). */
  readonly folios: Set<number>;
  /** The shrinker's nr_deferred: scan work carried over to the next shrink_slab(). */
  nr_deferred: number;
}

const queues = new WeakMap<Kernel, DeferredSplitQueue>();

/** get_deferred_split_queue(): the kernel's queue. */
export function deferred_split_queue(k: Kernel): DeferredSplitQueue {
  let q = queues.get(k);
  if (!q) {
    q = { folios: new Set(), nr_deferred: 0 };
    queues.set(k, q);
  }
  return q;
}

/** Whether some subpage of THP `head` is mapped and some is not (folio_test_partially_mapped() as the mapcounts tell). */
export function folio_partially_mapped(k: Kernel, head: number): boolean {
  const f = k.frames;
  let mapped = false;
  let unmapped = false;
  for (let i = 0; i < HPAGE_PMD_NR && !(mapped && unmapped); i++) {
    if (f.get_mapcount(head + i) > 0) mapped = true;
    else unmapped = true;
  }
  return mapped && unmapped;
}

/**
 * __folio_remove_rmap()'s tail after folio_remove_rmap_ptes() of `nr` pages
 * from `page` of anon THP `head`: "Queue anon large folio for deferred split if
 * at least one page of the folio is unmapped and at least one page is still
 * mapped" (deferred_split_folio(folio, true), once: !folio_test_partially_mapped).
 */
export function folio_remove_rmap_ptes_deferred(k: Kernel, head: number, page: number, nr: number): void {
  const q = deferred_split_queue(k);
  if (q.folios.has(head)) return;
  const f = k.frames;
  let now_unmapped = false;
  for (let i = 0; i < nr && !now_unmapped; i++) now_unmapped = f.get_mapcount(page + i) === 0;
  if (now_unmapped && folio_partially_mapped(k, head)) q.folios.add(head);
}

/**
 * folio_unqueue_deferred_split(), late: Linux takes a THP off the queue when it
 * is freed (free_pages_prepare); the model's page allocator (a lower layer)
 * does not call up here, so deferred_split_count() drops the entries whose
 * folio is no longer a partially mapped anon THP first (freed, or its pfn
 * reused) and counts the rest. Model difference: a pfn freed and reused by a
 * new THP that is partially mapped in turn keeps its old place in the queue.
 */
export function deferred_split_count(k: Kernel): number {
  const q = deferred_split_queue(k);
  for (const head of q.folios) if (!folio_test_large(k, head) || !folio_test_anon(k, head) || !folio_partially_mapped(k, head)) q.folios.delete(head);
  return q.folios.size;
}

/** Per-kernel state kept outside the Kernel object: the explorer's post-setup snapshot copies it with the kernel (check/setup_snapshot.ts). */
export const DEFERRED_SPLIT_SIDE_TABLE: WeakMap<object, unknown> = queues as WeakMap<object, unknown>;

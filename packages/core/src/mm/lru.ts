/**
 * The node's LRU lists as reclaim of anonymous memory meets them (mm/swap.c:
 * folio_mark_lazyfree → lru_lazyfree; include/linux/mm_inline.h), one node, one
 * lruvec (no memcg).
 *
 * What the model keeps, and where it is simplified:
 *   - LRU_INACTIVE_FILE holds exactly the lazily freed anon folios: MADV_FREE's
 *     folio_mark_lazyfree() moves a swap-backed anon folio there (lru_lazyfree:
 *     clear PG_swapbacked, add to the inactive file list, newest last). The model
 *     has no file pages, so that list is the lazily freed folios in MADV_FREE
 *     order, oldest first, as Linux orders them. It is a Map pfn → the frame's
 *     generation: a folio freed by someone else (zap, munmap) leaves a stale
 *     entry that reclaim drops when it meets it (Linux deletes it from the list
 *     in __folio_put; the order of the live entries is the same).
 *   - The anon lists (LRU_INACTIVE_ANON/ACTIVE_ANON, fault order) are not kept:
 *     with a swap device, reclaim approximates them by a CLOCK over the page
 *     tables (see mm/vmscan.ts shrink_anon_clock): the accessed bit gives a folio
 *     its second chance, as folio_check_references() does on the inactive list.
 *   - Lazily freed THPs (PMD-mapped) are not put on the list: reclaim keeps them
 *     (Linux 6.12+ discards a clean one whole, unmap_huge_pmd_locked()).
 *   - No per-CPU folio batches (lru_add/lru_lazyfree drain at once).
 */
import type { Kernel } from "../types/kernel.js";
import { PF_LAZYFREE, PG_ANON } from "./page_alloc.js";

/** vmstat events reclaim counts (/proc/vmstat names). */
export interface ReclaimStat {
  /** PGLAZYFREE: folios MADV_FREE put on the lazy-free list. */
  pglazyfree: number;
  /** PGLAZYFREED: lazily freed folios discarded by reclaim. */
  pglazyfreed: number;
  /** nr_lazyfree_fail: lazily freed folios found re-dirtied (swap-backed again). */
  nr_lazyfree_fail: number;
  /** PGSCAN_{KSWAPD,DIRECT} (anon + file). */
  pgscan_kswapd: number;
  pgscan_direct: number;
  /** PGSTEAL_{KSWAPD,DIRECT}. */
  pgsteal_kswapd: number;
  pgsteal_direct: number;
  /** PSWPOUT is the swap device's (swap_info.pswpout). PGACTIVATE: second chances given. */
  pgactivate: number;
}

export interface Lruvec {
  /** LRU_INACTIVE_FILE: lazily freed order-0 anon folios, oldest first (pfn → frame generation when added). */
  readonly inactive_file: Map<number, number>;
  readonly stat: ReclaimStat;
}

const lruvecs = new WeakMap<Kernel, Lruvec>();

/** mem_cgroup_lruvec(NULL, NODE_DATA(0)): the machine's one lruvec. */
export function node_lruvec(k: Kernel): Lruvec {
  let l = lruvecs.get(k);
  if (!l) {
    l = {
      inactive_file: new Map(),
      stat: { pglazyfree: 0, pglazyfreed: 0, nr_lazyfree_fail: 0, pgscan_kswapd: 0, pgscan_direct: 0, pgsteal_kswapd: 0, pgsteal_direct: 0, pgactivate: 0 },
    };
    lruvecs.set(k, l);
  }
  return l;
}

/** Whether the list entry (pfn, gen) is still a lazily freed anon folio (not freed and reused since). */
export function lazyfree_entry_live(k: Kernel, pfn: number, gen: number): boolean {
  const f = k.frames;
  return f.gen[pfn] === gen && f.type[pfn] === PG_ANON && (f.flags[pfn] & PF_LAZYFREE) !== 0;
}

/**
 * folio_mark_lazyfree() → lru_lazyfree(): called by MADV_FREE for an order-0
 * anon folio *before* it sets PF_LAZYFREE. A folio already lazily free
 * (!swapbacked) stays where it is, as in Linux; a swap-backed one goes to the
 * list's tail (newest).
 */
export function lru_lazyfree(k: Kernel, folio: number): void {
  const f = k.frames;
  if (f.flags[folio] & PF_LAZYFREE) return;
  const l = node_lruvec(k);
  const list = l.inactive_file;
  list.delete(folio);
  list.set(folio, f.gen[folio]);
  l.stat.pglazyfree++;
  // Stale entries (folios freed since) are dropped when reclaim meets them; keep the list bounded without reclaim.
  if (list.size > 2 * f.nr_used + 4096) for (const [pfn, gen] of list) if (!lazyfree_entry_live(k, pfn, gen) && pfn !== folio) list.delete(pfn);
}

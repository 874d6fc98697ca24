/**
 * Reclaim of one anonymous folio to swap (mm/vmscan.c: reclaim_pages →
 * shrink_folio_list → folio_alloc_swap, try_to_unmap, pageout, __remove_mapping),
 * reached from MADV_PAGEOUT when a swap device is configured (mm/madvise.ts).
 *
 * Model differences: MADV_PAGEOUT isolates each folio and reclaims it at once,
 * with the PTE lock of the walk held (Linux collects the table's folios on a
 * list and calls reclaim_pages() after pte_unmap_unlock(); try_to_unmap() then
 * retakes the PTE lock in page_vma_mapped_walk()); the write to the slot is
 * synchronous and the folio leaves the swap cache at once (see swapfile.ts).
 * A large folio is split before (the caller: folio_alloc_swap() of a THP fails
 * on a swap file, which is not a block device, and shrink_folio_list() splits it).
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { folio_get, folio_put } from "./folio.js";
import { PF_DIRTY } from "./page_alloc.js";
import { try_to_unmap_one_swap } from "./rmap.js";
import { folio_alloc_swap, put_swap_folio } from "./swapfile.js";

/**
 * shrink_folio_list() for one order-0, anon, swap-backed folio mapped once at
 * `addr` by PTE `p` (PTE lock held). Returns true when the page went to swap;
 * false when it stays mapped (swap full: activate_locked; or try_to_unmap failed).
 */
export function* shrink_anon_folio(t: Task, p: number, addr: number, page: number): KPath<boolean> {
  const k = t.k;
  const f = k.frames;
  folio_get(k, page); // folio_isolate_lru(): reclaim's reference
  // add_to_swap → folio_alloc_swap(): a slot, the folio in the swap cache.
  const offset = folio_alloc_swap(k);
  if (offset === 0) {
    folio_put(k, page); // activate_locked: back to the LRU, still mapped
    return false;
  }
  f.flags[page] |= PF_DIRTY; // folio_mark_dirty(): a new swap cache folio must be written
  if (!(yield* try_to_unmap_one_swap(t, p, addr, offset))) {
    put_swap_folio(k, offset); // activate_locked: folio_free_swap()
    f.flags[page] &= ~PF_DIRTY;
    folio_put(k, page);
    return false;
  }
  // pageout() → swap_writeout(): the page's contents go to the slot.
  const si = k.swap_info!;
  si.set_data(offset, f.data[page]);
  si.pswpout++;
  f.flags[page] &= ~PF_DIRTY;
  // __remove_mapping() → __delete_from_swap_cache() + put_swap_folio(); the last reference frees the folio.
  put_swap_folio(k, offset);
  folio_put(k, page);
  return true;
}

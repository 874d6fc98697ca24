/**
 * Page reclaim (mm/vmscan.c) for anonymous memory.
 *
 * Memory pressure (issue #12 §1): do_try_to_free_pages() / balance_pgdat() →
 * shrink_node() → shrink_lruvec() → shrink_inactive_list() →
 * shrink_folio_list() → try_to_unmap_one() (mm/rmap.ts) through a
 * page_vma_mapped_walk(), then the plugin's `shrink` hook where shrink_slab()
 * runs. Run by kswapd (mm/kswapd.ts: a kernel thread, no mm, lazy TLB) or by
 * direct reclaim in the allocating task. The LRU lists: mm/lru.ts.
 *
 * Reclaim of one anonymous folio to swap (reclaim_pages →
 * shrink_folio_list → folio_alloc_swap, try_to_unmap, pageout, __remove_mapping),
 * reached from MADV_PAGEOUT when a swap device is configured (mm/madvise.ts),
 * and from shrink_node()'s anon pass.
 *
 * Model differences: MADV_PAGEOUT isolates each folio and reclaims it at once,
 * with the PTE lock of the walk held (Linux collects the table's folios on a
 * list and calls reclaim_pages() after pte_unmap_unlock(); try_to_unmap() then
 * retakes the PTE lock in page_vma_mapped_walk()); the write to the slot is
 * synchronous and the folio leaves the swap cache at once (see swapfile.ts).
 * A large folio is split before (the caller: folio_alloc_swap() of a THP fails
 * on a swap file, which is not a block device, and shrink_folio_list() splits it).
 */
import type { ScanControl } from "@mmsim/spec";
import { VM_LOCKED } from "../pgtable/arch.js";
import { addr_end } from "../pgtable/offset.js";
import { ptep_get, ptep_modify } from "../pgtable/ops.js";
import { pte_offset_map_lock, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { pmd_walk_map, pmd_walk_unmap } from "../pgtable/upper_map.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_read_trylock, up_read } from "../sync/rwsem.js";
import { folio_get, folio_put, folio_test_large, vm_normal_page } from "./folio.js";
import { deferred_split_count, deferred_split_queue, folio_partially_mapped } from "./deferred_split.js";
import { split_folio } from "./huge_memory.js";
import { node_lruvec } from "./lru.js";
import { MM_ANONPAGES, vma_is_anonymous } from "./mm.js";
import type { MmStruct } from "./mm_struct.js";
import { HPAGE_PMD_NR, PF_DIRTY, PF_LAZYFREE, PF_REFERENCED, PG_ANON } from "./page_alloc.js";
import { try_to_unmap_one, try_to_unmap_one_swap, try_to_unmap_one_walk_done } from "./rmap.js";
import { folio_alloc_swap, put_swap_folio } from "./swapfile.js";

/**
 * shrink_folio_list() for one order-0, anon, swap-backed folio mapped once at
 * `addr` by PTE `p` (PTE lock held). Returns true when the page went to swap;
 * false when it stays mapped (swap full: activate_locked; or try_to_unmap failed).
 */
export function* shrink_anon_folio(t: Task, p: number, addr: number, page: number, mm: MmStruct = t.mm!): KPath<boolean> {
  const k = t.k;
  const f = k.frames;
  folio_get(k, page); // folio_isolate_lru(): reclaim's reference
  // add_to_swap → folio_alloc_swap(): a slot, the folio in the swap cache.
  const offset = folio_alloc_swap(k);
  if (offset === 0) {
    folio_put(k, page); // activate_locked: back to the LRU, still mapped
    return false;
  }
  f.set_flag_bits(page, PF_DIRTY); // folio_mark_dirty(): a new swap cache folio must be written
  if (!(yield* try_to_unmap_one_swap(t, p, addr, offset, mm))) {
    put_swap_folio(k, offset); // activate_locked: folio_free_swap()
    f.clear_flag_bits(page, PF_DIRTY);
    folio_put(k, page);
    return false;
  }
  // pageout() → swap_writeout(): the page's contents go to the slot.
  const si = k.swap_info!;
  si.set_data(offset, f.get_data(page));
  si.pswpout++;
  f.clear_flag_bits(page, PF_DIRTY);
  // __remove_mapping() → __delete_from_swap_cache() + put_swap_folio(); the last reference frees the folio.
  put_swap_folio(k, offset);
  folio_put(k, page);
  return true;
}

/* ---- memory pressure: shrink_node() over the anon LRU (issue #12 §1) ---- */

/** SWAP_CLUSTER_MAX: folios isolated per batch (isolate_lru_folios). */
export const SWAP_CLUSTER_MAX = 32;
/** DEF_PRIORITY: the first pass scans lru_size >> 12. */
export const DEF_PRIORITY = 12;
/** GFP_KERNEL / GFP_HIGHUSER_MOVABLE as sc->gfp_mask (only recorded). */
export const GFP_KERNEL = 0xcc0;
export const GFP_HIGHUSER_MOVABLE = 0x140cca;

/** struct scan_control as reclaim fills it (the spec's ScanControl is the plugin's read-mostly view). */
export interface ScanControlState extends ScanControl {
  priority: number;
}

/** A fresh scan_control for `nr_to_reclaim` pages. */
export function scan_control(nr_to_reclaim: number, kswapd: boolean, may_swap = true): ScanControlState {
  return { nr_to_reclaim, nr_reclaimed: 0, nr_scanned: 0, nr_pt_reclaimed: 0, priority: DEF_PRIORITY, kswapd, may_swap, gfp_mask: kswapd ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE };
}

type FolioRef = "reclaim" | "keep" | "activate";

/**
 * Model: the plugin hooks a reclaim walk reaches (pte_offset_map / pte_unmap,
 * try_to_unmap_one{,_done,_redirty}) take no mm argument and read the walked
 * mm from `t.mm`, as every other walker runs in the mm it walks. Linux's rmap
 * walk passes vma->vm_mm down; here kswapd (mm NULL) and direct reclaim of
 * another mm's folio set `t.mm` to the folio's mm for the walk (what
 * kthread_use_mm() would do) and restore it after. Returns the mm to restore.
 * The CPU's TLB state does not change (kswapd's CPU stays lazy). The `shrink`
 * hook runs outside any walk: kswapd's `t.mm` is null there.
 */
function use_walk_mm(t: Task, mm: MmStruct): MmStruct | null {
  const own = t.mm;
  t.mm = mm;
  return own;
}

/**
 * folio_check_references() for an order-0 anon folio whose PTE `p` is mapped and
 * locked: folio_referenced() (ptep_clear_flush_young_notify: test and clear the
 * accessed bit; x86 does not flush the TLB for it) and PG_referenced, the
 * inactive list's second chance: referenced once → keep (PG_referenced set),
 * referenced again → activate.
 */
function* folio_check_references(t: Task, p: number, folio: number): KPath<FolioRef> {
  const k = t.k;
  const a = k.arch;
  const f = k.frames;
  const pte = yield* ptep_get(t, p);
  const referenced_folio = (f.get_flags(folio) & PF_REFERENCED) !== 0; // folio_test_clear_referenced()
  f.clear_flag_bits(folio, PF_REFERENCED);
  if (a.pte_young(pte)) {
    yield* ptep_modify(t, p, a.pte_mkold(pte));
    f.set_flag_bits(folio, PF_REFERENCED); // folio_set_referenced()
    return referenced_folio ? "activate" : "keep";
  }
  return "reclaim";
}

/** What shrink_folio_list() did with one folio. */
export type FolioFate = "freed" | "keep" | "activate" | "redirtied" | "gone";

/**
 * shrink_folio_list() for one lazily freed (!swapbacked) order-0 anon folio
 * taken off the inactive file list, with its rmap walk (rmap_walk_anon →
 * try_to_unmap_one through page_vma_mapped_walk): the folio's one mapping is
 * (frames.owner, frames.index), the model's single-mm rmap.
 *
 *   - rmap lock: the anon_vma read lock is modelled by mmap_read_trylock() on the
 *     owner mm (reclaim must not block on it; folio_referenced()'s try_lock
 *     failing keeps the folio, FOLIOREF_KEEP);
 *   - page_vma_mapped_walk(): pte_offset_map_lock(), then check_pte(): the PTE
 *     must still map this folio (a racing zap or fault may have changed it);
 *   - folio_check_references(), then try_to_unmap_one() in the same PTE-lock
 *     hold (Linux walks twice: folio_referenced() then try_to_unmap()), which
 *     discards a clean folio (MM_ANONPAGES -1, the PTE none) or, if the PTE or
 *     the folio is dirty, puts the PTE back and makes it swap-backed again
 *     (ret = false: activate_locked, back on the anon LRU);
 *   - page_vma_mapped_walk_done(): pte_unmap_unlock(), then the plugin's
 *     try_to_unmap_one_done / try_to_unmap_one_redirty hooks;
 *   - the isolation reference keeps the folio until __remove_mapping's end: the
 *     last folio_put() frees it after the TLB flush.
 */
export function* shrink_lazyfree_folio(t: Task, folio: number): KPath<FolioFate> {
  const k = t.k;
  const a = k.arch;
  const f = k.frames;
  const mm = k.mms.get(f.get_owner(folio));
  if (!mm || mm.exited) return "gone";
  const addr = f.get_index(folio);
  if (!(yield* down_read_trylock(t, mm.mmap_lock))) return "keep";
  const own = use_walk_mm(t, mm);
  let fate: FolioFate = "gone";
  const vma = mm.mm_mt.vma_lookup(addr);
  // mm_find_pmd(): pmd_walk_map() is walk_pmd() (no preemption point), or with
  // Kernel.rcu_upper pud/pmd_offset_map(), RCU held until the walk is done.
  const pmdp = vma ? yield* pmd_walk_map(t, mm, addr) : -1;
  if (vma && pmdp >= 0 && !a.pxd_none(k.pt.get(pmdp)) && !a.pmd_trans_huge(k.pt.get(pmdp))) {
    const p = yield* pte_offset_map_lock(t, mm, pmdp, addr);
    if (p >= 0) {
      const ptl = t.ptl!;
      const pte = yield* ptep_get(t, p);
      if (a.pte_present(pte) && a.pte_pfn(pte) === folio) {
        const refs = yield* folio_check_references(t, p, folio);
        if (refs !== "reclaim") fate = refs;
        else {
          folio_get(k, folio); // folio_isolate_lru(): reclaim's reference
          fate = (yield* try_to_unmap_one(t, vma, p, addr, pmdp)) ? "freed" : "redirtied";
        }
      }
      yield* pte_unmap_unlock(t, p, ptl);
      if (fate === "freed") yield* try_to_unmap_one_walk_done(t, vma, pmdp, [addr], []);
      else if (fate === "redirtied") yield* try_to_unmap_one_walk_done(t, vma, pmdp, [], [addr]);
    }
  }
  if (vma && pmdp >= 0) yield* pmd_walk_unmap(t);
  t.mm = own;
  yield* up_read(t, mm.mmap_lock);
  if (fate === "freed" || fate === "redirtied") folio_put(k, folio); // free_unref_folios() / putback: the isolation reference
  return fate;
}

/**
 * shrink_inactive_list() on LRU_INACTIVE_FILE (the lazily freed folios): isolate
 * up to `nr_to_scan` from the oldest end in SWAP_CLUSTER_MAX batches,
 * shrink_folio_list() each; kept and activated ones go back at the newest end
 * (move_folios_to_lru; the model has no active file list: an activated lazily
 * freed folio rotates); re-dirtied ones leave the list (swap-backed again).
 */
function* shrink_inactive_file(t: Task, sc: ScanControlState, nr_to_scan: number): KPath {
  const k = t.k;
  const l = node_lruvec(k);
  while (nr_to_scan > 0 && l.size && sc.nr_reclaimed < sc.nr_to_reclaim) {
    const batch = l.isolate(Math.min(SWAP_CLUSTER_MAX, nr_to_scan)); // isolate_lru_folios()
    if (!batch.length) break;
    nr_to_scan -= batch.length;
    sc.nr_scanned += batch.length;
    if (sc.kswapd) l.stat.pgscan_kswapd += batch.length;
    else l.stat.pgscan_direct += batch.length;
    for (const folio of batch) {
      const fate = yield* shrink_lazyfree_folio(t, folio);
      if (fate === "freed") {
        sc.nr_reclaimed++;
        l.stat.pglazyfreed++;
        if (sc.kswapd) l.stat.pgsteal_kswapd++;
        else l.stat.pgsteal_direct++;
      } else if (fate === "redirtied") l.stat.nr_lazyfree_fail++;
      else if (fate === "keep" || fate === "activate") {
        if (fate === "activate") l.stat.pgactivate++;
        l.add_tail(folio); // move_folios_to_lru()
      }
    }
  }
}

/**
 * The anon LRU with a swap device: a CLOCK over the page tables, mm by mm (id
 * order), VMA by VMA, in address order (model: Linux keeps inactive/active anon
 * lists in fault order and gives a referenced folio a second chance; MGLRU walks
 * page tables much like this). A present, private, order-0, swap-backed anon
 * folio whose accessed bit is clear goes to swap (shrink_anon_folio); one with
 * the bit set has it cleared and is passed over. Up to `nr_to_scan` PTEs. Each
 * mm's mmap_lock is only tried (the rmap lock's try_lock).
 */
function* shrink_anon_clock(t: Task, sc: ScanControlState, nr_to_scan: number): KPath {
  const k = t.k;
  const a = k.arch;
  const f = k.frames;
  const l = node_lruvec(k);
  for (const mm of [...k.mms.values()]) {
    if (mm.exited || nr_to_scan <= 0 || sc.nr_reclaimed >= sc.nr_to_reclaim) continue;
    if (!(yield* down_read_trylock(t, mm.mmap_lock))) continue;
    const own = use_walk_mm(t, mm);
    for (const vma of [...mm.mm_mt.list]) {
      if (!vma_is_anonymous(vma) || vma.vm_flags & VM_LOCKED) continue;
      for (let addr = vma.vm_start; addr < vma.vm_end && nr_to_scan > 0 && sc.nr_reclaimed < sc.nr_to_reclaim; ) {
        const next = addr_end(addr, vma.vm_end, k.PMD_SIZE);
        const pmdp = yield* pmd_walk_map(t, mm, addr);
        if (pmdp >= 0 && !a.pxd_none(k.pt.get(pmdp)) && !a.pmd_trans_huge(k.pt.get(pmdp))) {
          const p0 = yield* pte_offset_map_lock(t, mm, pmdp, addr);
          if (p0 >= 0) {
            const ptl = t.ptl!;
            for (let p = p0, va = addr; va < next && nr_to_scan > 0 && sc.nr_reclaimed < sc.nr_to_reclaim; p++, va += 4096) {
              const pte = yield* ptep_get(t, p);
              if (!a.pte_present(pte)) continue;
              const page = vm_normal_page(k, a.pte_pfn(pte));
              if (page < 0 || f.get_type(page) !== PG_ANON || folio_test_large(k, page) || f.get_flags(page) & PF_LAZYFREE) continue;
              nr_to_scan--;
              sc.nr_scanned++;
              if (sc.kswapd) l.stat.pgscan_kswapd++;
              else l.stat.pgscan_direct++;
              const refs = yield* folio_check_references(t, p, page);
              if (refs !== "reclaim") {
                if (refs === "activate") l.stat.pgactivate++;
                continue;
              }
              if (yield* shrink_anon_folio(t, p, va, page, mm)) {
                sc.nr_reclaimed++;
                if (sc.kswapd) l.stat.pgsteal_kswapd++;
                else l.stat.pgsteal_direct++;
              }
            }
            yield* pte_unmap_unlock(t, p0, ptl);
          }
        }
        if (pmdp >= 0) yield* pmd_walk_unmap(t);
        addr = next;
      }
    }
    t.mm = own;
    yield* up_read(t, mm.mmap_lock);
  }
}

/**
 * shrink_lruvec() → get_scan_count() + shrink_list(): the lazily freed folios
 * (LRU_INACTIVE_FILE: scanned with or without swap, as Linux's SCAN_FILE
 * balance does when there is no swap) first, then, when a swap device is
 * configured and sc.may_swap, the anon folios (model: file then anon rather
 * than Linux's proportional interleave by swappiness). Each list scans
 * max(size >> priority, SWAP_CLUSTER_MAX) this pass.
 */
export function* shrink_lruvec(t: Task, sc: ScanControlState): KPath {
  const k = t.k;
  const l = node_lruvec(k);
  const file = Math.max(Math.ceil(l.size / 2 ** sc.priority), SWAP_CLUSTER_MAX);
  yield* shrink_inactive_file(t, sc, file);
  if (sc.may_swap && k.swap_info !== null && sc.nr_reclaimed < sc.nr_to_reclaim) {
    let anon = 0;
    for (const mm of k.mms.values()) if (!mm.exited) anon += mm.rss_stat[MM_ANONPAGES];
    yield* shrink_anon_clock(t, sc, Math.max(Math.ceil(anon / 2 ** sc.priority), SWAP_CLUSTER_MAX));
  }
}

/**
 * shrink_node(): the LRU pass, then shrink_slab(): the THP deferred split
 * shrinker, then the plugin's `shrink` hook (a page-table shrinker). The tables it frees are not counted
 * into nr_reclaimed: they go after an RCU grace period, outside the pass (Linux
 * counts only slab pages freed during the pass, through reclaim_state).
 */
export function* shrink_node(t: Task, sc: ScanControlState): KPath {
  yield* shrink_lruvec(t, sc);
  yield* deferred_split_shrink(t, sc);
  const hook = t.k.hooks.shrink;
  if (hook !== null) yield* hook(t, sc);
}

/**
 * do_try_to_free_pages() / balance_pgdat()'s priority loop: shrink_node() at
 * DEF_PRIORITY, then lower priorities (larger scans) until nr_to_reclaim pages
 * are reclaimed or priority 0 has run. Model: one node, no watermarks, no
 * compaction, no OOM; the target is the caller's.
 */
export function* do_try_to_free_pages(t: Task, sc: ScanControlState): KPath<ScanControlState> {
  for (let priority = DEF_PRIORITY; priority >= 0; priority--) {
    sc.priority = priority;
    yield* shrink_node(t, sc);
    if (sc.nr_reclaimed >= sc.nr_to_reclaim) break;
  }
  return sc;
}

/** SHRINK_BATCH, DEFAULT_SEEKS (include/linux/shrinker.h, mm/shrinker.c). */
const SHRINK_BATCH = 128;
const DEFAULT_SEEKS = 2;

/**
 * do_shrink_slab() of the "thp-deferred_split" shrinker (mm/shrinker.c): the
 * scan quota from the queue's length (deferred_split_count), the priority
 * and the work deferred from earlier calls; scanned in SHRINK_BATCH pieces,
 * or all of it when the quota reaches the queue's length (tight on memory).
 */
export function* deferred_split_shrink(t: Task, sc: ScanControlState): KPath {
  const q = deferred_split_queue(t.k);
  const freeable = deferred_split_count(t.k);
  if (freeable === 0) return;
  const nr = q.nr_deferred;
  q.nr_deferred = 0;
  const delta = Math.floor(((freeable >> sc.priority) * 4) / DEFAULT_SEEKS);
  let total_scan = Math.min(Math.floor(nr / 2 ** sc.priority) + delta, 2 * freeable);
  let scanned = 0;
  while (total_scan >= SHRINK_BATCH || total_scan >= freeable) {
    const nr_to_scan = Math.min(SHRINK_BATCH, total_scan);
    if ((yield* deferred_split_scan(t, nr_to_scan)) === "stop") break;
    total_scan -= nr_to_scan;
    scanned += nr_to_scan;
  }
  q.nr_deferred = Math.min(Math.max(nr + delta - scanned, 0), 2 * freeable);
}

/**
 * deferred_split_scan() (mm/huge_memory.c): take up to `nr_to_scan` folios off
 * the queue, oldest first; split each one still partially mapped (split_folio:
 * unmapped subpages freed, zero-filled mapped ones remapped to the shared
 * zero page); one that could not be split goes back at the tail; one no longer
 * partially mapped is dropped. "stop" (SHRINK_STOP) when nothing was split and
 * the queue is empty.
 *
 * Model: Linux's split takes the folio lock and walks the rmap (anon_vma lock);
 * the model's rmap is (frames.owner, frames.index): the owner mm's mmap_lock is
 * only tried (as the other reclaim walks here), then the PMD and the PTE lock.
 */
function* deferred_split_scan(t: Task, nr_to_scan: number): KPath<number | "stop"> {
  const k = t.k;
  const q = deferred_split_queue(k);
  const list: number[] = [];
  for (const folio of q.folios) {
    list.push(folio);
    if (list.length >= nr_to_scan) break;
  }
  for (const folio of list) q.folios.delete(folio);
  let split = 0;
  for (const folio of list) {
    if (!folio_test_large(k, folio) || !folio_partially_mapped(k, folio)) continue;
    if (yield* deferred_split_one(t, folio)) split++;
    else q.folios.add(folio); // requeue at the tail
  }
  return split === 0 && q.folios.size === 0 ? "stop" : split;
}

/** split_folio() of a queued, partially PTE-mapped anon THP, reached through its owner mm. */
function* deferred_split_one(t: Task, folio: number): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  const f = k.frames;
  const mm = k.mms.get(f.get_owner(folio));
  if (!mm || mm.exited) return false;
  const haddr = f.get_index(folio);
  let first = 0;
  while (first < HPAGE_PMD_NR && f.get_mapcount(folio + first) === 0) first++;
  const addr = haddr + first * 4096;
  if (!(yield* down_read_trylock(t, mm.mmap_lock))) return false;
  const own = use_walk_mm(t, mm);
  let done = false;
  const vma = mm.mm_mt.vma_lookup(addr);
  const pmdp = vma ? yield* pmd_walk_map(t, mm, addr) : -1;
  if (vma && pmdp >= 0 && !a.pxd_none(k.pt.get(pmdp)) && !a.pmd_trans_huge(k.pt.get(pmdp))) {
    const p = yield* pte_offset_map_lock(t, mm, pmdp, addr);
    if (p >= 0) {
      const ptl = t.ptl!;
      const pte = yield* ptep_get(t, p);
      if (a.pte_present(pte) && a.pte_pfn(pte) === folio + first)
        done = yield* split_folio(t, vma, folio, p - first, haddr, (va) => mm.mm_mt.vma_lookup(va) ?? vma);
      yield* pte_unmap_unlock(t, p, ptl);
    }
  }
  if (vma && pmdp >= 0) yield* pmd_walk_unmap(t);
  t.mm = own;
  yield* up_read(t, mm.mmap_lock);
  return done;
}

/**
 * madvise() (mm/madvise.c) for the advice the model supports. madvise_walk_vmas()
 * gives the partial effect plus -ENOMEM over holes; MADV_DONTNEED zaps with
 * zap_details.reclaim_pt set (the only caller that sets it); MADV_FREE marks
 * folios lazily free and drops swap entries (freeing their slots);
 * MADV_PAGEOUT reclaims lazily-free folios (try_to_unmap_one, in mm/rmap.ts)
 * and, with swap, writes the others to it (mm/vmscan.ts); MADV_(NO)HUGEPAGE,
 * MADV_NORMAL/RANDOM/SEQUENTIAL, MADV_(DONT|DO)FORK, MADV_(WIPE|KEEP)ONFORK,
 * MADV_(DONT|DO)DUMP and MADV_(UN)MERGEABLE change vm_flags with split/merge
 * (madvise_update_vma()); fork reads VM_DONTCOPY and VM_WIPEONFORK (mm/fork.ts).
 * MADV_GUARD_INSTALL/REMOVE (6.13+, the 6.18 era here) are mm/madvise_guard.ts.
 * MADV_COLLAPSE (6.1+: the 6.10 and 6.18 eras) is madvise_collapse() in
 * mm/khugepaged.ts (anonymous VMAs; a shmem VMA is -EINVAL once the range holds an
 * aligned 2 MiB, see there).
 * MADV_REMOVE (madvise_remove()) punches a hole in a shared mapping's shmem file
 * (mm/shmem.ts): the pages are zapped from every mapping and freed; the PTE
 * tables stay.
 * KSM: ksmd is not modelled (as /sys/kernel/mm/ksm/run = 0, our machines'
 * setting), so VM_MERGEABLE is only a flag: no page is ever merged, and
 * MADV_UNMERGEABLE has no KSM page to break.
 *
 * Locking: MADV_DONTNEED(_LOCKED) and MADV_FREE use the per-VMA read lock when
 * the range lies in one VMA and fall back to mmap_read_lock otherwise; the flag
 * changes take mmap_write_lock.
 *
 * Kernel era (k.era): the per-VMA lock is Linux 6.17's (a6fde7add78d "mm: use
 * per_vma lock for MADV_DONTNEED", then "mm: madvise: use per_vma lock for
 * MADV_FREE", both in the 6.17 merge window). In the 5.14, 5.18 and 6.10 eras
 * both advices take mmap_read_lock (madvise_need_mmap_write() is false for
 * them). MADV_DONTNEED_LOCKED arrived in 5.18 (9457056ac426): -EINVAL in 5.14.
 */
import type { KernelEra, PluginAdvice, ZapDetails } from "@mmsim/spec";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_read, down_read_trylock, down_write, up_read } from "../sync/rwsem.js";
import { mmap_write_unlock } from "./mmap_lock.js";
import {
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_HUGEPAGE,
  VM_LOCKED,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_MERGEABLE,
  VM_NOHUGEPAGE,
  VM_RAND_READ,
  VM_SEQ_READ,
  VM_SHARED,
  VM_WIPEONFORK,
} from "../pgtable/arch.js";
import { addr_end } from "../pgtable/offset.js";
import { pmdp_get, ptep_get, ptep_get_and_clear, ptep_modify } from "../pgtable/ops.js";
import { pmd_lock } from "../pgtable/pgalloc.js";
import { spin_unlock } from "../sync/spinlock.js";
import { pte_offset_map_lock, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { pmd_walk_map, pmd_walk_unmap } from "../pgtable/upper_map.js";
import { tlb_end_vma, tlb_finish_mmu, tlb_flush_pte_range, tlb_gather_mmu, tlb_start_vma, type MmuGather } from "../tlb/mmu_gather.js";
import { set_put_gather } from "../tlb/put_gather.js";
import { EACCES, EINVAL, ENOMEM } from "./errno.js";
import { is_ulong, page_align_ulong, ulong_of_aligned, ULONG_WRAP } from "./ulong.js";
import { folio_test_large, page_folio, vm_normal_page } from "./folio.js";
import { __split_huge_pmd, split_folio, split_folio_if_partial } from "./huge_memory.js";
import { madvise_collapse } from "./khugepaged.js";
import { lru_lazyfree } from "./lru.js";
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE, madvise_guard_install, madvise_guard_remove } from "./madvise_guard.js";
import { is_pte_marker } from "./pte_marker.js";
import { add_mm_counter, MM_SWAPENTS, vma_is_anonymous } from "./mm.js";
import type { MmStruct } from "./mm_struct.js";
import { HPAGE_PMD_NR, PF_DIRTY, PF_LAZYFREE, PG_ANON, PG_SHMEM } from "./page_alloc.js";
import { try_to_unmap_one, try_to_unmap_one_walk_done, try_to_unmap_shmem } from "./rmap.js";
import { free_swap_and_cache } from "./swapfile.js";
import { shmem_punch_hole } from "./shmem.js";
import { shrink_anon_folio } from "./vmscan.js";
import { vma_modify } from "./vma_modify.js";
import type { Vma } from "./vma.js";
import { zap_vma_range_batched } from "./zap.js";

export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;
export const MADV_WIPEONFORK = 18;
export const MADV_KEEPONFORK = 19;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
export const MADV_DONTNEED_LOCKED = 24;
export const MADV_COLLAPSE = 25;

/** The plugin's own advice (ReclaimPlugin.madvise_advice) with this value, or undefined. */
function plugin_advice(k: Task["k"], behavior: number): PluginAdvice | undefined {
  return k.plugin?.madvise_advice?.find((a) => a.behavior === behavior);
}

/**
 * madvise_behavior_valid(), for the advice the model implements (and the era
 * knows); MADV_POPULATE_* go through populate.ts's do_madvise() first. Exported
 * for the tools that replay a program's advice (@mmsim/trace).
 */
export function madvise_behavior_valid(behavior: number, era: KernelEra): boolean {
  if (behavior === MADV_DONTNEED_LOCKED && era === "5.14") return false;
  // Guard regions arrived in 6.13 (662df3e5c376 "mm: madvise: implement lightweight guard page mechanism").
  if (behavior === MADV_GUARD_INSTALL || behavior === MADV_GUARD_REMOVE) return era === "6.18";
  // MADV_COLLAPSE arrived in 6.1 (7d8faaf15545 "mm/madvise: introduce MADV_COLLAPSE sync hugepage collapse").
  if (behavior === MADV_COLLAPSE) return era === "6.10" || era === "6.18";
  switch (behavior) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_FREE:
    case MADV_REMOVE:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_MERGEABLE: // CONFIG_KSM, as on our machines
    case MADV_UNMERGEABLE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
      return true;
    default:
      return false;
  }
}

/** madvise_free_pte_range() for one PMD slice. */
function* madvise_free_pte_range(t: Task, tlb: MmuGather, vma: Vma, pmdp: number, addr: number, end: number): KPath {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  const pmd = k.pt.get(pmdp);
  if (!a.pxd_none(pmd) && a.pmd_trans_huge(pmd)) {
    // madvise_free_huge_pmd(): the huge zero page is left alone, whole or not (is_huge_zero_pmd(): goto out;
    // then the PTE walk's pte_offset_map_lock() fails on the huge PMD); a partial range splits the PMD first.
    const folio = a.pxd_pfn(pmd);
    if (folio === k.frames.huge_zero_pfn) return;
    if (addr % k.PMD_SIZE || end - addr !== k.PMD_SIZE) yield* __split_huge_pmd(t, vma, pmdp, addr);
    else {
      // Under pmd_trans_huge_lock(), on the entry read there: a split under way holds the
      // lock, and once it is done the PTE walk below takes the range.
      const ptl = yield* pmd_lock(t, pmdp);
      const orig = yield* pmdp_get(t, pmdp);
      if (!a.pxd_none(orig) && a.pmd_trans_huge(orig)) {
        k.frames.set_flags(folio, (k.frames.get_flags(folio) | PF_LAZYFREE) & ~PF_DIRTY);
        yield* ptep_modify(t, pmdp, a.pte_mkclean(a.pte_mkold(orig)));
        tlb_flush_pte_range(tlb, addr, k.PMD_SIZE);
        yield* spin_unlock(t, ptl);
        return;
      }
      yield* spin_unlock(t, ptl);
    }
  }
  const start = addr;
  let have_lazyfree = false;
  const ptep0 = yield* pte_offset_map_lock(t, mm, pmdp, addr);
  if (ptep0 < 0) return;
  const ptl = t.ptl!;
  // The large folio the walk found whole (madvise_folio_pte_batch() gave all its
  // pages) and where it ends: Linux steps over its PTEs as one batch, so they
  // are not checked again (from its second PTE on, the folio would look partly
  // covered and be split).
  let whole_folio = -1;
  let whole_end = 0;
  for (let p = ptep0; addr < end; p++, addr += 4096) {
    const ptent = yield* ptep_get(t, p);
    if (a.pte_none(ptent)) continue;
    if (!a.pte_present(ptent)) {
      // A guard marker stays (what our 6.18 kernels do: a later access still raises SIGSEGV).
      if (is_pte_marker(k, ptent)) continue;
      // A swap entry: just clear it, a fresh zeroed page is cheaper than a swap-in.
      free_swap_and_cache(k, a.pte_to_swp_offset(ptent));
      yield* ptep_get_and_clear(t, mm, addr, p); // clear_not_present_full_ptes()
      add_mm_counter(mm, MM_SWAPENTS, -1);
      continue;
    }
    const page = vm_normal_page(k, a.pte_pfn(ptent));
    if (page < 0) continue;
    const folio = page_folio(k, page);
    if (k.frames.get_type(folio) !== PG_ANON) continue;
    if (folio_test_large(k, folio) && !(folio === whole_folio && addr < whole_end)) {
      const r = yield* split_folio_if_partial(t, vma, folio, page, p, addr, end);
      if (r === "split") {
        p--;
        addr -= 4096;
      }
      if (r !== "whole") continue;
      whole_folio = folio;
      whole_end = addr + (HPAGE_PMD_NR - (page - folio)) * 4096;
    }
    k.frames.clear_flag_bits(folio, PF_DIRTY); // folio_clear_dirty()
    if (a.pte_young(ptent) || a.pte_dirty(ptent)) {
      yield* ptep_modify(t, p, a.pte_mkclean(a.pte_mkold(ptent))); // clear_young_dirty_ptes()
      tlb_flush_pte_range(tlb, addr, 4096);
    }
    if (!folio_test_large(k, folio)) lru_lazyfree(k, folio); // folio_mark_lazyfree() → lru_lazyfree: to the inactive file list (mm/lru.ts)
    k.frames.set_flag_bits(folio, PF_LAZYFREE); // folio_mark_lazyfree()
    have_lazyfree = true;
  }
  set_put_gather(t, tlb); // 2021 v2 9/9: pte_put_tlb(tlb, ...)
  yield* pte_unmap_unlock(t, ptep0, ptl);
  set_put_gather(t, null);
  const hook = k.hooks.madvise_free_pte_range;
  if (hook !== null) yield* hook(t, tlb, vma, pmdp, start, end, have_lazyfree);
}

/** madvise_free_single_vma() */
function* madvise_free_single_vma(t: Task, tlb: MmuGather, vma: Vma, start: number, end: number): KPath<number> {
  if (!vma_is_anonymous(vma)) return -EINVAL;
  tlb_start_vma(tlb, vma);
  for (let addr = start; addr < end; ) {
    const next = addr_end(addr, end, t.k.PMD_SIZE);
    // pmd_walk_map(): walk_pmd() as before, or (Kernel.rcu_upper) pud/pmd_offset_map() under RCU.
    const pmdp = yield* pmd_walk_map(t, t.mm!, addr);
    if (pmdp >= 0) {
      if (!t.k.arch.pxd_none(t.k.pt.get(pmdp))) yield* madvise_free_pte_range(t, tlb, vma, pmdp, addr, next);
      yield* pmd_walk_unmap(t);
    }
    addr = next;
  }
  yield* tlb_end_vma(t, tlb, vma);
  return 0;
}

/**
 * madvise_cold_or_pageout_pte_range() for one PMD slice. A THP the range covers
 * only partly is split (the PMD, then the folio: split_folio(), which maps
 * zero-filled subpages to the zero page); one it covers whole is deactivated or,
 * for MADV_PAGEOUT, reclaimed if lazily freed and clean (shrink_folio_list →
 * try_to_unmap with TTU_SPLIT_HUGE_PMD: the deposit becomes the PTE table), else
 * split (folio_alloc_swap() fails for a THP: split_folio_to_list(), zero-filled
 * subpages to the zero page), with or without swap. Small folios: MADV_PAGEOUT
 * discards lazily freed ones and unmaps shmem ones; other anon folios go to swap
 * when a swap device is configured (mm/vmscan.ts: the PTE becomes a swap entry)
 * and stay otherwise.
 * MADV_COLD changes nothing the model counts.
 */
function* madvise_cold_or_pageout_pte_range(t: Task, vma: Vma, pmdp: number, addr: number, next: number, pageout: boolean): KPath {
  const k = t.k;
  const a = k.arch;
  const f = k.frames;
  const pmd = k.pt.get(pmdp);
  if (a.pxd_none(pmd)) return;
  let reclaim_whole = false;
  if (a.pmd_trans_huge(pmd)) {
    const folio = a.pxd_pfn(pmd);
    if (folio === f.huge_zero_pfn) return;
    const whole = next - addr === k.PMD_SIZE;
    // MADV_PAGEOUT isolates a whole anon THP for shrink_folio_list(), where
    // folio_alloc_swap() fails for it (no swap device, or a swap file: no THP
    // swap) and split_folio_to_list() splits it, mapping its zero-filled
    // subpages to the shared zero page; with swap its pages are then swapped,
    // without, each fails folio_alloc_swap() and stays (activate_locked_split).
    const to_split = pageout && !(f.get_flags(folio) & PF_LAZYFREE);
    if (whole && !to_split && !(pageout && f.get_flags(folio) & PF_LAZYFREE && !(f.get_flags(folio) & PF_DIRTY) && !a.pte_dirty(pmd))) return;
    reclaim_whole = whole;
    yield* __split_huge_pmd(t, vma, pmdp, addr);
  }
  const ptep0 = yield* pte_offset_map_lock(t, t.mm!, pmdp, addr);
  if (ptep0 < 0) return;
  const ptl = t.ptl!;
  // What shrink_folio_list() → try_to_unmap_one() did to each lazily freed folio, in order.
  const discarded: number[] = [];
  const redirtied: number[] = [];
  // As in madvise_free_pte_range(): a large folio found whole is one batch; MADV_COLD does not look at its other PTEs again.
  let whole_folio = -1;
  let whole_end = 0;
  for (let p = ptep0, va = addr; va < next; p++, va += 4096) {
    const ptent = yield* ptep_get(t, p);
    if (!a.pte_present(ptent)) continue;
    const page = vm_normal_page(k, a.pte_pfn(ptent));
    if (page < 0) continue;
    const folio = page_folio(k, page);
    if (f.get_type(folio) === PG_ANON && folio_test_large(k, folio) && !reclaim_whole && !(folio === whole_folio && va < whole_end)) {
      const r = yield* split_folio_if_partial(t, vma, folio, page, p, va, next);
      if (r === "split") {
        p--;
        va -= 4096;
      }
      if (r !== "whole") continue;
      const n = Math.min(HPAGE_PMD_NR - (page - folio), (next - va) / 4096);
      if (pageout && f.get_flags(folio) & PF_LAZYFREE) {
        // try_to_unmap_one() of a lazily freed folio PTE-mapped whole: its PTEs are cleared as one batch and
        // their dirty bits go to the folio; redirtied, it is mapped back whole and swap-backed again.
        let dirty = (f.get_flags(folio) & PF_DIRTY) !== 0;
        for (let i = 0; i < n && !dirty; i++) dirty = a.pte_dirty(yield* ptep_get(t, p + i));
        if (dirty) {
          f.clear_flag_bits(folio, PF_LAZYFREE);
          redirtied.push(va);
          p += n - 1;
          va += (n - 1) * 4096;
          continue;
        }
      }
      // Otherwise MADV_PAGEOUT handles a whole folio page by page below (the split its reclaim does, a clean
      // lazily freed one's discard: the same pages go); MADV_COLD does not look at its other PTEs again.
      if (!pageout) {
        whole_folio = folio;
        whole_end = va + n * 4096;
      }
    }
    if (!pageout) continue;
    if (f.get_type(folio) === PG_ANON && f.get_flags(folio) & PF_LAZYFREE) {
      if (yield* try_to_unmap_one(t, vma, p, va, pmdp)) discarded.push(va);
      else redirtied.push(va);
    } else if (f.get_type(folio) === PG_ANON && (k.swap_info !== null || folio_test_large(k, folio))) {
      if (folio_test_large(k, folio)) {
        // folio_alloc_swap() fails for a THP (on a swap file, or with no swap at all): split_folio_to_list(), then each page
        // (without swap, each page's folio_alloc_swap() fails too and it stays: the split is all that happens).
        const first = page - folio;
        const haddr = va - first * 4096;
        const in_table = haddr % k.PMD_SIZE === 0 && Math.floor(haddr / k.PMD_SIZE) === Math.floor(va / k.PMD_SIZE);
        if (in_table && (yield* split_folio(t, vma, folio, p - first, haddr))) {
          p--;
          va -= 4096;
        }
        continue;
      }
      yield* shrink_anon_folio(t, p, va, page);
    }
    // folio_maybe_mapped_shared(): a folio mapped elsewhere too is skipped.
    else if (f.get_type(folio) === PG_SHMEM && f.get_mapcount(folio) === 1) yield* try_to_unmap_shmem(t, p, va);
  }
  yield* pte_unmap_unlock(t, ptep0, ptl);
  // try_to_unmap_one() after page_vma_mapped_walk_done(): the PTE lock released.
  if (discarded.length || redirtied.length) yield* try_to_unmap_one_walk_done(t, vma, pmdp, discarded, redirtied);
}

/**
 * madvise_remove(): punch a hole in the file behind a shared mapping
 * (vfs_fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE), shmem here).
 * -EINVAL for VM_LOCKED or a mapping without a file (private anonymous memory),
 * -EACCES for one that is not shared and writable-capable (vma_is_shared_maywrite).
 * Linux drops mmap_read_lock around vfs_fallocate() (the VMA may go meanwhile);
 * the model keeps it (nothing else can run in between in a workload).
 */
function* madvise_remove(t: Task, vma: Vma, start: number, end: number): KPath<number> {
  if (vma.vm_flags & VM_LOCKED) return -EINVAL;
  const f = vma.vm_file;
  if (!f) return -EINVAL;
  if (!(vma.vm_flags & VM_SHARED) || !(vma.vm_flags & VM_MAYWRITE)) return -EACCES;
  const first = vma.vm_pgoff + (start - vma.vm_start) / 4096;
  yield* shmem_punch_hole(t, f, first, first + (end - start) / 4096);
  return 0;
}

/** madvise_cold() / madvise_pageout() over [start, end) of one VMA. */
function* madvise_cold_or_pageout(t: Task, vma: Vma, start: number, end: number, pageout: boolean): KPath<number> {
  const k = t.k;
  if (vma.vm_flags & VM_LOCKED) return -EINVAL; // can_madv_lru_vma()
  for (let addr = start; addr < end; ) {
    const next = addr_end(addr, end, k.PMD_SIZE);
    const pmdp = yield* pmd_walk_map(t, t.mm!, addr);
    if (pmdp >= 0) {
      yield* madvise_cold_or_pageout_pte_range(t, vma, pmdp, addr, next, pageout);
      yield* pmd_walk_unmap(t);
    }
    addr = next;
  }
  return 0;
}

/** madvise_vma_behavior() for one VMA and [start, end) within it. */
/**
 * madvise_dontneed_single_vma()'s `struct zap_details details = { .reclaim_pt = true, .even_cows = true }`
 * (on its stack in Linux): the same every time, so one frozen object (issue #10: none per madvise).
 */
const DONTNEED_DETAILS: ZapDetails = Object.freeze({ skip_cows: false, reclaim_pt: true, unmap: false });

function* madvise_vma_behavior(t: Task, tlb: MmuGather, mm: MmStruct, vma: Vma, start: number, end: number, behavior: number): KPath<number> {
  let new_flags = vma.vm_flags;
  switch (behavior) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED: {
      // madvise_dontneed_free_valid_vma()
      if (behavior === MADV_DONTNEED && vma.vm_flags & VM_LOCKED) return -EINVAL;
      yield* zap_vma_range_batched(t, tlb, vma, start, end - start, DONTNEED_DETAILS);
      return 0;
    }
    case MADV_FREE:
      if (vma.vm_flags & VM_LOCKED) return -EINVAL;
      return yield* madvise_free_single_vma(t, tlb, vma, start, end);
    case MADV_PAGEOUT:
      return yield* madvise_cold_or_pageout(t, vma, start, end, true);
    case MADV_COLD:
      return yield* madvise_cold_or_pageout(t, vma, start, end, false);
    case MADV_WILLNEED:
      return 0;
    case MADV_REMOVE:
      return yield* madvise_remove(t, vma, start, end);
    case MADV_COLLAPSE:
      return yield* madvise_collapse(t, mm, vma, start, end);
    case MADV_GUARD_INSTALL:
      return yield* madvise_guard_install(t, mm, vma, start, end);
    case MADV_GUARD_REMOVE:
      return yield* madvise_guard_remove(t, mm, vma, start, end);

    // The below behaviours update VMAs via madvise_update_vma().

    case MADV_NORMAL:
      new_flags = new_flags & ~VM_RAND_READ & ~VM_SEQ_READ;
      break;
    case MADV_SEQUENTIAL:
      new_flags = (new_flags & ~VM_RAND_READ) | VM_SEQ_READ;
      break;
    case MADV_RANDOM:
      new_flags = (new_flags & ~VM_SEQ_READ) | VM_RAND_READ;
      break;
    case MADV_DONTFORK:
      new_flags |= VM_DONTCOPY;
      break;
    case MADV_DOFORK:
      // (Linux refuses a VMA that cannot merge, VM_IO or VM_PFNMAP: the model has none.)
      new_flags &= ~VM_DONTCOPY;
      break;
    case MADV_WIPEONFORK:
      // MADV_WIPEONFORK is only supported on anonymous memory.
      if (vma.vm_file || new_flags & VM_SHARED) return -EINVAL;
      new_flags |= VM_WIPEONFORK;
      break;
    case MADV_KEEPONFORK:
      // (Linux refuses a VM_DROPPABLE VMA: the model has none, MAP_DROPPABLE is -EINVAL.)
      new_flags &= ~VM_WIPEONFORK;
      break;
    case MADV_DONTDUMP:
      new_flags |= VM_DONTDUMP;
      break;
    case MADV_DODUMP:
      // (Only mm-backed memory can be dumped, vma_is_mm_backed(): every VMA of the model is.)
      new_flags &= ~VM_DONTDUMP;
      break;
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
      new_flags = ksm_madvise(vma, behavior, new_flags);
      break;
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE: {
      // hugepage_madvise()
      const set = behavior === MADV_HUGEPAGE ? VM_HUGEPAGE : VM_NOHUGEPAGE;
      const clear = behavior === MADV_HUGEPAGE ? VM_NOHUGEPAGE : VM_HUGEPAGE;
      new_flags = (new_flags & ~clear) | set;
      break;
    }
    default: {
      const adv = plugin_advice(t.k, behavior);
      if (adv === undefined) return -EINVAL;
      // A plugin's advice, as hugepage_madvise() + madvise_update_vma(): new flags over [start, end), split/merge.
      const newflags = (vma.vm_flags & ~adv.clear) | adv.set;
      let target = vma;
      if (newflags !== vma.vm_flags) target = yield* vma_modify(t, mm, vma, start, end, (v) => (v.vm_flags = newflags));
      const hook = t.k.hooks.madvise_update_vma;
      if (hook !== null) yield* hook(t, target, behavior);
      return 0;
    }
  }
  // madvise_update_vma(): nothing to do when the flags stay as they are.
  if (new_flags !== vma.vm_flags) yield* vma_modify(t, mm, vma, start, end, (v) => (v.vm_flags = new_flags));
  return 0;
}

/**
 * ksm_madvise() (mm/ksm.c): the new vm_flags. MADV_MERGEABLE ignores a VMA that
 * is already mergeable or that KSM cannot handle (vma_ksm_compatible(): shared,
 * and in Linux PFNMAP/IO/DONTEXPAND/HUGETLB/MIXEDMAP/DROPPABLE/DAX, none of which
 * the model has); __ksm_enter() registers the mm with ksmd, which the model does
 * not run. MADV_UNMERGEABLE ignores a VMA that is not mergeable; unmerge_ksm_pages()
 * has no KSM page to break.
 */
function ksm_madvise(vma: Vma, behavior: number, vm_flags: number): number {
  if (behavior === MADV_MERGEABLE) {
    if (vma.vm_flags & VM_MERGEABLE) return vm_flags;
    if (vma.vm_flags & (VM_SHARED | VM_MAYSHARE)) return vm_flags; // !vma_ksm_compatible(): just ignore the advice
    return vm_flags | VM_MERGEABLE;
  }
  if (!(vm_flags & VM_MERGEABLE)) return vm_flags; // just ignore the advice
  return vm_flags & ~VM_MERGEABLE;
}

/**
 * The lock madvise() takes: the per-VMA read lock ("vma": where one VMA covers
 * the range, else mmap_read_lock), mmap_read_lock ("read") or mmap_write_lock
 * ("write").
 */
export type MadviseLockMode = "vma" | "read" | "write";

/** Whether the era's madvise() takes the per-VMA lock for MADV_DONTNEED{,_LOCKED} / MADV_FREE (Linux 6.17+). */
export function madvise_per_vma_lock_era(era: KernelEra): boolean {
  return era === "6.18";
}

/**
 * get_lock_mode() (6.17+); madvise_need_mmap_write() before: read or write, no
 * per-VMA lock. MADV_POPULATE_{READ,WRITE} (22, 23; populate.ts, which takes
 * its lock itself) are read, as in Linux. Guard regions take mmap_read_lock in
 * 6.18: measured on Linux 6.18 (@mmsim/host's madvise-lock probe: they wait
 * behind another thread's mmap write lock, MADV_DONTNEED and MADV_FREE do not);
 * later kernels take the per-VMA lock for them where is_vma_lock_sufficient()
 * allows (madvise_guard.ts). Exported so that the
 * probe can compare the model with the running kernel.
 */
export function madvise_lock_mode(behavior: number, era: KernelEra): MadviseLockMode {
  switch (behavior) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_FREE:
      return madvise_per_vma_lock_era(era) ? "vma" : "read";
    case MADV_WILLNEED:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case 22: // MADV_POPULATE_READ
    case 23: // MADV_POPULATE_WRITE
    case MADV_REMOVE:
    case MADV_COLLAPSE:
    case MADV_GUARD_INSTALL:
    case MADV_GUARD_REMOVE:
      return "read";
    default:
      return "write";
  }
}

/** madvise_walk_vmas(): every VMA in [start, end); -ENOMEM if there were holes. */
function* madvise_walk_vmas(t: Task, tlb: MmuGather, mm: MmStruct, start: number, end: number, behavior: number): KPath<number> {
  let unmapped_error = 0;
  let vma = mm.mm_mt.find_vma(start);
  for (;;) {
    if (!vma) return -ENOMEM;
    if (start < vma.vm_start) {
      unmapped_error = -ENOMEM;
      start = vma.vm_start;
      if (start >= end) break;
    }
    const range_end = Math.min(vma.vm_end, end);
    const error = yield* madvise_vma_behavior(t, tlb, mm, vma, start, range_end, behavior);
    if (error) return error;
    if (range_end >= end) break;
    vma = mm.mm_mt.find_vma(range_end);
    start = range_end;
  }
  return unmapped_error;
}

/** madvise(start, len, behavior) */
export function* sys_madvise(t: Task, start: number, len_in: number, behavior: number): KPath<number> {
  const mm = t.mm!;
  // is_valid_madvise() / madvise_should_skip(), on the unsigned longs the arguments stand for (mm/ulong.ts)
  if (!is_ulong(start) || !is_ulong(len_in)) return -EINVAL;
  if (!madvise_behavior_valid(behavior, t.k.era) && plugin_advice(t.k, behavior) === undefined) return -EINVAL;
  if (start % 4096) return -EINVAL;
  start = ulong_of_aligned(start);
  const len = page_align_ulong(len_in);
  if (len_in && !len) return -EINVAL; // len_in was rounded up from a small negative to zero
  if (start + len >= ULONG_WRAP) return -EINVAL; // start + len wraps below start
  if (len === 0) return 0;
  const end = start + len;
  const tlb = tlb_gather_mmu(t.k, mm);
  let error: number;
  let mode: MadviseLockMode = madvise_lock_mode(behavior, t.k.era);
  let vma: Vma | null = null;
  if (mode === "vma") {
    // try_vma_read_lock(): only when one VMA covers the whole range.
    vma = mm.mm_mt.vma_lookup(start);
    if (vma && end <= vma.vm_end && (yield* down_read_trylock(t, vma.vm_lock))) {
      // The VMA may have been detached (munmap) between the lookup and the lock.
      if (vma.detached) {
        yield* up_read(t, vma.vm_lock);
        vma = null;
        mode = "read";
      }
    } else {
      vma = null;
      mode = "read";
    }
  }
  if (vma) {
    error = yield* madvise_vma_behavior(t, tlb, mm, vma, start, end, behavior);
    yield* tlb_finish_mmu(t, tlb);
    yield* up_read(t, vma.vm_lock);
    return error;
  }
  yield* (mode === "write" ? down_write(t, mm.mmap_lock) : down_read(t, mm.mmap_lock));
  error = yield* madvise_walk_vmas(t, tlb, mm, start, end, behavior);
  yield* tlb_finish_mmu(t, tlb);
  if (mode === "write") yield* mmap_write_unlock(t, mm);
  else yield* up_read(t, mm.mmap_lock);
  return error;
}

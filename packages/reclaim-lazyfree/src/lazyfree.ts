/**
 * Step 2 of seed 001's plan (never merged; shared/notes/seed-designs.md (e)):
 * "mark vma first, then add the corresponding mm to a global linked list, and
 * then perform asynchronous scanning and reclamation in the memory reclamation
 * process" (Qi Zheng, to Vlastimil Babka); "add another madvise option to mark
 * the vma, then add its corresponding mm to a global list, and then traverse
 * the list and reclaim it when the memory is tight and enters the system
 * reclaim path (maybe there is an option to unmark)" (the 2024 thread).
 *
 * The pieces, with the kernel names they would have:
 *   - MADV_PT_RECLAIM / MADV_NO_PT_RECLAIM set / clear VM_PT_RECLAIM under
 *     mmap_write_lock with vma_modify (split/merge), as MADV_HUGEPAGE does;
 *   - pt_reclaim_enter(mm): the first marked VMA puts the mm on the global
 *     list (khugepaged's __khugepaged_enter / mm_slot, mmgrab);
 *     pt_reclaim_exit(mm) at __mmput drops it (khugepaged_exit);
 *   - pt_reclaim_shrink(): from shrink_node after the LRU pass (the folios
 *     MADV_FREE left mapped are discarded there first, which is what empties
 *     the tables): for each mm on the list, mmap_read_trylock (reclaim never
 *     blocks on it), tlb_gather_mmu on that mm, for each marked VMA each PMD
 *     whose 2 MiB lies inside the VMA, step 1's slow path try_to_free_pte()
 *     (pmd_lock, pte_offset_map_rw_nolock, the PTE lock nested, 512 ×
 *     pte_none, pmd_clear, free_pte → pte_free_tlb), then tlb_finish_mmu
 *     (the flush with freed_tables reaches lazy-TLB CPUs; the table is freed
 *     after an RCU grace period).
 *
 * Choices the plan leaves open, made here (each a model decision, not Qi's):
 *   - The advice values: MADV_PT_RECLAIM = 200, MADV_NO_PT_RECLAIM = 201, far
 *     from Linux's (0-25, 100-103: MADV_HWPOISON .. MADV_GUARD_REMOVE).
 *   - VM_PT_RECLAIM is core's first plugin bit (VM_PLUGIN_1); a patch would
 *     take a free high vm_flags bit.
 *   - An mm whose marked VMAs are all gone (unmarked or unmapped) leaves the
 *     list at the next scan that finds none (khugepaged's collect_mm_slot).
 *   - No lockless pre-filter (David's IRQ-off scan): every candidate PMD takes
 *     the PMD lock; a table with an entry costs one lock round trip.
 *   - The list is scanned in the order mms joined it, all of it every pass (no
 *     cursor, no rbtree by reclaimable bytes as in the 2022-08 RFC).
 *   - fork: a child's VMAs keep VM_PT_RECLAIM (dup_mmap copies vm_flags) but
 *     the child joins the list only when it marks a VMA itself (no
 *     khugepaged_fork analogue).
 */
import {
  find_vma,
  mm_find_pmd,
  mmap_read_trylock,
  mmap_read_unlock,
  pmdp_peek,
  tlb_finish_mmu,
  tlb_gather_mmu,
  vma_next,
  VM_PLUGIN_1,
  type KPath,
  type mm_struct,
  type mmu_gather,
  type task_struct,
  type vm_area_struct,
} from "@mmsim/core/kernel";
import { try_to_free_pte } from "@mmsim/reclaim-pt-reclaim";

/** madvise(addr, len, MADV_PT_RECLAIM): mark the range's VMAs. Not a Linux value (Linux: 0-25, 100-103). */
export const MADV_PT_RECLAIM = 200;
/** madvise(addr, len, MADV_NO_PT_RECLAIM): unmark. */
export const MADV_NO_PT_RECLAIM = 201;
/** The VMA flag MADV_PT_RECLAIM sets (core's plugin bit VM_PLUGIN_1; a patch would take a free high bit). */
export const VM_PT_RECLAIM = VM_PLUGIN_1;

/** What the scan did since the plugin was built (model-only statistics). */
export interface LazyfreeStats {
  /** shrink passes. */
  shrink_calls: number;
  /** mms passed over because mmap_read_trylock() failed. */
  mm_skipped: number;
  /** PMDs mapping a PTE table that try_to_free_pte() looked at. */
  pmds_scanned: number;
  /** PTE tables freed by the scan. */
  tables_freed: number;
}

/** The global list of mms with marked VMAs (khugepaged_scan.mm_head), in the order they joined. */
export class PtReclaimMmList {
  readonly mms: mm_struct[] = [];

  /** pt_reclaim_enter(mm): the first marked VMA puts the mm on the list (__khugepaged_enter: mmgrab). */
  enter(mm: mm_struct): void {
    if (!this.mms.includes(mm)) this.mms.push(mm);
  }

  /** pt_reclaim_exit(mm): __mmput drops it (khugepaged_exit). */
  exit(mm: mm_struct): void {
    const i = this.mms.indexOf(mm);
    if (i >= 0) this.mms.splice(i, 1);
  }
}

/** vma_pt_reclaim_suitable(vma): marked. */
export function vma_pt_reclaim_suitable(vma: vm_area_struct): boolean {
  return (vma.vm_flags & VM_PT_RECLAIM) !== 0;
}

/**
 * pt_reclaim_scan_vma(): every PMD whose whole 2 MiB lies inside `vma`, the
 * step-1 slow path under the caller's gather. Returns the tables freed.
 */
export function* pt_reclaim_scan_vma(t: task_struct, mm: mm_struct, vma: vm_area_struct, tlb: mmu_gather, stats: LazyfreeStats): KPath<number> {
  const a = t.k.arch;
  let freed = 0;
  const first = Math.ceil(vma.vm_start / a.PMD_SIZE) * a.PMD_SIZE;
  for (let addr = first; addr + a.PMD_SIZE <= vma.vm_end; addr += a.PMD_SIZE) {
    const pmdp = mm_find_pmd(t, mm, addr);
    if (pmdp === null) continue;
    const pmd = pmdp_peek(t, pmdp);
    if (a.pxd_none(pmd) || a.pmd_trans_huge(pmd)) continue;
    stats.pmds_scanned++;
    const before = mm.counters.pte_tables_reclaimed;
    yield* try_to_free_pte(t, mm, pmdp, addr, tlb);
    freed += mm.counters.pte_tables_reclaimed - before;
  }
  return freed;
}

/**
 * One mm of the scan: mmap_read_trylock, a gather on the mm, every marked VMA.
 * Returns the tables freed, or null when the lock was not taken, or "unmarked"
 * when no VMA carries the flag any more (the caller drops the mm).
 */
export function* pt_reclaim_scan_mm(t: task_struct, mm: mm_struct, stats: LazyfreeStats): KPath<number | null | "unmarked"> {
  if (!(yield* mmap_read_trylock(t, mm))) {
    stats.mm_skipped++;
    return null;
  }
  let freed = 0;
  let marked = false;
  const tlb = tlb_gather_mmu(t.k, mm);
  for (let vma = find_vma(mm, 0); vma !== null; vma = vma_next(mm, vma)) {
    if (!vma_pt_reclaim_suitable(vma)) continue;
    marked = true;
    freed += yield* pt_reclaim_scan_vma(t, mm, vma, tlb, stats);
  }
  yield* tlb_finish_mmu(t, tlb);
  yield* mmap_read_unlock(t, mm);
  return marked ? freed : "unmarked";
}

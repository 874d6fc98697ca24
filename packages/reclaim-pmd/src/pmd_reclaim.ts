/**
 * Seed 001's "another plan" (notes (g), issue #12 §4): with every table level
 * freed through RCU and walkers mapping PMD/PUD tables with pmd_offset_map() /
 * pud_offset_map() (core's KernelOptions.rcu_upper_levels), an empty PMD table
 * can be reclaimed like an empty PTE table one level down:
 *
 *   pud_lock (mm->page_table_lock)      pud_same recheck
 *     pmd_lock (the table's split lock, nested)
 *       recheck: all PTRS_PER_PMD entries none (no walker reference, "rcu-refcount")
 *       pud_clear
 *   unlock
 *   pmd_free_tlb  (tlb_flush_pud_range + freed_tables: the PUD→PMD paging-structure
 *                  cache entries go, lazy-TLB CPUs too)
 *   mm_dec_nr_pmds
 *   RCU free      (tlb_remove_table; with "srcu" also after an SRCU grace period)
 *
 * Trigger: the zap_pmd_range_done hook, after MADV_DONTNEED's zap of one PUD
 * entry's slice, when the table's whole range (PUD_SIZE) lies inside the zapped
 * VMA (the analogue of PT_RECLAIM's "whole PMD inside one VMA"): the zap holds
 * that VMA's lock, which excludes mprotect, mremap, munmap and khugepaged's
 * collapse on it, the paths core has not converted to pmd_offset_map(). A
 * lockless pre-scan (pmdp_peek, under pmd_offset_map's RCU) avoids taking the
 * locks for tables that still map something.
 *
 * The PTE level is CONFIG_PT_RECLAIM's (mm/pt_reclaim.c, as in
 * @mmsim/reclaim-pt-reclaim), with one addition for the "rcu-refcount" option:
 * a PTE table a sleeping walker holds a reference on is kept (checked under the
 * PMD lock, where the walker takes it).
 */
import {
  flush_tlb_mm_range,
  mm_dec_nr_pmds,
  mm_dec_nr_ptes,
  pgtable_of_entry,
  pgtable_pmd_entry_sleep,
  pgtable_users,
  pmd_clear,
  pmd_free,
  pmd_free_tlb,
  pmd_lock,
  pmd_lockptr,
  pmd_offset_kernel,
  pmd_offset_map,
  pmd_unmap,
  pmdp_get,
  pmdp_get_lockless,
  pmdp_peek,
  pte_free_tlb,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  pud_clear,
  pud_lock,
  pudp_get,
  spin_lock,
  spin_lock_nested,
  spin_trylock,
  spin_unlock,
  tlb_remove_table,
  type KPath,
  type ZapDetails,
  type kernel_t,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type pmd_t,
  type task_struct,
  type vm_area_struct,
} from "@mmsim/core/kernel";

/** What each reclaim did (model-only statistics). */
export interface PmdReclaimStats {
  pte_tables_freed: number;
  pmd_tables_freed: number;
  /** PMD tables whose lockless pre-scan was empty but the locked recheck was not (a racing install). */
  pmd_recheck_failed: number;
  /** Tables kept because a sleeping walker held a reference ("rcu-refcount"). */
  kept_for_walker: number;
}

/** Deliberate bugs for the kit's mutants (src/mutants.ts); all false in the real plugin. */
export interface PmdReclaimFaults {
  /** Free on the lockless pre-scan: no locked recheck, no pud_same (a racing fault's install is lost). */
  no_recheck?: boolean;
  /** Flush, then free the PMD table at once instead of after a grace period (pmd_free, not tlb_remove_table). */
  no_rcu?: boolean;
  /** Hand the table to the gather without pmd_free_tlb's freed_tables (lazy CPUs keep the PUD→PMD cache). */
  no_freed_tables?: boolean;
}

/** A walker reference on the table (the "rcu-refcount" option only: with "srcu" none is ever taken). */
function held_by_walker(k: kernel_t, pfn: number): boolean {
  return pgtable_pmd_entry_sleep(k) === "rcu-refcount" && pgtable_users(k, pfn) > 0;
}

/** reclaim_pt_is_enabled(start, end, details): as CONFIG_PT_RECLAIM. */
export function reclaim_pt_is_enabled(k: kernel_t, start: number, end: number, details: ZapDetails | null): boolean {
  return details !== null && details.reclaim_pt && end - start >= k.arch.PMD_SIZE;
}

/** try_get_and_clear_pmd(mm, pmd, &pmdval): the PTE lock held; a referenced table is kept. */
export function* try_get_and_clear_pmd(t: task_struct, pmdp: pmd_ptr, stats: PmdReclaimStats): KPath<{ ok: boolean; pmdval: pmd_t }> {
  const pml = pmd_lockptr(t.k, pmdp);
  if (!(yield* spin_trylock(t, pml))) return { ok: false, pmdval: 0 };
  const pmdval = yield* pmdp_get_lockless(t, pmdp);
  if (held_by_walker(t.k, t.k.arch.pxd_pfn(pmdval))) {
    stats.kept_for_walker++;
    yield* spin_unlock(t, pml);
    return { ok: false, pmdval: 0 };
  }
  yield* pmd_clear(t, pmdp);
  yield* spin_unlock(t, pml);
  return { ok: true, pmdval };
}

/** free_pte(mm, addr, tlb, pmdval) */
export function* free_pte(t: task_struct, mm: mm_struct, addr: number, tlb: mmu_gather, pmdval: pmd_t, stats: PmdReclaimStats): KPath {
  yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(pmdval), addr);
  mm_dec_nr_ptes(mm);
  mm.counters.pte_tables_reclaimed++;
  stats.pte_tables_freed++;
}

/** try_to_free_pte(mm, pmd, addr, tlb): the slow path (PMD lock, PTE lock nested, rescan). */
export function* try_to_free_pte(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, tlb: mmu_gather, stats: PmdReclaimStats): KPath {
  const a = t.k.arch;
  const pml = yield* pmd_lock(t, pmdp);
  const start = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
  if (start === null) {
    yield* spin_unlock(t, pml);
    return;
  }
  const { pte: start_pte, pmdval, ptl } = start;
  if (ptl !== pml) yield* spin_lock_nested(t, ptl);
  const out_ptl = function* (): KPath {
    yield* pte_unmap_unlock(t, start_pte, ptl);
    if (ptl !== pml) yield* spin_unlock(t, pml);
  };
  if (held_by_walker(t.k, a.pxd_pfn(pmdval))) {
    stats.kept_for_walker++;
    return yield* out_ptl();
  }
  for (let i = 0; i < a.PTRS_PER_PTE; i++) {
    if (!a.pte_none(yield* ptep_get(t, start_pte + i))) return yield* out_ptl();
  }
  yield* pte_unmap(t, start_pte);
  yield* pmd_clear(t, pmdp);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);
  yield* free_pte(t, mm, addr, tlb, pmdval, stats);
}

/**
 * try_to_free_pmd(tlb, vma, pud, addr, end, details): after zap_pmd_range() of
 * [addr, end) under PUD entry `pudp`, free the PMD table if it maps nothing.
 * Returns whether it freed it.
 */
export function* try_to_free_pmd(
  t: task_struct,
  tlb: mmu_gather,
  vma: vm_area_struct,
  pudp: number,
  addr: number,
  details: ZapDetails | null,
  stats: PmdReclaimStats,
  f: PmdReclaimFaults = {},
): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  if (details === null || !details.reclaim_pt) return false;
  const start = Math.floor(addr / a.PUD_SIZE) * a.PUD_SIZE;
  if (vma.vm_start > start || vma.vm_end < start + a.PUD_SIZE) return false;
  const mm = tlb.mm;
  // Lockless pre-scan under RCU: most tables still map something.
  const m = yield* pmd_offset_map(t, pudp, start);
  if (m === null) return false;
  let empty = true;
  for (let i = 0; i < a.PTRS_PER_PMD && empty; i++) empty = a.pxd_none(pmdp_peek(t, m.pmd + i));
  yield* pmd_unmap(t);
  if (!empty) return false;
  let pfn = pgtable_of_entry(k, m.pmd);

  const ptl = yield* pud_lock(t, mm);
  if (!f.no_recheck) {
    // pud_same(): the PUD still maps the table seen (no other reclaimer freed it meanwhile;
    // a table freed and another allocated in the same page is the same table to us, as in
    // Linux, so the PMD pointer is recomputed from the value read under the lock).
    const pudval = yield* pudp_get(t, pudp);
    if (pudval !== m.pudval) {
      yield* spin_unlock(t, ptl);
      return false;
    }
    const pmd0 = pmd_offset_kernel(k, pudval, start);
    pfn = a.pxd_table_pfn(pudval);
    const pml = pmd_lockptr(k, pmd0);
    yield* spin_lock(t, pml);
    let ok = !held_by_walker(k, pfn);
    if (!ok) stats.kept_for_walker++;
    for (let i = 0; i < a.PTRS_PER_PMD && ok; i++) ok = a.pxd_none(yield* pmdp_get(t, pmd0 + i));
    if (!ok) {
      if (!held_by_walker(k, pfn)) stats.pmd_recheck_failed++;
      yield* spin_unlock(t, pml);
      yield* spin_unlock(t, ptl);
      return false;
    }
    yield* pud_clear(t, pudp);
    yield* spin_unlock(t, pml);
  } else yield* pud_clear(t, pudp);
  yield* spin_unlock(t, ptl);
  yield* free_pmd(t, tlb, mm, pfn, start, f);
  stats.pmd_tables_freed++;
  return true;
}

/** pmd_free_tlb() + mm_dec_nr_pmds(), or a mutant's broken free. */
function* free_pmd(t: task_struct, tlb: mmu_gather, mm: mm_struct, pfn: number, start: number, f: PmdReclaimFaults): KPath {
  const a = t.k.arch;
  if (f.no_rcu) {
    // flushed everywhere (lazy CPUs too), then freed at once: no grace period for walkers under pmd_offset_map()
    yield* flush_tlb_mm_range(t, mm, start, start + a.PUD_SIZE, a.PAGE_SHIFT, true);
    pmd_free(t.k, mm, pfn);
  } else if (f.no_freed_tables) yield* tlb_remove_table(t, tlb, pfn);
  else yield* pmd_free_tlb(t, tlb, pfn, start);
  mm_dec_nr_pmds(mm);
}

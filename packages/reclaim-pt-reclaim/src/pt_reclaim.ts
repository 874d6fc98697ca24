/**
 * mm/pt_reclaim.c (Linux 6.14–6.18, Qi Zheng, "synchronously scan and reclaim
 * empty user PTE pages", seed 001) and its hooks in zap_pte_range().
 *
 * A PTE table is reclaimed only when one MADV_DONTNEED zap covered its whole
 * 2 MiB slice inside one VMA and skipped nothing. Fast path: with the PTE lock
 * still held, trylock the PMD lock and clear the PMD. Slow path (the PTE lock was
 * dropped midway, or the trylock failed): take the PMD lock, then the PTE lock
 * nested, rescan all 512 entries, clear the PMD. Either way the table goes through
 * pte_free_tlb(): freed after the mmu_gather TLB flush and an RCU grace period.
 */
import {
  mm_dec_nr_ptes,
  pmd_clear,
  pmd_lock,
  pmd_lockptr,
  pmdp_get_lockless,
  pte_free_tlb,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  spin_lock_nested,
  spin_trylock,
  spin_unlock,
  type KPath,
  type kernel_t,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type pmd_t,
  type task_struct,
  type ZapDetails,
} from "@mmsim/core/kernel";

/** reclaim_pt_is_enabled(start, end, details) */
export function reclaim_pt_is_enabled(k: kernel_t, start: number, end: number, details: ZapDetails | null): boolean {
  return details !== null && details.reclaim_pt && end - start >= k.arch.PMD_SIZE;
}

/** try_get_and_clear_pmd(mm, pmd, &pmdval): called with the PTE lock held. */
export function* try_get_and_clear_pmd(t: task_struct, _mm: mm_struct, pmdp: pmd_ptr): KPath<{ ok: boolean; pmdval: pmd_t }> {
  const pml = pmd_lockptr(t.k, pmdp);
  if (!(yield* spin_trylock(t, pml))) return { ok: false, pmdval: 0 };
  const pmdval = yield* pmdp_get_lockless(t, pmdp);
  yield* pmd_clear(t, pmdp);
  yield* spin_unlock(t, pml);
  return { ok: true, pmdval };
}

/** free_pte(mm, addr, tlb, pmdval) */
export function* free_pte(t: task_struct, mm: mm_struct, addr: number, tlb: mmu_gather, pmdval: pmd_t): KPath {
  yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(pmdval), addr);
  mm_dec_nr_ptes(mm);
  mm.counters.pte_tables_reclaimed++;
}

/** try_to_free_pte(mm, pmd, addr, tlb): the slow path. */
export function* try_to_free_pte(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, tlb: mmu_gather): KPath {
  const a = t.k.arch;
  const pml = yield* pmd_lock(t, pmdp);
  const start = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
  if (start === null) {
    // if (!start_pte) goto out_ptl;
    yield* spin_unlock(t, pml);
    return;
  }
  const { pte: start_pte, pmdval, ptl } = start;
  if (ptl !== pml) yield* spin_lock_nested(t, ptl);
  const out_ptl = function* (): KPath {
    yield* pte_unmap_unlock(t, start_pte, ptl);
    if (ptl !== pml) yield* spin_unlock(t, pml);
  };

  /* Check if it is empty PTE page */
  for (let i = 0; i < a.PTRS_PER_PTE; i++) {
    if (!a.pte_none(yield* ptep_get(t, start_pte + i))) return yield* out_ptl();
  }
  yield* pte_unmap(t, start_pte);
  yield* pmd_clear(t, pmdp);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);
  yield* free_pte(t, mm, addr, tlb, pmdval);
}

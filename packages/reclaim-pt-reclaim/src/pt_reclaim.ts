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
  type MmStruct,
  type MmuGather,
  type SpinLock,
  type Task,
  type ZapDetails,
} from "@mmsim/core";

/** reclaim_pt_is_enabled(start, end, details) */
export function reclaim_pt_is_enabled(start: number, end: number, details: ZapDetails | null): boolean {
  return details !== null && details.reclaim_pt && end - start >= 2 * 1024 * 1024;
}

/** try_get_and_clear_pmd(mm, pmd, &pmdval): called with the PTE lock held. */
export function* try_get_and_clear_pmd(t: Task, _mm: MmStruct, pmdp: number): KPath<{ ok: boolean; pmdval: number }> {
  const pml = pmd_lockptr(t.k, pmdp);
  if (!(yield* spin_trylock(t, pml))) return { ok: false, pmdval: 0 };
  const pmdval = yield* pmdp_get_lockless(t, pmdp);
  yield* pmd_clear(t, pmdp);
  yield* spin_unlock(t, pml);
  return { ok: true, pmdval };
}

/** free_pte(mm, addr, tlb, pmdval) */
export function* free_pte(t: Task, mm: MmStruct, addr: number, tlb: MmuGather, pmdval: number): KPath {
  yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(pmdval), addr);
  mm_dec_nr_ptes(mm);
  mm.counters.pte_tables_reclaimed++;
}

/** try_to_free_pte(mm, pmd, addr, tlb): the slow path. */
export function* try_to_free_pte(t: Task, mm: MmStruct, pmdp: number, addr: number, tlb: MmuGather): KPath {
  const a = t.k.arch;
  const pml = yield* pmd_lock(t, pmdp);
  const start_pte = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
  let ptl: SpinLock | null = null;
  const out_ptl = function* (): KPath {
    if (start_pte >= 0) yield* pte_unmap_unlock(t, start_pte, ptl!);
    if (ptl !== pml) yield* spin_unlock(t, pml);
  };
  if (start_pte < 0) {
    yield* spin_unlock(t, pml);
    return;
  }
  const pmdval = t.pmdval;
  ptl = t.ptl!;
  if (ptl !== pml) yield* spin_lock_nested(t, ptl);

  /* Check if it is empty PTE page */
  for (let i = 0; i < 512; i++) {
    if (!a.pte_none(yield* ptep_get(t, start_pte + i))) return yield* out_ptl();
  }
  yield* pte_unmap(t, start_pte);

  yield* pmd_clear(t, pmdp);

  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);

  yield* free_pte(t, mm, addr, tlb, pmdval);
}

// A third party's reclaim plugin, written only against the kernel API that
// @mmsim/core publishes for plugins (@mmsim/core/kernel). The design: reclaim an
// empty PTE table after every MADV_DONTNEED zap that covered its whole slice,
// always by the "slow path" of the merged design: take the PMD lock, then the
// PTE lock nested, rescan every entry, clear the PMD, free with pte_free_tlb().
import {
  mm_dec_nr_ptes,
  pmd_clear,
  pmd_lock,
  pte_free_tlb,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  spin_lock_nested,
  spin_unlock,
  SPECIFICATION_VERSION,
} from "@mmsim/core/kernel";

export default function myPlugin() {
  let freed = 0;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: "my-plugin",
    version: "0.0.1",
    models: "always-locked reclaim of empty PTE tables after MADV_DONTNEED (an example)",
    supports: { madv_dontneed: true, rcu_table_free: true },

    reclaim_pt_is_enabled(k, start, end, details) {
      return details !== null && details.reclaim_pt && end - start >= k.arch.PMD_SIZE;
    },

    // After pte_unmap_unlock(): no spinlock held, mmap_lock (read) or the VMA lock.
    *zap_pte_range_end(t, tlb, mm, pmdp, start) {
      const a = t.k.arch;
      const pml = yield* pmd_lock(t, pmdp);
      const m = yield* pte_offset_map_rw_nolock(t, mm, pmdp, start);
      if (m === null) return yield* spin_unlock(t, pml);
      const { pte, pmdval, ptl } = m;
      if (ptl !== pml) yield* spin_lock_nested(t, ptl);
      for (let i = 0; i < a.PTRS_PER_PTE; i++) {
        if (!a.pte_none(yield* ptep_get(t, pte + i))) {
          yield* pte_unmap_unlock(t, pte, ptl);
          if (ptl !== pml) yield* spin_unlock(t, pml);
          return;
        }
      }
      yield* pte_unmap(t, pte);
      yield* pmd_clear(t, pmdp);
      if (ptl !== pml) yield* spin_unlock(t, ptl);
      yield* spin_unlock(t, pml);
      yield* pte_free_tlb(t, tlb, a.pxd_pfn(pmdval), start);
      mm_dec_nr_ptes(mm);
      mm.counters.pte_tables_reclaimed++;
      freed++;
    },

    get freed() {
      return freed;
    },
  };
}

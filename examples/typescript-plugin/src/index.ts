// A third party's reclaim plugin in TypeScript, written only against
// @mmsim/core/kernel. The design: after every MADV_DONTNEED zap of a PTE table,
// whatever the length of the discard, free the table if every entry is none.
// Always the locked path: pmd_lock(), map the table, its PTE lock nested,
// pmd_same() recheck, rescan all entries, pmd_clear(), then pte_free_tlb()
// (the gather flushes with freed_tables and frees after an RCU grace period).
// Unlike CONFIG_PT_RECLAIM it also frees a table a partial discard emptied.
import {
  SPECIFICATION_VERSION,
  mm_dec_nr_ptes,
  pmd_clear,
  pmd_lock,
  pmdp_get_lockless,
  pte_free_tlb,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  spin_lock_nested,
  spin_unlock,
  type KPath,
  type ReclaimPlugin,
  type ZapDetails,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type task_struct,
} from "@mmsim/core/kernel";

export interface WholeTableStats {
  /** Tables freed. */
  freed: number;
  /** Tables looked at and kept (an entry still in use, or the PMD changed). */
  kept: number;
}

export default function wholeTableReclaim(): ReclaimPlugin & { readonly stats: WholeTableStats } {
  const stats: WholeTableStats = { freed: 0, kept: 0 };
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: "whole-table",
    version: "0.0.1",
    models: "an example: free a PTE table MADV_DONTNEED left empty, after any discard of it (locked path only)",
    supports: { madv_dontneed: true, rcu_table_free: true },

    // The end of every zap_pte_range() that mapped its table: no spinlock held,
    // mmap_lock (read) or the VMA lock, the gather open.
    *zap_pte_range_done(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, details: ZapDetails | null): KPath {
      if (details === null || !details.reclaim_pt) return; // MADV_DONTNEED only
      const a = t.k.arch;
      const haddr = start - (start % a.PMD_SIZE);
      const pml = yield* pmd_lock(t, pmdp);
      const m = yield* pte_offset_map_rw_nolock(t, mm, pmdp, haddr);
      if (m === null) {
        yield* spin_unlock(t, pml);
        return;
      }
      const { pte, pmdval, ptl } = m;
      if (ptl !== pml) yield* spin_lock_nested(t, ptl);
      let empty = (yield* pmdp_get_lockless(t, pmdp)) === pmdval; // pmd_same()
      for (let i = 0; empty && i < a.PTRS_PER_PTE; i++) if (!a.pte_none(yield* ptep_get(t, pte + i))) empty = false;
      if (!empty) {
        stats.kept++;
        yield* pte_unmap_unlock(t, pte, ptl);
        if (ptl !== pml) yield* spin_unlock(t, pml);
        return;
      }
      yield* pte_unmap(t, pte);
      yield* pmd_clear(t, pmdp);
      if (ptl !== pml) yield* spin_unlock(t, ptl);
      yield* spin_unlock(t, pml);
      yield* pte_free_tlb(t, tlb, a.pxd_pfn(pmdval), haddr);
      mm_dec_nr_ptes(mm); // VmPTE: the kit's accounting checks catch a plugin that forgets it
      mm.counters.pte_tables_reclaimed++;
      stats.freed++;
    },

    get stats() {
      return stats;
    },
  };
}

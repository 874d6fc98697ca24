/**
 * A deliberately naive reclaim plugin, for the explorer's tests (a mutant written
 * here): it clears the PMD and frees the table after the zap without rescanning
 * under the locks, so a racing fault's new PTE is lost.
 */
import type { ReclaimPlugin } from "../plugin/plugin.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { MmStruct } from "../mm/mm_struct.js";
import { pmd_clear, pmdp_get } from "../pgtable/ops.js";
import { mm_dec_nr_ptes } from "../mm/mm.js";
import { pmd_lock } from "../pgtable/pgalloc.js";
import { pte_free_tlb, type MmuGather } from "../tlb/mmu_gather.js";
import { spin_unlock } from "../sync/spinlock.js";

export const naivePlugin = (): ReclaimPlugin => ({
  specificationVersion: "v1",
  name: "naive",
  version: "0",
  models: "test mutant: reclaim without a rescan under the locks",
  supports: { madv_dontneed: true },
  reclaim_pt_is_enabled: (k, s, e, d) => !!d?.reclaim_pt && e - s >= k.arch.PMD_SIZE,
  *zap_pte_range_locked(_t: Task, _mm: MmStruct, _p: number, _l: object, st): KPath {
    st.direct_reclaim = false;
  },
  *zap_pte_range_end(t: Task, tlb: MmuGather, mm: MmStruct, pmdp: number, start: number): KPath {
    const pml = yield* pmd_lock(t, pmdp);
    const pmdval = yield* pmdp_get(t, pmdp);
    yield* pmd_clear(t, pmdp);
    yield* spin_unlock(t, pml);
    yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(pmdval), start);
    mm_dec_nr_ptes(mm);
  },
});

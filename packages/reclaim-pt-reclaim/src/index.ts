/**
 * @mmsim/reclaim-pt-reclaim — CONFIG_PT_RECLAIM as merged in Linux 6.14.
 */
import { bulk_twin, run_to_completion } from "@mmsim/core/kernel";
import type { KPath, ReclaimPlugin, ZapPteState, mm_struct, mmu_gather, pmd_ptr, spinlock_t, task_struct } from "@mmsim/core/kernel";
import { free_pte, reclaim_pt_is_enabled, try_get_and_clear_pmd, try_to_free_pte } from "./pt_reclaim.js";

export { free_pte, reclaim_pt_is_enabled, try_get_and_clear_pmd, try_to_free_pte } from "./pt_reclaim.js";

/** zap_pte_range(), PTE lock held: `direct_reclaim = try_get_and_clear_pmd(mm, pmd, &pmdval);` */
function* zap_pte_range_locked(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, _ptl: spinlock_t, st: ZapPteState): KPath {
  const r = yield* try_get_and_clear_pmd(t, mm, pmdp);
  st.direct_reclaim = r.ok;
  st.pmdval = r.pmdval;
}

/** zap_pte_range() after pte_unmap_unlock(): `if (direct_reclaim) free_pte(...); else try_to_free_pte(...);` */
function* zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
  if (st.direct_reclaim) yield* free_pte(t, mm, start, tlb, st.pmdval);
  else yield* try_to_free_pte(t, mm, pmdp, start, tlb);
}

/**
 * The hooks in zap_pte_range() (mm/memory.c calls into mm/pt_reclaim.c): what
 * ptReclaim() installs, and what the later steps of seed 001's plan reuse (in
 * the kernel they would call the same mm/pt_reclaim.c functions). Each kernel
 * path carries its bulk twin (`bulk_twin`): the same code, derived at build
 * time by core's desync (this package builds with it), which core runs where
 * nothing observes single steps.
 */
export const pt_reclaim_zap_hooks = {
  // mm/pt_reclaim.c's function itself (a method wrapping it was one JS call more per PTE table).
  reclaim_pt_is_enabled,
  zap_pte_range_locked: bulk_twin(zap_pte_range_locked, (t, mm, pmdp, ptl, st) => run_to_completion(zap_pte_range_locked(t, mm, pmdp, ptl, st))),
  zap_pte_range_end: bulk_twin(zap_pte_range_end, (t, tlb, mm, pmdp, start, st) => run_to_completion(zap_pte_range_end(t, tlb, mm, pmdp, start, st))),
} satisfies Pick<ReclaimPlugin, "reclaim_pt_is_enabled" | "zap_pte_range_locked" | "zap_pte_range_end">;

/**
 * The plugin. Hooks in zap_pte_range():
 *   - zap_pte_range_locked: `if (can_reclaim_pt && direct_reclaim && addr == end)
 *     direct_reclaim = try_get_and_clear_pmd(mm, pmd, &pmdval);` (PTE lock held)
 *   - zap_pte_range_end: `if (can_reclaim_pt) { if (direct_reclaim) free_pte(...);
 *     else try_to_free_pte(...); }` (after pte_unmap_unlock)
 */
export function ptReclaim(): ReclaimPlugin {
  return {
    specificationVersion: "v1",
    name: "pt-reclaim",
    version: "0.1.0",
    models: "CONFIG_PT_RECLAIM, Linux 6.14-6.18 mm/pt_reclaim.c (Qi Zheng, 'synchronously scan and reclaim empty user PTE pages' v4, seed 001)",
    supports: { madv_dontneed: true, madv_free: false, async_scan: false, rcu_table_free: true, zero_page_tables: false },
    ...pt_reclaim_zap_hooks,
  };
}

export default ptReclaim;

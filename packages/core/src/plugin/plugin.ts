/**
 * Where core calls the reclaim plugin's hooks. The contract itself (each hook's
 * context and rules, specificationVersion) is declared in @mmsim/spec; plugins
 * import it, and the kernel functions they may call, from `@mmsim/core/kernel`.
 *
 * | hook | called from (kernel function) | seed design that needs it |
 * |---|---|---|
 * | pte_table_ctor / pte_table_dtor | pagetable_pte_ctor / pagetable_dtor | 2021 pte_refcount init, 2022 percpu_ref init/exit |
 * | track_pte_set / track_pte_clear | set_pte_at / ptep_get_and_clear | 2021/2022: count entries per table |
 * | pte_offset_map / pte_unmap | __pte_offset_map / pte_unmap | 2021 pte_tryget_map{,_lock}; 2022 percpu_ref_tryget; default is RCU (6.5+) |
 * | pmd_install_get / pte_put | pmd_install, pte_alloc_get (PMD lock held) / the fault paths' pte_put | 2021 v2 5/9 install-time reference |
 * | reclaim_pt_is_enabled | zap_pte_range (can_reclaim_pt) | 2024 sync (001): pte_table_reclaim_possible |
 * | zap_pte_range_locked | zap_pte_range, PTE lock held, before pte_unmap_unlock | 001: try_get_and_clear_pmd (fast path) |
 * | zap_pte_range_end | zap_pte_range after unlock | 001: free_pte / try_to_free_pte (slow path) |
 * | zap_pte_range_done | the end of every zap_pte_range (ungated), with the zap's details | 002: try_to_free_user_pte when free_pte |
 * | zap_pmd_range_done | zap_pud_range after zap_pmd_range + pmd_unmap of one PUD entry's slice (only with Kernel.rcu_upper) | 001 "another plan": reclaim the emptied PMD table |
 * | madvise_free_pte_range | madvise_free_pte_range, after the walk of one table | 002 percpu_ref put on MADV_FREE; 001 step 2 |
 * | try_to_unmap_one | try_to_unmap_one (reclaim of a lazily freed folio) | 2021/2022: drop the table's count |
 * | try_to_unmap_one_done / _redirty | try_to_unmap_one after page_vma_mapped_walk_done (PTE lock released): discarded / re-dirtied | 002: PVMW_MADV_FREE free_user_pte / switch back to percpu |
 * | free_pte_range | free_pgtables → free_pte_range | 2021: BUG() under CONFIG_FREE_USER_PTE |
 * | task_work | return to user space (task_work_run), when queued with task_work_add() | 2024 async (000): freept scan |
 * | scheduler_tick | task_tick_fair | 000: task_tick_mm_pgtable arms the task_work |
 * | madvise_update_vma | madvise_update_vma for a plugin's own advice (ReclaimPlugin.madvise_advice), mmap_lock (write) | 001 step 2: MADV_PT_RECLAIM marks the VMA, the mm joins a global list |
 * | exit_mmap | __mmput, before exit_mmap (khugepaged_exit's place) | 001 step 2: the mm leaves the global list |
 * | shrink | shrink_node after the anon LRU pass (kswapd or direct reclaim), where shrink_slab runs | 001 step 2 (MADV_FREE tables), step 3 (zero-page tables) |
 */
import type { BULK_TWIN_HOOKS, ReclaimPlugin } from "@mmsim/spec";
import type { Task } from "../sched/task.js";
import type { Hooks } from "../types/kernel.js";

export type { ReclaimPlugin, ReclaimSupports, ZapDetails, ZapPteState, PteMapping } from "@mmsim/spec";
export { validate_plugin } from "@mmsim/spec";

/** The plugin's hooks as core calls them (types/kernel.ts's Hooks), each bound to the plugin or null. */
export function hooks_of(p: ReclaimPlugin | null): Hooks {
  const b = <K extends keyof Hooks>(key: K): Hooks[K] => {
    const f = p?.[key as keyof ReclaimPlugin];
    return (typeof f === "function" ? f.bind(p) : null) as Hooks[K];
  };
  // A kernel-path hook's bulk twin: its `sync` property (spec's BulkTwin), bound as the hook is.
  const twin = <K extends (typeof BULK_TWIN_HOOKS)[number]>(key: K): Hooks[`${K}_sync`] => {
    const f = p?.[key];
    const s = typeof f === "function" ? (f as { sync?: unknown }).sync : undefined;
    return (typeof s === "function" ? s.bind(p) : null) as Hooks[`${K}_sync`];
  };
  return {
    pte_table_ctor: b("pte_table_ctor"),
    pte_table_dtor: b("pte_table_dtor"),
    track_pte_set: b("track_pte_set"),
    track_pte_clear: b("track_pte_clear"),
    pte_offset_map: b("pte_offset_map"),
    pte_unmap: b("pte_unmap"),
    pmd_install_get: b("pmd_install_get"),
    pte_put: b("pte_put"),
    reclaim_pt_is_enabled: b("reclaim_pt_is_enabled"),
    zap_pte_range_locked: b("zap_pte_range_locked"),
    zap_pte_range_end: b("zap_pte_range_end"),
    zap_pte_range_done: b("zap_pte_range_done"),
    zap_pmd_range_done: b("zap_pmd_range_done"),
    madvise_free_pte_range: b("madvise_free_pte_range"),
    try_to_unmap_one: b("try_to_unmap_one"),
    try_to_unmap_one_done: b("try_to_unmap_one_done"),
    try_to_unmap_one_redirty: b("try_to_unmap_one_redirty"),
    free_pte_range: b("free_pte_range"),
    task_work: b("task_work"),
    scheduler_tick: b("scheduler_tick"),
    shrink: b("shrink"),
    madvise_update_vma: b("madvise_update_vma"),
    exit_mmap: b("exit_mmap"),
    zap_pte_range_locked_sync: twin("zap_pte_range_locked"),
    zap_pte_range_end_sync: twin("zap_pte_range_end"),
    zap_pte_range_done_sync: twin("zap_pte_range_done"),
  };
}

/** task_work_add(task, work, TWA_RESUME): the plugin's task_work hook runs on the task's next return to user. */
export function task_work_add(t: Task): void {
  t.task_work_pending = true;
}

/**
 * @mmsim/reclaim-freept — the 2024 asynchronous design (seed 000), never merged:
 * the scheduler tick arms a task_work that, on return to user space, scans the mm
 * and frees empty PTE tables with pte_free_defer().
 */
import type { KPath, ReclaimPlugin, mm_struct, task_struct } from "@mmsim/core/kernel";
import { FreeptState, task_mm_pgtable_work, task_tick_mm_pgtable } from "./freept.js";

export { FreeptState, freept_pmd_entry, task_mm_pgtable_work, task_tick_mm_pgtable, MM_PGTABLE_SCAN_DELAY, MM_PGTABLE_SCAN_SIZE } from "./freept.js";

export function freept(): ReclaimPlugin {
  const st = new FreeptState();
  return {
    specificationVersion: "v1",
    name: "freept",
    version: "0.1.0",
    models: "2024 RFC 'asynchronously scan and free empty user PTE pages' (Qi Zheng, mm/freept.c, seed 000)",
    supports: { madv_dontneed: true, madv_free: true, async_scan: true, rcu_table_free: true },
    scheduler_tick(t: task_struct): void {
      task_tick_mm_pgtable(st, t);
    },
    *task_work(t: task_struct, mm: mm_struct): KPath {
      yield* task_mm_pgtable_work(st, t, mm);
    },
  };
}

export default freept;

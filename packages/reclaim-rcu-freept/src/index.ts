/**
 * @mmsim/reclaim-rcu-freept — the 2024 asynchronous design (seed 000), never merged:
 * the scheduler tick arms a task_work that, on return to user space, scans the mm
 * and frees empty PTE tables with pte_free_defer() (RCU: readers that map a table
 * locklessly are safe until a grace period ends). Formerly @mmsim/reclaim-freept,
 * plugin "freept".
 */
import { validate_options, type KPath, type ReclaimPlugin, type mm_struct, type task_struct } from "@mmsim/core/kernel";
import { FreeptState, task_mm_pgtable_work, task_tick_mm_pgtable, type FreeptScanOptions } from "./freept.js";

export {
  FreeptState,
  freept_pmd_entry,
  task_mm_pgtable_work,
  task_tick_mm_pgtable,
  MM_PGTABLE_SCAN_DELAY,
  MM_PGTABLE_SCAN_SIZE,
  type FreeptScanOptions,
  type MmPgtableScan,
} from "./freept.js";

/** The plugin's name (`--reclaim rcu-freept`). */
export const RCU_FREEPT = "rcu-freept";

/**
 * The RFC as posted: a scan every MM_PGTABLE_SCAN_DELAY (100 ms) over at most
 * MM_PGTABLE_SCAN_SIZE (256 MB) of VMAs. `opts` changes the two constants, to
 * measure how the figures depend on them; the defaults are the patch's.
 */
export function rcuFreept(opts: FreeptScanOptions = {}): ReclaimPlugin {
  validate_options("rcuFreept(options)", opts, ["scan_delay_ms", "scan_size_mb"]);
  const st = new FreeptState(opts);
  return {
    specificationVersion: "v1",
    name: RCU_FREEPT,
    version: "0.1.0",
    models: "2024 RFC 'asynchronously scan and free empty user PTE pages' (Qi Zheng, mm/freept.c, seed 000)",
    // The RFC is based on next-20240612 (6.10-rc): MADV_DONTNEED under mmap_read_lock,
    // pte_offset_map_lock with the 6.5 pmd_same recheck. Same figures and verdict as 6.18.
    era: "6.10",
    supports: { madv_dontneed: true, madv_free: true, async_scan: true, rcu_table_free: true },
    scheduler_tick(t: task_struct): void {
      task_tick_mm_pgtable(st, t);
    },
    *task_work(t: task_struct, mm: mm_struct): KPath {
      yield* task_mm_pgtable_work(st, t, mm);
    },
  };
}

export default rcuFreept;

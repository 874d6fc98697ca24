/**
 * @mmsim/reclaim-lazyfree — step 2 of seed 001's plan: MADV_PT_RECLAIM marks
 * VMAs, their mm joins a global list, and the reclaim path (the `shrink` hook:
 * kswapd or direct reclaim, after the lazily freed folios were discarded) frees
 * the PTE tables that MADV_FREE emptied; on top of step 1 (CONFIG_PT_RECLAIM
 * as merged in 6.14, reused from @mmsim/reclaim-pt-reclaim).
 */
import type { KPath, ReclaimPlugin, ScanControl, mm_struct, task_struct, vm_area_struct } from "@mmsim/core/kernel";
import { pt_reclaim_zap_hooks } from "@mmsim/reclaim-pt-reclaim";
import { MADV_NO_PT_RECLAIM, MADV_PT_RECLAIM, PtReclaimMmList, VM_PT_RECLAIM, pt_reclaim_scan_mm, vma_pt_reclaim_suitable, type LazyfreeStats } from "./lazyfree.js";

export { MADV_NO_PT_RECLAIM, MADV_PT_RECLAIM, PtReclaimMmList, VM_PT_RECLAIM, pt_reclaim_scan_mm, pt_reclaim_scan_vma, vma_pt_reclaim_suitable } from "./lazyfree.js";
export type { LazyfreeStats } from "./lazyfree.js";

export interface LazyfreePlugin extends ReclaimPlugin {
  readonly stats: LazyfreeStats;
  /** The global mm list (model: readable for tests and reports). */
  readonly mm_list: PtReclaimMmList;
}

/**
 * pt_reclaim_shrink(sc): the `shrink` hook's pass over the global list. An mm
 * that exited or has no marked VMA left is dropped from the list.
 */
export function* pt_reclaim_shrink(t: task_struct, sc: ScanControl, list: PtReclaimMmList, stats: LazyfreeStats): KPath {
  stats.shrink_calls++;
  for (const mm of [...list.mms]) {
    if (mm.exited) {
      list.exit(mm);
      continue;
    }
    const r = yield* pt_reclaim_scan_mm(t, mm, stats);
    if (r === "unmarked") list.exit(mm);
    else if (r !== null) {
      sc.nr_pt_reclaimed += r;
      stats.tables_freed += r;
    }
  }
}

/**
 * The plugin: step 1's hooks in zap_pte_range() exactly as pt-reclaim has them,
 * the two advice, the mm list (madvise_update_vma / exit_mmap), and the scan
 * (shrink).
 */
export function lazyfree(): LazyfreePlugin {
  const stats: LazyfreeStats = { shrink_calls: 0, mm_skipped: 0, pmds_scanned: 0, tables_freed: 0 };
  const mm_list = new PtReclaimMmList();
  return {
    specificationVersion: "v1",
    name: "lazyfree",
    version: "0.1.0",
    models:
      "seed 001 step 2 (plan, never merged): MADV_PT_RECLAIM marks the VMA, the mm joins a global list, the reclaim path frees the PTE tables MADV_FREE emptied, on the CONFIG_PT_RECLAIM (6.14) infrastructure",
    // madv_free stays false: the kit's check (MADV_FREE + MADV_PAGEOUT, no marking, no memory pressure) is not this design's trigger.
    // madv_pt_reclaim: MADV_PT_RECLAIM (200) marks, and the shrink pass frees the marked VMAs' emptied tables (the kit's free-reclaim-vs-fault-marked).
    supports: { madv_dontneed: true, madv_free: false, async_scan: false, rcu_table_free: true, zero_page_tables: false, madv_pt_reclaim: true },
    stats,
    mm_list,
    madvise_advice: [
      { name: "pt_reclaim", behavior: MADV_PT_RECLAIM, set: VM_PT_RECLAIM, clear: 0 },
      { name: "no_pt_reclaim", behavior: MADV_NO_PT_RECLAIM, set: 0, clear: VM_PT_RECLAIM },
    ],
    // Step 1, as merged (@mmsim/reclaim-pt-reclaim's hooks).
    ...pt_reclaim_zap_hooks,
    // Step 2: marking and the global list.
    *madvise_update_vma(t: task_struct, vma: vm_area_struct): KPath {
      if (vma_pt_reclaim_suitable(vma) && t.mm !== null) mm_list.enter(t.mm); // pt_reclaim_enter(mm)
    },
    *exit_mmap(_t: task_struct, mm: mm_struct): KPath {
      mm_list.exit(mm); // pt_reclaim_exit(mm)
    },
    *shrink(t: task_struct, sc: ScanControl): KPath {
      yield* pt_reclaim_shrink(t, sc, mm_list, stats);
    },
  };
}

export default lazyfree;

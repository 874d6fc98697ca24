/**
 * @mmsim/reclaim-zero-pte — step 3 of seed 001's plan: PTE tables that map only
 * the shared zero page, freed from the reclaim path, on top of step 1
 * (CONFIG_PT_RECLAIM as merged in 6.14, reused from @mmsim/reclaim-pt-reclaim).
 */
import {
  tlb_finish_mmu,
  tlb_gather_mmu,
  mm_list,
  type KPath,
  type ReclaimPlugin,
  type ScanControl,
  type mm_struct,
  type mmu_gather,
  type task_struct,
} from "@mmsim/core/kernel";
import { pt_reclaim_zap_hooks } from "@mmsim/reclaim-pt-reclaim";
import { zero_pte_scan_mm, type ZeroPteScan } from "./zero_pte.js";

export { pte_maps_zero_page, try_to_free_zero_pte, userfaultfd_armed, zero_pte_scan_mm, zero_pte_vma_suitable, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP } from "./zero_pte.js";
export type { ZeroPteResult, ZeroPteScan } from "./zero_pte.js";

/** What the plugin did since it was built (model-only statistics). */
export interface ZeroPteStats {
  /** shrink passes run. */
  shrink_calls: number;
  /** mms skipped because mmap_read_trylock() failed. */
  mm_skipped: number;
  /** PMDs mapping a PTE table that a pass looked at. */
  pmds_scanned: number;
  /** Zero-page PTE tables freed. */
  zero_tables_freed: number;
}

export interface ZeroPtePlugin extends ReclaimPlugin {
  readonly stats: ZeroPteStats;
}

/**
 * zero_pte_shrink(mm): one mm's pass with its own mmu_gather: tlb_gather_mmu(),
 * the scan, tlb_finish_mmu() (the flush carries freed_tables, so lazy-TLB CPUs
 * are reached too, and covers every cleared zero-page entry).
 */
export function* zero_pte_shrink_mm(t: task_struct, mm: mm_struct): KPath<ZeroPteScan> {
  const tlb: mmu_gather = tlb_gather_mmu(t.k, mm);
  const r = yield* zero_pte_scan_mm(t, mm, tlb);
  yield* tlb_finish_mmu(t, tlb);
  return r;
}

/**
 * The plugin: step 1's hooks in zap_pte_range() exactly as pt-reclaim has them,
 * plus the `shrink` hook (shrink_node, after the anon LRU pass: kswapd or direct
 * reclaim) that scans every mm for zero-page tables. No synchronous trigger: no
 * madvise advice runs the scan (seed 001 names none for step 3; the exported
 * zero_pte_shrink_mm() is the same pass for a caller that wants one).
 */
export function zeroPte(): ZeroPtePlugin {
  const stats: ZeroPteStats = { shrink_calls: 0, mm_skipped: 0, pmds_scanned: 0, zero_tables_freed: 0 };
  return {
    specificationVersion: "v1",
    name: "zero-pte",
    version: "0.1.0",
    models:
      "seed 001 step 3 (plan, never merged): reclaim PTE tables mapping only the zero page from the reclaim path, on the CONFIG_PT_RECLAIM (6.14) infrastructure; prior art: 'Try to free empty and zero user PTE page table pages' RFC, 2022-08",
    supports: { madv_dontneed: true, madv_free: false, async_scan: false, rcu_table_free: true, zero_page_tables: true },
    stats,
    // Step 1, as merged (@mmsim/reclaim-pt-reclaim's hooks).
    ...pt_reclaim_zap_hooks,
    // Step 3.
    *shrink(t: task_struct, sc: ScanControl): KPath {
      stats.shrink_calls++;
      for (const mm of mm_list(t.k)) {
        const r = yield* zero_pte_shrink_mm(t, mm);
        if (r.skipped) stats.mm_skipped++;
        stats.pmds_scanned += r.scanned;
        stats.zero_tables_freed += r.freed;
        sc.nr_pt_reclaimed += r.freed;
      }
    },
  };
}

export default zeroPte;

/**
 * @mmsim/reclaim-pmd — seed 001's "another plan" (issue #12 §4): CONFIG_PT_RECLAIM's
 * reclaim of empty PTE tables in MADV_DONTNEED, plus the reclaim of PMD tables
 * it empties, on RCU-freed upper levels (core's KernelOptions.rcu_upper_levels,
 * which `supports.rcu_upper_levels` turns on).
 */
import type { KPath, ReclaimPlugin, ZapDetails, ZapPteState, kernel_t, mm_struct, mmu_gather, pmd_ptr, spinlock_t, task_struct, vm_area_struct } from "@mmsim/core/kernel";
import { MmsimError, pgtable_rcu_upper, validate_options } from "@mmsim/core/kernel";
import { free_pte, reclaim_pt_is_enabled, try_get_and_clear_pmd, try_to_free_pmd, try_to_free_pte, type PmdReclaimFaults, type PmdReclaimStats } from "./pmd_reclaim.js";

export { free_pte, reclaim_pt_is_enabled, try_get_and_clear_pmd, try_to_free_pmd, try_to_free_pte } from "./pmd_reclaim.js";
export type { PmdReclaimFaults, PmdReclaimStats } from "./pmd_reclaim.js";

export interface PmdReclaimOptions {
  /**
   * How sleeping `.pmd_entry` walkers are protected (seed 001's open question):
   * "rcu-refcount" (default: RCU plus a reference taken before sleeping, which
   * this plugin honours) or "srcu" (an SRCU section; PMD tables wait for it).
   */
  pmdEntrySleep?: "srcu" | "rcu-refcount";
  /** Deliberate bugs, for the kit's mutants only. */
  faults?: PmdReclaimFaults;
  /** The plugin's name (mutants and variants rename it). */
  name?: string;
}

export interface PmdReclaimPlugin extends ReclaimPlugin {
  readonly stats: PmdReclaimStats;
}

/** The plugin (registry name `pmd`). */
export function reclaimPmd(o: PmdReclaimOptions = {}): PmdReclaimPlugin {
  validate_options("reclaimPmd(options)", o, ["pmdEntrySleep", "faults", "name"]);
  const stats: PmdReclaimStats = { pte_tables_freed: 0, pmd_tables_freed: 0, pmd_recheck_failed: 0, kept_for_walker: 0 };
  const f = o.faults ?? {};
  return {
    specificationVersion: "v1",
    name: o.name ?? (o.pmdEntrySleep === "srcu" ? "pmd-srcu" : "pmd"),
    version: "0.1.0",
    models:
      "seed 001 'another plan' (never merged): all table levels freed by RCU, pmd_offset_map()/pud_offset_map() walkers, empty PMD tables reclaimed on top of CONFIG_PT_RECLAIM (Linux 6.14-6.18 mm/pt_reclaim.c)",
    supports: {
      madv_dontneed: true,
      madv_free: false,
      async_scan: false,
      rcu_table_free: true,
      zero_page_tables: false,
      rcu_upper_levels: true,
      pmd_entry_sleep: o.pmdEntrySleep ?? "rcu-refcount",
    },
    stats,
    attach(k: kernel_t): void {
      if (!pgtable_rcu_upper(k))
        throw new MmsimError("config-error", `reclaim plugin ${this.name}: needs the kernel's RCU-freed upper levels (KernelOptions.rcu_upper_levels), which were turned off`);
    },
    reclaim_pt_is_enabled(k: kernel_t, start: number, end: number, details: ZapDetails | null): boolean {
      return reclaim_pt_is_enabled(k, start, end, details);
    },
    *zap_pte_range_locked(t: task_struct, _mm: mm_struct, pmdp: pmd_ptr, _ptl: spinlock_t, st: ZapPteState): KPath {
      const r = yield* try_get_and_clear_pmd(t, pmdp, stats);
      st.direct_reclaim = r.ok;
      st.pmdval = r.pmdval;
    },
    *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
      if (st.direct_reclaim) yield* free_pte(t, mm, start, tlb, st.pmdval, stats);
      else yield* try_to_free_pte(t, mm, pmdp, start, tlb, stats);
    },
    *zap_pmd_range_done(t: task_struct, tlb: mmu_gather, vma: vm_area_struct, pudp: number, addr: number, _end: number, details: ZapDetails | null): KPath {
      yield* try_to_free_pmd(t, tlb, vma, pudp, addr, details, stats, f);
    },
  };
}

/** The same plugin with sleeping `.pmd_entry` walkers under SRCU (registry-less variant for the kit's verdicts). */
export const reclaimPmdSrcu = (): PmdReclaimPlugin => reclaimPmd({ pmdEntrySleep: "srcu" });

export default reclaimPmd;

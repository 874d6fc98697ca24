/**
 * The event counters a kernel developer would read from /proc/vmstat and
 * tracepoints, for one process and its machine: faults, page-table pages
 * allocated and freed per level, TLB flushes, RCU-deferred table frees.
 */
import type { Kernel } from "../types/kernel.js";
import type { MmStruct } from "../types/mm_types.js";

export interface MmCounterReport {
  pgfault: number;
  zero_page_faults: number;
  thp_fault_alloc: number;
  tables_allocated: { pte: number; pmd: number; pud: number; p4d: number };
  tables_freed: { pte: number; pmd: number; pud: number; p4d: number };
  pte_tables_reclaimed: number;
  tlb_flushes: { ranged: number; full: number; ipis: number };
  /** Tables handed to tlb_remove_table (freed after the flush and a grace period), and those freed so far. */
  rcu_table_frees: { deferred: number; freed: number };
}

/** The counters of a process (an engine `Process`: its mm and its machine). */
export function mm_counters(p: { readonly mm: MmStruct; readonly k: Kernel }): MmCounterReport {
  const c = p.mm.counters;
  const lv = (a: readonly number[]) => ({ pte: a[0], pmd: a[1], pud: a[2], p4d: a[3] });
  return {
    pgfault: c.pgfault,
    zero_page_faults: c.zero_page_faults,
    thp_fault_alloc: c.thp_fault_alloc,
    tables_allocated: lv(c.pgtables_allocated),
    tables_freed: lv(c.pgtables_freed),
    pte_tables_reclaimed: c.pte_tables_reclaimed,
    tlb_flushes: { ...p.k.tlb.counters },
    rcu_table_frees: { deferred: p.k.counters.tables_deferred, freed: p.k.counters.tables_freed_rcu },
  };
}

export function render_counters(r: MmCounterReport): string {
  const lv = (x: MmCounterReport["tables_allocated"]) => `pte ${x.pte}, pmd ${x.pmd}, pud ${x.pud}, p4d ${x.p4d}`;
  return [
    `pgfault:               ${r.pgfault} (zero page ${r.zero_page_faults}, THP ${r.thp_fault_alloc})`,
    `tables allocated:      ${lv(r.tables_allocated)}`,
    `tables freed:          ${lv(r.tables_freed)} (reclaimed PTE tables ${r.pte_tables_reclaimed})`,
    `TLB flushes:           ranged ${r.tlb_flushes.ranged}, full ${r.tlb_flushes.full}, IPIs ${r.tlb_flushes.ipis}`,
    `RCU-deferred frees:    ${r.rcu_table_frees.deferred} queued, ${r.rcu_table_frees.freed} freed`,
  ].join("\n") + "\n";
}

/**
 * Deliberately broken PMD-table reclaimers, each one realistic mistake, for the
 * conformance kit to catch (src/races.test.ts): the kit's scenarios of issue
 * #12 §4 must report each with one of the rules in `caught_by`.
 */
import type { ReclaimPlugin } from "@mmsim/core/kernel";
import { reclaimPmd } from "./index.js";

export interface PmdMutant {
  readonly name: string;
  readonly description: string;
  readonly plugin: () => ReclaimPlugin;
  /** The scenario that catches it, and the rules it may be caught with. */
  readonly scenario: string;
  readonly caught_by: readonly string[];
}

export const PMD_MUTANTS: readonly PmdMutant[] = [
  {
    name: "pmd-no-recheck",
    description: "frees the PMD table on its lockless pre-scan: no pud_same(), no recheck of the entries under pud_lock + pmd_lock",
    plugin: () => reclaimPmd({ name: "pmd-no-recheck", faults: { no_recheck: true } }),
    scenario: "fault-vs-pmd-free",
    caught_by: ["lost mapping", "page-table use after free", "table freed while still reachable", "double free"],
  },
  {
    name: "pmd-no-rcu",
    description: "flushes, then pmd_free() at once: no grace period for walkers inside pmd_offset_map()",
    plugin: () => reclaimPmd({ name: "pmd-no-rcu", faults: { no_rcu: true } }),
    scenario: "upper-walker-vs-pmd-free",
    caught_by: ["RCU: freed before a grace period", "page-table use after free", "ptlock use after free"],
  },
  {
    name: "pmd-no-freed-tables",
    description: "tlb_remove_table() without pmd_free_tlb()'s freed_tables: lazy-TLB CPUs (x86) keep the PUD→PMD paging-structure-cache entry",
    plugin: () => reclaimPmd({ name: "pmd-no-freed-tables", faults: { no_freed_tables: true } }),
    scenario: "upper-walker-vs-pmd-free",
    caught_by: ["stale paging-structure cache", "page-table use after free"],
  },
];

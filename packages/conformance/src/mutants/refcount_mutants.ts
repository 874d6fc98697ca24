/**
 * Mutants of the designs that hold a reference per PTE table (the 2021 atomic
 * pte_refcount, the 2022 percpu_ref), for R11 and R17 (seed-designs.md §2). This
 * package cannot depend on those plugins (their tests depend on it), so each
 * mutant wraps the plugin a caller passes: `referenceMutants(() => refcount())`.
 * scripts/mutants/*.mjs bind them to the bundled plugins for the command line.
 */
import type { KPath, PteMapKind, ReclaimPlugin, mm_struct, pmd_ptr, pte_ptr, task_struct } from "@mmsim/core/kernel";

export interface ReferenceMutant {
  name: string;
  /** The R-number of the objection it stands for. */
  objection: string;
  description: string;
  /** Rules meant to catch it (any one). */
  caught_by: string[];
  /** The scenario that catches it. */
  scenario: string;
  /** Whether it applies to a plugin (it needs the hooks it wraps). */
  applies(p: ReclaimPlugin): boolean;
  /** The broken plugin, built from a fresh instance of the real one. */
  wrap(base: ReclaimPlugin): ReclaimPlugin;
}

const renamed = (base: ReclaimPlugin, name: string, over: Partial<ReclaimPlugin>): ReclaimPlugin => ({
  ...base,
  ...over,
  name: `mutant:${base.name}-${name}`,
  models: `${base.name} mutant: ${name}`,
});

/** The scenarios' page-table walker (check/actors.ts locked_walk, mincore/smaps-like) runs as a task named after its actor. */
const is_walker = (t: task_struct): boolean => t.comm === "walker";

export const REFERENCE_MUTANTS: readonly ReferenceMutant[] = [
  {
    name: "walker-missing-pte-unmap",
    objection: "R17",
    description:
      "one walker (the mincore/smaps-like walk) maps its PTE table with pte_tryget_map_lock() and never drops the reference: " +
      "a missing pte_unmap() is 'a disaster for pte_refcount' (the table can never be freed; 2021: BUG() in free_pte_range())",
    caught_by: ["kernel BUG", "sanitizer", "table leaked at exit", "pgtables_bytes at exit"],
    scenario: "walker-vs-dontneed",
    // The 2021 design BUG()s in free_pte_range() on a table that outlived its VMAs. In the 2022
    // design the leak only keeps the table (never reclaimed) and free_pgtables() frees it at exit:
    // no race rule sees that, so the mutant applies where free_pte_range is owned.
    applies: (p) => typeof p.pte_unmap === "function" && typeof p.free_pte_range === "function",
    wrap: (base) =>
      renamed(base, "walker-missing-pte-unmap", {
        *pte_unmap(t: task_struct, ptep: pte_ptr, kind: PteMapKind): KPath {
          if (kind === "tryget" && is_walker(t)) return;
          yield* base.pte_unmap!(t, ptep, kind);
        },
      }),
  },
  {
    name: "gup-fast-unmap-puts",
    objection: "R17",
    description:
      "GUP-fast maps without a reference (IRQs off, as the designs intend) but its pte_unmap() drops one, as an unconverted " +
      "pte_offset_map() paired with a converted pte_unmap() would (seed 002 patch 12 made those __pte_unmap()): the table is freed early",
    caught_by: ["kernel BUG", "sanitizer", "lost mapping", "user data", "page-table use after free", "RCU: freed before a grace period"],
    scenario: "gup-fast-vs-dontneed",
    applies: (p) => typeof p.pte_unmap === "function" && !!p.supports.walker_refcount,
    wrap: (base) =>
      renamed(base, "gup-fast-unmap-puts", {
        *pte_unmap(t: task_struct, ptep: pte_ptr, kind: PteMapKind): KPath {
          yield* base.pte_unmap!(t, ptep, kind === "lockless" ? "tryget" : kind);
        },
      }),
  },
  {
    name: "install-double-get",
    objection: "R11",
    description:
      "pmd_install_get() that finds the table another thread installed takes a second reference (Mika Penttilä's 'double accounting'): " +
      "the count never returns to zero and the table is never freed",
    caught_by: ["kernel BUG", "sanitizer", "table leaked at exit", "pgtables_bytes at exit"],
    scenario: "fault-vs-fault-install",
    applies: (p) => typeof p.pmd_install_get === "function",
    wrap: (base) =>
      renamed(base, "install-double-get", {
        *pmd_install_get(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, installed: boolean): KPath<boolean> {
          const got = yield* base.pmd_install_get!(t, mm, pmdp, installed);
          if (got && !installed) yield* base.pmd_install_get!(t, mm, pmdp, false);
          return got;
        },
      }),
  },
  {
    name: "install-no-get",
    objection: "R11",
    description:
      "pmd_install_get() that finds the table another thread installed reports a reference it did not take; the caller's pte_put() " +
      "then drops someone else's: the table is freed while it still maps pages",
    caught_by: ["kernel BUG", "sanitizer", "lost mapping", "user data", "page-table use after free"],
    scenario: "fault-vs-fault-install",
    applies: (p) => typeof p.pmd_install_get === "function",
    wrap: (base) =>
      renamed(base, "install-no-get", {
        *pmd_install_get(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, installed: boolean): KPath<boolean> {
          if (!installed) return true;
          return yield* base.pmd_install_get!(t, mm, pmdp, installed);
        },
      }),
  },
];

/**
 * A design that treats a non-present entry as none: after every MADV_DONTNEED
 * zap of a PTE table (zap_pte_range_done, ungated: the zap need not cover the
 * whole slice nor skip nothing), it rescans the table under the PMD and PTE locks
 * and frees it when no entry is *present* — `pte_present()` where emptiness is
 * `pte_none()`. A table holding only guard markers or only swap entries looks
 * empty to it and goes with them. Otherwise it is pt-reclaim (the rescan is
 * `emptiness-present-only`'s, src/mutants/swap_mutants.ts). The "non-present
 * entries" checks catch it; the same design asking `pte_none()`
 * (`nonPresentControl()`, the test's control) passes them.
 */
import { type KPath, type ReclaimPlugin, type ZapDetails, type mm_struct, type mmu_gather, type pmd_ptr, type task_struct } from "@mmsim/core/kernel";
import { ptReclaim, try_to_free_pte } from "@mmsim/reclaim-pt-reclaim";
import type { Mutant } from "./pt_reclaim_mutants.js";
import { try_to_free_pte_present_only } from "./swap_mutants.js";

/** pt-reclaim plus a rescan of the table after every MADV_DONTNEED zap of it: `present_only` selects the emptiness test. */
function rescanAfterZap(present_only: boolean, name: string): ReclaimPlugin {
  return {
    ...ptReclaim(),
    name,
    models: `pt-reclaim, plus a rescan after every MADV_DONTNEED zap (${present_only ? "pte_present(): the mutant" : "pte_none(): the control"})`,
    *zap_pte_range_done(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, details: ZapDetails | null): KPath {
      if (details === null || !details.reclaim_pt) return;
      const addr = start - (start % t.k.arch.PMD_SIZE);
      if (present_only) yield* try_to_free_pte_present_only(t, mm, pmdp, addr, tlb);
      else yield* try_to_free_pte(t, mm, pmdp, addr, tlb);
    },
  };
}

/** The same design with the emptiness test right (`pte_none()`, pt-reclaim's try_to_free_pte()): it must pass. */
export const nonPresentControl = (): ReclaimPlugin => rescanAfterZap(false, "nonpresent-control");

export const NONPRESENT_MUTANTS: readonly Mutant[] = [
  {
    name: "nonpresent-as-none",
    description: "after every MADV_DONTNEED zap the table is rescanned and freed when no entry is present (pte_present() instead of pte_none()): a table holding only guard markers or swap entries is freed with them",
    caught_by: ["guard marker lost", "swap entry lost"],
    plugin: () => rescanAfterZap(true, "mutant:nonpresent-as-none"),
  },
];

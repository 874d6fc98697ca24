/**
 * Mutants for the reviewers' objections in the seed threads (issue #8), written
 * as variants of pt-reclaim so that they need no other plugin package. Each
 * names the thread scenario meant to catch it (THREAD_SCENARIOS) and the rules.
 * Mutants of the refcount and percpu designs take the plugin factory as an
 * argument instead (refcount_mutants.ts): this package cannot depend on them.
 */
import {
  find_vma,
  type kernel_t,
  flush_tlb_range,
  mm_dec_nr_ptes,
  pte_free,
  type KPath,
  type ReclaimPlugin,
  type ZapPteState,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type task_struct,
} from "@mmsim/core/kernel";
import { free_pte, ptReclaim, try_to_free_pte } from "@mmsim/reclaim-pt-reclaim";
import type { Mutant } from "./pt_reclaim_mutants.js";

/** A mutant with the scenario (and arch) that shows its mistake most directly. */
export interface ThreadMutant extends Mutant {
  /** The R-number of the objection it stands for. */
  objection: string;
  /** The scenario that catches it. */
  scenario: string;
  /** The arch that scenario needs, when not x86_64. */
  arch?: "x86_64-pv";
}

/** Core's table of plugin hooks, where its pagetable_dtor() calls pte_table_dtor (not part of the plugin API). */
type CoreHooks = { hooks: { pte_table_dtor: ((k: kernel_t, mm: mm_struct, pfn: number) => void) | null } };

/**
 * pt-reclaim on a kernel whose pte_free_tlb() runs pagetable_dtor() at hand-over
 * (before 6.14). No plugin can move core's dtor, so this mutant reaches core's
 * hook table (captured in attach()) and runs the dtor itself before pte_free_tlb().
 */
function dtorBeforeGracePeriod(): ReclaimPlugin {
  const base = ptReclaim();
  let core: CoreHooks["hooks"] | null = null;
  return {
    ...base,
    name: "mutant:dtor-before-grace-period",
    models: "pt-reclaim mutant: dtor-before-grace-period (R31)",
    attach(k: kernel_t): void {
      core = (k as unknown as CoreHooks).hooks;
      base.attach?.(k);
    },
    *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
      if (!st.direct_reclaim) return yield* try_to_free_pte(t, mm, pmdp, start, tlb);
      core!.pte_table_dtor?.(t.k, mm, t.k.arch.pxd_pfn(st.pmdval)); // ___pte_free_tlb(): pagetable_pte_dtor(), then tlb_remove_table()
      yield* free_pte(t, mm, start, tlb, st.pmdval);
    },
  };
}

export const THREAD_MUTANTS: readonly ThreadMutant[] = [
  {
    name: "immediate-free-after-flush",
    objection: "R14",
    description:
      "2021 v2 5/9-6/9's free_pte_table() tail on pt-reclaim's fast path: flush_tlb_range() then pte_free() at once, no grace period. " +
      "Native x86 holds the free off while GUP-fast has IRQs off (the IPI waits); a paravirt flush does not wait (Jason: 'fast gup is broken')",
    caught_by: ["RCU: freed before a grace period", "page-table use after free", "stale paging-structure cache"],
    scenario: "gup-fast-vs-dontneed",
    arch: "x86_64-pv",
    plugin: () => ({
      ...ptReclaim(),
      name: "mutant:immediate-free-after-flush",
      models: "pt-reclaim mutant: immediate-free-after-flush (R14)",
      *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
        if (!st.direct_reclaim) return yield* try_to_free_pte(t, mm, pmdp, start, tlb);
        // free_pte_table(): pmd already cleared under pmd_lock by the fast path.
        const vma = find_vma(mm, start)!;
        yield* flush_tlb_range(t, vma, start, start + t.k.arch.PMD_SIZE);
        mm_dec_nr_ptes(mm);
        pte_free(t.k, mm, t.k.arch.pxd_pfn(st.pmdval));
      },
    }),
  },
  {
    name: "dtor-before-grace-period",
    objection: "R31",
    description:
      "pagetable_dtor() (ptlock_free) when the table is handed to the mmu_gather, before the grace period, as ___pte_free_tlb() did before 6.14: " +
      "a pte_offset_map_lock() that looked the lock up under RCU then spins on freed memory (syzbot's report against PT_RECLAIM)",
    caught_by: ["ptlock use after free"],
    scenario: "walker-vs-dontneed",
    plugin: dtorBeforeGracePeriod,
  },
];

/**
 * Mutants of pt-reclaim's slow path, try_to_free_pte(), that KEEP the fast path
 * (unlike pt_reclaim_mutants.ts's slow-path mutants, which disable it and so are
 * caught by any discard). They are caught only by scenarios that really reach the
 * slow path: a contended PMD lock making the fast path's trylock fail, while a
 * fault holds the PTE lock or two discards meet on one table.
 */
import {
  mm_dec_nr_ptes,
  pmd_clear,
  pmd_lock,
  pte_free_tlb,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  spin_lock,
  spin_lock_nested,
  spin_unlock,
  type KPath,
  type ReclaimPlugin,
  type ZapPteState,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type task_struct,
} from "@mmsim/core/kernel";
import { free_pte, ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import type { Mutant } from "./pt_reclaim_mutants.js";

/** try_to_free_pte(), with one mistake. */
interface SlowMistakes {
  /** Trust the zap and skip the 512-entry pte_none() rescan. */
  no_rescan?: boolean;
  /** Clear the PMD holding only the PTE lock (no pmd_lock). */
  no_pmd_lock?: boolean;
  /** `if (!start_pte) goto out_ptl;` forgets to drop the PMD lock. */
  null_keeps_lock?: boolean;
}

function* try_to_free_pte(m: SlowMistakes, t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, tlb: mmu_gather): KPath {
  const a = t.k.arch;
  const pml = m.no_pmd_lock ? null : yield* pmd_lock(t, pmdp);
  const start = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
  if (start === null) {
    if (pml && !m.null_keeps_lock) yield* spin_unlock(t, pml);
    return;
  }
  const { pte: start_pte, pmdval, ptl } = start;
  if (pml === null) yield* spin_lock(t, ptl);
  else if (ptl !== pml) yield* spin_lock_nested(t, ptl);
  if (!m.no_rescan)
    for (let i = 0; i < a.PTRS_PER_PTE; i++)
      if (!a.pte_none(yield* ptep_get(t, start_pte + i))) {
        yield* pte_unmap_unlock(t, start_pte, ptl);
        if (pml && ptl !== pml) yield* spin_unlock(t, pml);
        return;
      }
  yield* pte_unmap(t, start_pte);
  yield* pmd_clear(t, pmdp);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  if (pml) yield* spin_unlock(t, pml);
  yield* pte_free_tlb(t, tlb, a.pxd_pfn(pmdval), addr);
  mm_dec_nr_ptes(mm);
}

function slowVariant(name: string, m: SlowMistakes): ReclaimPlugin {
  return {
    ...ptReclaim(),
    name: `mutant:${name}`,
    models: `pt-reclaim mutant: ${name}`,
    *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
      if (st.direct_reclaim) yield* free_pte(t, mm, start, tlb, st.pmdval);
      else yield* try_to_free_pte(m, t, mm, pmdp, start, tlb);
    },
  };
}

export const SLOW_PATH_MUTANTS: readonly Mutant[] = [
  {
    name: "slow-path-no-rescan",
    description: "try_to_free_pte() (reached when the PMD trylock fails) skips the pte_none() rescan under the locks; the fast path is intact",
    caught_by: ["lost mapping", "user data"],
    plugin: () => slowVariant("slow-path-no-rescan", { no_rescan: true }),
  },
  {
    name: "slow-path-no-pmd-lock",
    description: "try_to_free_pte() clears the PMD holding only the PTE lock; the fast path is intact",
    caught_by: ["PMD write without the PMD lock"],
    plugin: () => slowVariant("slow-path-no-pmd-lock", { no_pmd_lock: true }),
  },
  {
    name: "slow-path-null-keeps-lock",
    description: "try_to_free_pte() returns with the PMD lock held when the table is already gone (another discard freed it); the fast path is intact",
    caught_by: ["deadlock", "lock rules", "kernel BUG"],
    plugin: () => slowVariant("slow-path-null-keeps-lock", { null_keeps_lock: true }),
  },
];

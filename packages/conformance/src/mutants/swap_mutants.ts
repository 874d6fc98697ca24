/**
 * A mutant of pt-reclaim that only a swap entry can expose: try_to_free_pte()'s
 * rescan asks pte_present() instead of pte_none(), so a table whose only
 * entries are swap entries (not none, not present) looks empty and is freed
 * with them, losing the swapped-out pages and leaking their slots. The fast path
 * is intact (it trusts the zap, which clears swap entries too), so the mistake
 * shows only when the PMD trylock fails and a swap entry appears in the slice
 * between the zap and the rescan: the swap-vs-dontneed scenario.
 */
import {
  pmd_clear,
  pmd_lock,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
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

/** try_to_free_pte() whose "Check if it is empty PTE page" loop tests pte_present(). */
export function* try_to_free_pte_present_only(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, tlb: mmu_gather): KPath {
  const a = t.k.arch;
  const pml = yield* pmd_lock(t, pmdp);
  const start = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
  if (start === null) {
    yield* spin_unlock(t, pml);
    return;
  }
  const { pte: start_pte, pmdval, ptl } = start;
  if (ptl !== pml) yield* spin_lock_nested(t, ptl);
  for (let i = 0; i < a.PTRS_PER_PTE; i++) {
    // The mistake: a swap entry is not present, but the table holding it is not empty.
    if (a.pte_present(yield* ptep_get(t, start_pte + i))) {
      yield* pte_unmap_unlock(t, start_pte, ptl);
      if (ptl !== pml) yield* spin_unlock(t, pml);
      return;
    }
  }
  yield* pte_unmap(t, start_pte);
  yield* pmd_clear(t, pmdp);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);
  yield* free_pte(t, mm, addr, tlb, pmdval);
}

/** A mutant with the scenario that catches it. */
export interface SwapMutant extends Mutant {
  scenario: string;
}

export const SWAP_MUTANTS: readonly SwapMutant[] = [
  {
    name: "emptiness-present-only",
    description: "try_to_free_pte()'s emptiness rescan tests pte_present() instead of pte_none(): a table holding swap entries is freed with them",
    caught_by: ["lost mapping", "user data", "swap slot leaked"],
    scenario: "swap-vs-dontneed",
    plugin: (): ReclaimPlugin => ({
      ...ptReclaim(),
      name: "mutant:emptiness-present-only",
      models: "pt-reclaim mutant: emptiness-present-only",
      *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
        if (st.direct_reclaim) yield* free_pte(t, mm, start, tlb, st.pmdval);
        else yield* try_to_free_pte_present_only(t, mm, pmdp, start, tlb);
      },
    }),
  },
];

/**
 * Deliberately broken variants of @mmsim/reclaim-pmd's PMD-table reclaim (seed
 * 001's "another plan"). The kit cannot import that package (it tests itself
 * with the kit: a dependency cycle), so try_to_free_pmd() is restated here,
 * line for line after packages/reclaim-pmd/src/pmd_reclaim.ts, on pt-reclaim's
 * exported PTE-level hooks (reclaim-pmd's PTE level is pt-reclaim's plus a
 * check for sleeping walkers' references, which no scenario using this replica
 * has), with one mistake switched on per mutant. `pmdReclaimReplica()` with no
 * mistake is tested to pass the scenario that catches the mutants
 * (src/scenario_mutants.test.ts); the real plugin runs every kit scenario in its
 * own package's kit test.
 *
 * Not in `MUTANTS` (src/mutants/all.ts): `mmsim … mutant:NAME` does not list them.
 */
import {
  MmsimError,
  mm_dec_nr_pmds,
  pgtable_of_entry,
  pgtable_rcu_upper,
  pmd_free_tlb,
  pmd_lockptr,
  pmd_offset_kernel,
  pmd_offset_map,
  pmd_unmap,
  pmdp_get,
  pmdp_peek,
  pud_clear,
  pud_lock,
  pudp_get,
  spin_lock,
  spin_unlock,
  type KPath,
  type ReclaimPlugin,
  type ZapDetails,
  type kernel_t,
  type mmu_gather,
  type task_struct,
  type vm_area_struct,
} from "@mmsim/core/kernel";
import { pt_reclaim_zap_hooks } from "@mmsim/reclaim-pt-reclaim";
import type { Mutant } from "./pt_reclaim_mutants.js";

/** The one mistake a mutant makes (none: the design as bundled). */
export interface PmdMistakes {
  /**
   * No pud_same() recheck under pud_lock: the PMD table the lockless pre-scan saw
   * empty is cleared and freed even when another reclaimer freed it meanwhile.
   */
  no_pud_same?: boolean;
}

/** try_to_free_pmd() restated: free the PMD table under `pudp` if it maps nothing. */
function* try_to_free_pmd(m: PmdMistakes, t: task_struct, tlb: mmu_gather, vma: vm_area_struct, pudp: number, addr: number, details: ZapDetails | null): KPath {
  const k = t.k;
  const a = k.arch;
  if (details === null || !details.reclaim_pt) return;
  const start = Math.floor(addr / a.PUD_SIZE) * a.PUD_SIZE;
  if (vma.vm_start > start || vma.vm_end < start + a.PUD_SIZE) return;
  const mm = tlb.mm;
  const mp = yield* pmd_offset_map(t, pudp, start);
  if (mp === null) return;
  let empty = true;
  for (let i = 0; i < a.PTRS_PER_PMD && empty; i++) empty = a.pxd_none(pmdp_peek(t, mp.pmd + i));
  yield* pmd_unmap(t);
  if (!empty) return;
  let pfn = pgtable_of_entry(k, mp.pmd);
  const ptl = yield* pud_lock(t, mm);
  // BUG no_pud_same: the table is taken from the pre-scan's PUD value, not rechecked.
  const pudval = m.no_pud_same ? mp.pudval : yield* pudp_get(t, pudp);
  if (pudval !== mp.pudval) {
    yield* spin_unlock(t, ptl);
    return;
  }
  const pmd0 = pmd_offset_kernel(k, pudval, start);
  pfn = a.pxd_table_pfn(pudval);
  const pml = pmd_lockptr(k, pmd0);
  yield* spin_lock(t, pml);
  let ok = true;
  for (let i = 0; i < a.PTRS_PER_PMD && ok; i++) ok = a.pxd_none(yield* pmdp_get(t, pmd0 + i));
  if (!ok) {
    yield* spin_unlock(t, pml);
    yield* spin_unlock(t, ptl);
    return;
  }
  yield* pud_clear(t, pudp);
  yield* spin_unlock(t, pml);
  yield* spin_unlock(t, ptl);
  yield* pmd_free_tlb(t, tlb, pfn, start);
  mm_dec_nr_pmds(mm);
}

/** @mmsim/reclaim-pmd ("rcu-refcount", no sleeping walkers) restated, with `m` switched on. */
export function pmdReclaimReplica(name = "pmd-replica", m: PmdMistakes = {}): ReclaimPlugin {
  return {
    specificationVersion: "v1",
    name,
    version: "0.1.0",
    models: `pmd (seed 001 'another plan') restated${name === "pmd-replica" ? "" : `, mutant: ${name}`}`,
    supports: { madv_dontneed: true, madv_free: false, async_scan: false, rcu_table_free: true, zero_page_tables: false, rcu_upper_levels: true, pmd_entry_sleep: "rcu-refcount" },
    attach(k: kernel_t): void {
      if (!pgtable_rcu_upper(k)) throw new MmsimError("config-error", `reclaim plugin ${name}: needs the kernel's RCU-freed upper levels`);
    },
    ...pt_reclaim_zap_hooks,
    *zap_pmd_range_done(t: task_struct, tlb: mmu_gather, vma: vm_area_struct, pudp: number, addr: number, _end: number, details: ZapDetails | null): KPath {
      yield* try_to_free_pmd(m, t, tlb, vma, pudp, addr, details);
    },
  };
}

/** Mutants of the PMD-table reclaim (issue #9 §1: two reclaimers of one PMD table). */
export const PMD_MUTANTS: readonly Mutant[] = [
  {
    name: "pmd-no-pud-same",
    description: "try_to_free_pmd() skips the pud_same() recheck under pud_lock: a PMD table another zap freed after this one's lockless pre-scan is cleared and freed again",
    caught_by: ["double free", "page-table use after free", "RCU: freed before a grace period", "table freed while still reachable"],
    plugin: () => pmdReclaimReplica("mutant:pmd-no-pud-same", { no_pud_same: true }),
  },
];

/**
 * Deliberately broken variants of pt-reclaim (mm/pt_reclaim.c). Each keeps the
 * merged design except for one mistake a patch could make, and names the check
 * meant to catch it. The kit's self-test proves every one is caught.
 */
import {
  mm_dec_nr_ptes,
  pmd_clear,
  pmd_lock,
  pmd_lockptr,
  pmdp_get_lockless,
  pte_free,
  pte_free_defer,
  pte_free_tlb,
  __pte_offset_map,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  spin_lock,
  spin_trylock,
  spin_unlock,
  tlb_flush_pmd_range,
  tlb_remove_table,
  type KPath,
  type ReclaimPlugin,
  type ZapPteState,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type spinlock_t,
  type task_struct,
} from "@mmsim/core/kernel";
import { ptReclaim, reclaim_pt_is_enabled, try_to_free_pte } from "@mmsim/reclaim-pt-reclaim";

export interface Mutant {
  name: string;
  /** The mistake, in kernel terms. */
  description: string;
  /** Rules of the checks meant to catch it (any one). */
  caught_by: string[];
  plugin: () => ReclaimPlugin;
}

/** pt-reclaim with some hooks replaced. */
function variant(name: string, over: Partial<ReclaimPlugin>): ReclaimPlugin {
  return { ...ptReclaim(), ...over, name: `mutant:${name}`, models: `pt-reclaim mutant: ${name}` };
}

/** The fast path, never taken: every table goes through the given slow path. */
const slowOnly = {
  *zap_pte_range_locked(_t: task_struct, _mm: mm_struct, _pmdp: pmd_ptr, _ptl: spinlock_t, st: ZapPteState): KPath {
    st.direct_reclaim = false;
  },
};

export const MUTANTS: readonly Mutant[] = [
  {
    name: "no-rcu-deferral",
    description: "free_pte() frees the table at once (pte_free) instead of pte_free_tlb(): no TLB flush, no grace period",
    caught_by: ["RCU: freed before a grace period", "page-table use after free", "stale paging-structure cache"],
    plugin: () =>
      variant("no-rcu-deferral", {
        *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
          if (!st.direct_reclaim) return yield* try_to_free_pte(t, mm, pmdp, start, tlb);
          pte_free(t.k, mm, t.k.arch.pxd_pfn(st.pmdval));
          mm_dec_nr_ptes(mm);
        },
      }),
  },
  {
    name: "no-tlb-flush",
    description: "the table goes straight to call_rcu(), skipping the mmu_gather: no TLB flush before it is freed",
    caught_by: ["stale paging-structure cache", "page-table use after free"],
    plugin: () =>
      variant("no-tlb-flush", {
        *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
          if (!st.direct_reclaim) return yield* try_to_free_pte(t, mm, pmdp, start, tlb);
          pte_free_defer(t, mm, t.k.arch.pxd_pfn(st.pmdval));
          mm_dec_nr_ptes(mm);
        },
      }),
  },
  {
    name: "no-freed-tables",
    description: "pte_free_tlb() without tlb->freed_tables = 1: the flush skips lazy-TLB CPUs, whose paging-structure caches still point at the table",
    caught_by: ["stale paging-structure cache"],
    plugin: () =>
      variant("no-freed-tables", {
        *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
          if (!st.direct_reclaim) return yield* try_to_free_pte(t, mm, pmdp, start, tlb);
          tlb_flush_pmd_range(tlb, start, t.k.arch.PAGE_SIZE);
          yield* tlb_remove_table(t, tlb, t.k.arch.pxd_pfn(st.pmdval));
          mm_dec_nr_ptes(mm);
        },
      }),
  },
  {
    name: "emptiness-unlocked",
    description: "the slow path checks the 512 entries under RCU only, then takes the locks and clears the PMD without rechecking",
    caught_by: ["lost mapping", "user data"],
    plugin: () =>
      variant("emptiness-unlocked", {
        ...slowOnly,
        *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number): KPath {
          const a = t.k.arch;
          const m = yield* __pte_offset_map(t, pmdp, start);
          if (m === null) return;
          const { pte, pmdval } = m;
          for (let i = 0; i < a.PTRS_PER_PTE; i++) if (!a.pte_none(yield* ptep_get(t, pte + i))) return yield* pte_unmap(t, pte);
          yield* pte_unmap(t, pte);
          const pml = yield* pmd_lock(t, pmdp);
          if ((yield* pmdp_get_lockless(t, pmdp)) !== pmdval) return yield* spin_unlock(t, pml);
          yield* pmd_clear(t, pmdp);
          yield* spin_unlock(t, pml);
          yield* pte_free_tlb(t, tlb, a.pxd_pfn(pmdval), start);
          mm_dec_nr_ptes(mm);
        },
      }),
  },
  {
    name: "pmd-clear-unlocked",
    description: "the slow path holds only the PTE lock when it clears the PMD (no pmd_lock)",
    caught_by: ["PMD write without the PMD lock"],
    plugin: () =>
      variant("pmd-clear-unlocked", {
        ...slowOnly,
        *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number): KPath {
          const a = t.k.arch;
          const m = yield* pte_offset_map_rw_nolock(t, mm, pmdp, start);
          if (m === null) return;
          const { pte, pmdval, ptl } = m;
          yield* spin_lock(t, ptl);
          for (let i = 0; i < a.PTRS_PER_PTE; i++) if (!a.pte_none(yield* ptep_get(t, pte + i))) return yield* pte_unmap_unlock(t, pte, ptl);
          yield* pmd_clear(t, pmdp);
          yield* pte_unmap_unlock(t, pte, ptl);
          yield* pte_free_tlb(t, tlb, a.pxd_pfn(pmdval), start);
          mm_dec_nr_ptes(mm);
        },
      }),
  },
  {
    name: "partial-slice",
    description: "reclaim_pt_is_enabled() without `end - start >= PMD_SIZE`: a zap of part of a slice frees the whole table",
    caught_by: ["lost mapping", "user data", "differential"],
    plugin: () => variant("partial-slice", { reclaim_pt_is_enabled: (k, s, e, d) => reclaim_pt_is_enabled(k, s, s + k.arch.PMD_SIZE, d) && e > s }),
  },
  {
    name: "nr-ptes-not-decremented",
    description: "free_pte() forgets mm_dec_nr_ptes(): VmPTE keeps counting freed tables",
    caught_by: ["mm_pgtables_bytes", "pgtables_bytes at exit", "table leaked"],
    plugin: () =>
      variant("nr-ptes-not-decremented", {
        *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
          if (!st.direct_reclaim) return yield* try_to_free_pte(t, mm, pmdp, start, tlb);
          yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(st.pmdval), start);
        },
      }),
  },
  {
    name: "fast-path-no-trylock",
    description: "try_get_and_clear_pmd() takes the PMD lock with spin_lock() under the PTE lock: ABBA against pmd_lock → PTE lock",
    caught_by: ["lock order", "deadlock"],
    plugin: () =>
      variant("fast-path-no-trylock", {
        *zap_pte_range_locked(t: task_struct, _mm: mm_struct, pmdp: pmd_ptr, _ptl: spinlock_t, st: ZapPteState): KPath {
          const pml = pmd_lockptr(t.k, pmdp);
          yield* spin_lock(t, pml);
          st.pmdval = yield* pmdp_get_lockless(t, pmdp);
          yield* pmd_clear(t, pmdp);
          yield* spin_unlock(t, pml);
          st.direct_reclaim = true;
        },
      }),
  },
  {
    name: "no-rescan",
    description: "the slow path (PTE lock dropped midway) trusts the earlier walk and skips the 512-entry pte_none() rescan",
    caught_by: ["lost mapping", "user data"],
    plugin: () =>
      variant("no-rescan", {
        ...slowOnly,
        *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number): KPath {
          const pml = yield* pmd_lock(t, pmdp);
          const m = yield* pte_offset_map_rw_nolock(t, mm, pmdp, start);
          if (m === null) return yield* spin_unlock(t, pml);
          const { pte, pmdval } = m;
          yield* pte_unmap(t, pte);
          yield* pmd_clear(t, pmdp);
          yield* spin_unlock(t, pml);
          yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(pmdval), start);
          mm_dec_nr_ptes(mm);
        },
      }),
  },
  {
    name: "still-linked",
    description: "the fast path reads the PMD but never clears it, then frees the table it still points to",
    caught_by: ["table freed while still reachable"],
    plugin: () =>
      variant("still-linked", {
        *zap_pte_range_locked(t: task_struct, _mm: mm_struct, pmdp: pmd_ptr, _ptl: spinlock_t, st: ZapPteState): KPath {
          const pml = pmd_lockptr(t.k, pmdp);
          if (!(yield* spin_trylock(t, pml))) return void (st.direct_reclaim = false);
          st.pmdval = yield* pmdp_get_lockless(t, pmdp);
          yield* spin_unlock(t, pml);
        },
      }),
  },
  {
    name: "double-free",
    description: "the table is handed to pte_free_tlb() twice",
    caught_by: ["double free"],
    plugin: () =>
      variant("double-free", {
        *zap_pte_range_end(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath {
          if (!st.direct_reclaim) return yield* try_to_free_pte(t, mm, pmdp, start, tlb);
          yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(st.pmdval), start);
          yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(st.pmdval), start);
          mm_dec_nr_ptes(mm);
        },
      }),
  },
];


/**
 * @mmsim/reclaim-percpu — the 2022 design: a percpu_ref per PTE table page,
 * switched to atomic mode to see whether it is zero (seed 002, CONFIG_FREE_USER_PTE,
 * Linux v5.18-rc2; never merged). Modelled as posted, bugs included.
 */
import {
  MmsimError,
  percpu_ref_config,
  validate_options,
  pmdp_get_lockless,
  pte_offset_kernel,
  type KPath,
  type PteMapKind,
  type PteMapping,
  type ReclaimPlugin,
  type ZapDetails,
  type kernel_t,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type pte_ptr,
  type task_struct,
  type vm_area_struct,
} from "@mmsim/core/kernel";
import {
  pte_put,
  pte_ref_free,
  pte_ref_init,
  pte_tryget,
  pvmw_madv_free,
  track_pte_clear,
  track_pte_set,
  try_to_free_user_pte,
  try_to_unmap_one_redirty,
  type PteRefs,
} from "./pte_ref.js";

export {
  __pte_put,
  free_user_pte,
  pte_put,
  pte_ref_free,
  pte_ref_init,
  pte_tryget,
  pvmw_madv_free,
  track_pte_clear,
  track_pte_set,
  try_to_free_user_pte,
  try_to_unmap_one_redirty,
  type PteRefs,
} from "./pte_ref.js";

export interface PercpuOptions {
  /**
   * try_to_free_user_pte()'s switch_back for MADV_DONTNEED: switch a table whose
   * pte_ref is not zero back to percpu mode (default true, as posted). R5: Qi
   * Zheng's self-reply to 13/18 says switching back "will drastically reduce
   * performance" (the next DONTNEED waits another grace period) and that the fix
   * is not to switch back. MADV_FREE passes `switch_back && !have_lazyfree`.
   */
  switch_back?: boolean;
  /**
   * Patch 02/18 ("make ref stable after percpu_ref_switch_to_atomic_sync()
   * returns") applied to the percpu_ref library (default true, as posted). False
   * is v5.18's ordering: R1, the switch's own put can land after
   * try_to_free_user_pte()'s percpu_ref_is_zero(), and the table is not freed.
   */
  patch02?: boolean;
}

/** PAGE_SIZE of the arch (pvmw->address after the last PTE of a small folio). */
const page_size = (k: kernel_t) => k.arch.PAGE_SIZE;

/**
 * The plugin. Where the patch's code runs:
 *   - pte_table_ctor / pte_table_dtor: pgtable_pte_page_ctor() → pte_ref_init();
 *     pgtable_pte_page_dtor() → pte_ref_free() (in pte_free_rcu(), after the grace period);
 *   - track_pte_set / track_pte_clear: set_pte_at() / ptep_get_and_clear();
 *   - pte_offset_map / pte_unmap: pte_tryget_map{,_lock}() and pte_unmap() =
 *     pte_put() + __pte_unmap() for "tryget" callers; __pte_offset_map() /
 *     __pte_unmap() (no reference) for "stable" and "lockless" (GUP-fast) ones;
 *   - zap_pte_range_done: `if (free_pte) try_to_free_user_pte(mm, pmd, start, true)`
 *     (free_pte: zap_page_range{,_single}, i.e. MADV_DONTNEED; not unmap_vmas);
 *   - madvise_free_pte_range: `try_to_free_user_pte(mm, pmd, start, !have_lazyfree)`;
 *   - try_to_unmap_one_done: page_vma_mapped_walk() leaving the table with PVMW_MADV_FREE;
 *   - try_to_unmap_one_redirty: pte_tryget + percpu_ref_switch_to_percpu + __pte_put.
 */
export function percpu(options: PercpuOptions = {}): ReclaimPlugin {
  validate_options("percpu(options)", options, ["switch_back", "patch02"]);
  for (const k of ["switch_back", "patch02"] as const)
    if (options[k] !== undefined && typeof options[k] !== "boolean")
      throw new MmsimError("config-error", `percpu(options).${k}: ${JSON.stringify(options[k]) ?? String(options[k])} is not true or false`);
  const switch_back = options.switch_back ?? true;
  const patch02 = options.patch02 ?? true;
  /* struct page's pte_ref, per table page */
  const refs: PteRefs = new Map();
  return {
    specificationVersion: "v1",
    name: "percpu",
    version: "0.1.0",
    era: "5.18",
    models: `CONFIG_FREE_USER_PTE, Qi Zheng, "[RFC PATCH 00/18] Try to free user PTE page table pages" (2022-04-29, v5.18-rc2, seed 002): a percpu_ref per PTE table; switch_back ${switch_back}, patch 02 ${patch02 ? "applied" : "not applied"}`,
    supports: { madv_dontneed: true, madv_free: true, async_scan: false, rcu_table_free: true, zero_page_tables: false, walker_refcount: "percpu" },

    attach(k: kernel_t): void {
      percpu_ref_config(k, { patch02 });
    },
    pte_table_ctor(k: kernel_t, _mm: mm_struct, pfn: number): void {
      pte_ref_init(k, refs, pfn);
    },
    pte_table_dtor(_k: kernel_t, _mm: mm_struct, pfn: number): void {
      pte_ref_free(refs, pfn);
    },
    track_pte_set(k: kernel_t, ptep: pte_ptr, old: number, pte: number): void {
      track_pte_set(k, refs, ptep, old, pte);
    },
    track_pte_clear(k: kernel_t, ptep: pte_ptr, old: number): void {
      track_pte_clear(k, refs, ptep, old);
    },

    /* pte_tryget_map(mm, pmd, address) for "tryget" callers; __pte_offset_map otherwise. */
    *pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind): KPath<PteMapping | null> {
      const k = t.k;
      if (kind === "tryget" && !(yield* pte_tryget(t, refs, t.mm!, pmdp, addr))) return null;
      // pte_offset_map(pmd, address): reads *pmd again.
      const pmdval = yield* pmdp_get_lockless(t, pmdp);
      const a = k.arch;
      if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_leaf(pmdval)) {
        if (kind === "tryget") throw new Error(`kernel BUG: pte_tryget_map: the PMD no longer maps a PTE table after pte_tryget() succeeded (pmd ${pmdp})`);
        return null;
      }
      return { pte: pte_offset_kernel(k, pmdval, addr), pmdval };
    },
    *pte_unmap(t: task_struct, ptep: pte_ptr, kind: PteMapKind): KPath {
      if (kind === "tryget") yield* pte_put(t, refs, ptep);
    },

    *zap_pte_range_done(t: task_struct, _tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, details: ZapDetails | null): KPath {
      const free_pte = details !== null && !details.unmap;
      if (free_pte) yield* try_to_free_user_pte(t, refs, mm, pmdp, start, switch_back);
    },
    *madvise_free_pte_range(t: task_struct, _tlb: mmu_gather, _vma: vm_area_struct, pmdp: pmd_ptr, addr: number, _end: number, have_lazyfree: boolean): KPath {
      yield* try_to_free_user_pte(t, refs, t.mm!, pmdp, addr, switch_back && !have_lazyfree);
    },
    *try_to_unmap_one_done(t: task_struct, _vma: vm_area_struct, pmdp: pmd_ptr, addr: number): KPath {
      yield* pvmw_madv_free(t, refs, t.mm!, pmdp, addr + page_size(t.k));
    },
    *try_to_unmap_one_redirty(t: task_struct, _vma: vm_area_struct, pmdp: pmd_ptr, addr: number): KPath {
      yield* try_to_unmap_one_redirty(t, refs, t.mm!, pmdp, addr);
    },
  };
}

export default percpu;

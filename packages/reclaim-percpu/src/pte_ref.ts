/**
 * mm/pte_ref.c of "[RFC PATCH 00/18] Try to free user PTE page table pages" (Qi
 * Zheng, 2022-04-29, v5.18-rc2, CONFIG_FREE_USER_PTE; seed 002; never merged), as
 * posted: patches 08 (pte_ref_init/pte_ref_free), 09 (pte_tryget, __pte_put,
 * pte_put), 10 (pte_tryget_map{,_lock}), 13 (try_to_free_user_pte, free_user_pte,
 * pte_free_rcu), 15 (the reclaim path), 16 (track_pte_set/clear).
 *
 * From Documentation/vm/pte_ref.rst (patch 18/18):
 *
 *   Now in order to pursue high performance, applications mostly use some
 *   high-performance user-mode memory allocators, such as jemalloc or tcmalloc.
 *   [...] The following people will hold a percpu_ref::
 *
 *    The !pte_none() entry, such as regular page table entry that map physical
 *    pages, or swap entry, or migrate entry, etc.
 *
 *    Visitor to the PTE page table entries, such as page table walker.
 *
 *   Any ``!pte_none()`` entry and visitor can be regarded as the user of its PTE
 *   page table page. When the percpu_ref is reduced to 0 (need to switch to
 *   atomic mode first to check), it means that no one is using the PTE page table
 *   page, then this free PTE page table page can be reclaimed at this time.
 *
 *   Locking: the mmap_lock read side no longer keeps a PTE page table page
 *   alive, its pte_ref does; pmd_lock() covers free_user_pte(); the PTE lock
 *   covers the entries; RCU covers the window between READ_ONCE(*pmd) and the
 *   tryget, the pte_ref object itself (freed in pte_free_rcu()) and GUP-fast
 *   (local_irq_save() blocks the RCU free).
 *
 * `struct page`'s pte_ref field is a per-plugin map from the table's PFN to its
 * percpu_ref. Model differences: DEBUG_VM's pte_free_debug() is off (as in
 * production kernels; the kit's "lost mapping" rule checks the same thing); the
 * kernel's init_mm and huge-PTE exclusions are "no pte_ref": kernel tables and
 * PMD-level entries have none.
 */
import {
  PERCPU_REF_ALLOW_REINIT,
  TLB_FLUSH_VMA,
  flush_tlb_range,
  mm_dec_nr_ptes,
  percpu_ref_exit,
  percpu_ref_get_many,
  percpu_ref_init,
  percpu_ref_is_zero,
  percpu_ref_is_zero_nolock,
  percpu_ref_put,
  percpu_ref_put_many,
  percpu_ref_switch_to_atomic_sync,
  percpu_ref_switch_to_percpu,
  percpu_ref_tryget,
  pmd_clear,
  pmd_lock,
  pmdp_get_lockless,
  pte_free_defer,
  pte_to_page,
  rcu_read_lock,
  rcu_read_unlock,
  spin_unlock,
  type KPath,
  type kernel_t,
  type mm_struct,
  type percpu_ref,
  type pmd_ptr,
  type pmd_t,
  type pte_ptr,
  type task_struct,
} from "@mmsim/core/kernel";

/** The pte_ref pointers of the PTE table pages (`page->pte_ref`), by PFN. */
export type PteRefs = Map<number, percpu_ref>;

/**
 * pmd_none(pmdval) || pmd_leaf(pmdval): the PMD maps no PTE table.
 * Model: `|| !pmd_present()` is added, which the patch does not test; it changes
 * nothing here because core never leaves a PMD non-none and non-present (no THP
 * migration or swap PMD entries; its split clears the PMD where Linux's
 * pmdp_invalidate() leaves a huge, invalid one, which pmd_leaf() also rejects).
 */
function pmd_none_or_leaf(k: kernel_t, pmdval: pmd_t): boolean {
  return k.arch.pxd_none(pmdval) || !k.arch.pxd_present(pmdval) || k.arch.pmd_leaf(pmdval);
}

/** pmd_pgtable(pmdval): the PTE table page the PMD maps. */
function pmd_pgtable(k: kernel_t, pmdval: pmd_t): number {
  return k.arch.pxd_table_pfn(pmdval);
}

/** `page->pte_ref`: a table's reference; reading it for a freed table is a use after free. */
function pte_ref_of(refs: PteRefs, page: number): percpu_ref {
  const ref = refs.get(page);
  if (ref === undefined) throw new Error(`kernel BUG: pte_ref of PTE table page ${page}, which has none (freed?)`);
  return ref;
}

const no_op = (): void => {};

/** pte_ref_init(pte): from pgtable_pte_page_ctor(). */
export function pte_ref_init(k: kernel_t, refs: PteRefs, pte: number): boolean {
  const pte_ref = percpu_ref_init(k, no_op, PERCPU_REF_ALLOW_REINIT);
  /* We want to start with the refcount at zero */
  percpu_ref_put_many(pte_ref, 1);
  refs.set(pte, pte_ref);
  return true;
}

/** pte_ref_free(pte): from pgtable_pte_page_dtor(), i.e. in pte_free_rcu() after the grace period. */
export function pte_ref_free(refs: PteRefs, pte: number): void {
  const ref = refs.get(pte);
  if (!ref) return;
  refs.delete(pte);
  percpu_ref_exit(ref);
}

/**
 * free_user_pte - free the user PTE page table page
 * @mm: pointer the target address space
 * @pmd: pointer to a PMD
 * @addr: start address of the tlb range to be flushed
 *
 * Context: The pmd range has been unmapped and TLB purged. And the user PTE
 *	    page table page will be freed by rcu handler.
 *
 * (As posted, it does not check that the table it clears is the one whose
 * pte_ref was found to be zero.)
 */
export function* free_user_pte(t: task_struct, mm: mm_struct, pmd: pmd_ptr, addr: number): KPath {
  const k = t.k;
  const vma = TLB_FLUSH_VMA(mm, 0);
  const ptl = yield* pmd_lock(t, pmd);
  const pmdval = yield* pmdp_get_lockless(t, pmd);
  if (pmd_none_or_leaf(k, pmdval)) {
    yield* spin_unlock(t, ptl);
    return;
  }
  yield* pmd_clear(t, pmd);
  yield* flush_tlb_range(t, vma, addr, addr + k.arch.PMD_SIZE);
  yield* spin_unlock(t, ptl);

  // pte_free_debug(pmdval): CONFIG_DEBUG_VM only.
  mm_dec_nr_ptes(mm);
  mm.counters.pte_tables_reclaimed++;
  // call_rcu(&pmd_pgtable(pmdval)->rcu_head, pte_free_rcu): pgtable_pte_page_dtor() + __free_page() after a grace period.
  pte_free_defer(t, mm, pmd_pgtable(k, pmdval));
}

/*
 * pte_tryget - try to get the pte_ref of the user PTE page table page
 * @mm: pointer the target address space
 * @pmd: pointer to a PMD.
 * @addr: virtual address associated with pmd.
 *
 * Return: true if getting the pte_ref succeeded. And false otherwise.
 *
 * Before accessing the user PTE page table, we need to hold a refcount to
 * protect against the concurrent release of the PTE page table.
 * But we will fail in the following case:
 * 	- The content mapped in @pmd is not a PTE page
 * 	- The pte_ref is zero, it may be reclaimed
 */
export function* pte_tryget(t: task_struct, refs: PteRefs, mm: mm_struct, pmd: pmd_ptr, addr: number): KPath<boolean> {
  const k = t.k;
  let retval = true;
  yield* rcu_read_lock(t);
  const pmdval = yield* pmdp_get_lockless(t, pmd);
  if (pmd_none_or_leaf(k, pmdval)) {
    retval = false;
  } else if (!(yield* percpu_ref_tryget(t, pte_ref_of(refs, pmd_pgtable(k, pmdval))))) {
    yield* rcu_read_unlock(t);
    /*
     * Also do free_user_pte() here to prevent missed reclaim due
     * to race condition.
     */
    yield* free_user_pte(t, mm, pmd, addr - (addr % k.arch.PMD_SIZE));
    return false;
  }
  yield* rcu_read_unlock(t);

  return retval;
}

/** __pte_put(page) */
export function* __pte_put(t: task_struct, refs: PteRefs, page: number): KPath {
  yield* percpu_ref_put(t, pte_ref_of(refs, page));
}

/** pte_put(ptep): pte_unmap() of a pte_tryget_map{,_lock}() mapping. */
export function* pte_put(t: task_struct, refs: PteRefs, ptep: pte_ptr): KPath {
  const page = pte_to_page(t.k, ptep);
  yield* __pte_put(t, refs, page);
}

/**
 * try_to_free_user_pte - try to free the user PTE page table page
 * @mm: pointer the target address space
 * @pmd: pointer to a PMD
 * @addr: virtual address associated with pmd
 * @switch_back: indicates if switching back to percpu mode is required
 */
export function* try_to_free_user_pte(t: task_struct, refs: PteRefs, mm: mm_struct, pmd: pmd_ptr, addr: number, switch_back: boolean): KPath {
  const k = t.k;
  if (!(yield* pte_tryget(t, refs, mm, pmd, addr))) return;
  const pte = pmd_pgtable(k, yield* pmdp_get_lockless(t, pmd));
  yield* percpu_ref_switch_to_atomic_sync(t, pte_ref_of(refs, pte));
  yield* rcu_read_lock(t);
  /*
   * Here we can safely put the pte_ref because we already hold the rcu
   * lock, which guarantees that the user PTE page table page will not
   * be released.
   */
  yield* __pte_put(t, refs, pte);
  if (yield* percpu_ref_is_zero(t, pte_ref_of(refs, pte))) {
    yield* rcu_read_unlock(t);
    yield* free_user_pte(t, mm, pmd, addr - (addr % k.arch.PMD_SIZE));
    return;
  }
  yield* rcu_read_unlock(t);

  if (switch_back) {
    if (yield* pte_tryget(t, refs, mm, pmd, addr)) {
      yield* percpu_ref_switch_to_percpu(t, pte_ref_of(refs, pte));
      yield* __pte_put(t, refs, pte);
    }
  }
}

/**
 * page_vma_mapped_walk() leaving a PTE table with PVMW_MADV_FREE set (patch 15):
 * try_to_unmap_one() discarded a lazily freed folio; if the table's pte_ref (left
 * in atomic mode by MADV_FREE) is zero, free it. `address` is pvmw->address
 * there: the walk's end, not PMD-aligned.
 */
export function* pvmw_madv_free(t: task_struct, refs: PteRefs, mm: mm_struct, pmd: pmd_ptr, address: number): KPath {
  const k = t.k;
  yield* rcu_read_lock(t);
  const pmdval = yield* pmdp_get_lockless(t, pmd);
  if (pmd_none_or_leaf(k, pmdval)) {
    yield* rcu_read_unlock(t);
    return;
  }
  const pte = pmd_pgtable(k, pmdval);
  if (yield* percpu_ref_is_zero(t, pte_ref_of(refs, pte))) {
    yield* rcu_read_unlock(t);
    yield* free_user_pte(t, mm, pmd, address);
  } else {
    yield* rcu_read_unlock(t);
  }
}

/**
 * try_to_unmap_one(), re-dirtied lazily freed folio (folio_set_swapbacked(),
 * ret = false) after page_vma_mapped_walk_done(): back to percpu mode.
 */
export function* try_to_unmap_one_redirty(t: task_struct, refs: PteRefs, mm: mm_struct, pmd: pmd_ptr, address: number): KPath {
  if (yield* pte_tryget(t, refs, mm, pmd, address)) {
    const pte_page = pmd_pgtable(t.k, yield* pmdp_get_lockless(t, pmd));
    yield* percpu_ref_switch_to_percpu(t, pte_ref_of(refs, pte_page));
    yield* __pte_put(t, refs, pte_page);
  }
}

/** track_pte_set(mm, addr, ptep, pte): from set_pte_at(), under the PTE lock. */
export function track_pte_set(k: kernel_t, refs: PteRefs, ptep: pte_ptr, old: number, pte: number): void {
  const ref = refs.get(pte_to_page(k, ptep));
  if (ref === undefined) return; // &init_mm, or a huge PMD entry: no pte_ref
  if (percpu_ref_is_zero_nolock(ref)) throw new Error(`kernel BUG at mm/pte_ref.c: track_pte_set: pte_ref of a table in use is zero (entry ${ptep})`);
  if (k.arch.pte_none(old) && !k.arch.pte_none(pte)) percpu_ref_get_many(ref, 1);
}

/** track_pte_clear(mm, addr, ptep, pte): from ptep_get_and_clear{,_full}(), under the PTE lock. */
export function track_pte_clear(k: kernel_t, refs: PteRefs, ptep: pte_ptr, old: number): void {
  const ref = refs.get(pte_to_page(k, ptep));
  if (ref === undefined) return;
  if (percpu_ref_is_zero_nolock(ref)) throw new Error(`kernel BUG at mm/pte_ref.c: track_pte_clear: pte_ref of a table in use is zero (entry ${ptep})`);
  if (!k.arch.pte_none(old)) percpu_ref_put_many(ref, 1);
}

/**
 * include/linux/pte_ref.h and mm/pte_ref.c of the 2021 series "Free user PTE page
 * table pages" (Qi Zheng; v1 next-20210708, seed 004; v2 next-20210812, seed 003;
 * v3 2021-11, cited by seed 002 as [1]). Never merged.
 *
 * Two fields go in the PTE table's struct page: `atomic_t pte_refcount` (in a
 * union with pt_frag_refcount) and `pmd_t *pmd`, the PMD entry that maps the
 * table (in a union with pmd_huge_pte). Every !pte_none() entry and every walker
 * ("visitor") of the table holds a reference; the table is empty when the count
 * reaches 0, and exactly one atomic_sub_and_test() sees that and frees it. Zero
 * is terminal: atomic_inc_not_zero() cannot revive it.
 *
 * Versions (the `version` option):
 *   - "v1": v1 5/7 (= v2 5/9 + 6/9): pte_try_get() under pmd_lock, free_pte_table()
 *     frees with pte_free() at once after flush_tlb_range();
 *   - "v2" (default): v2 final, 8/9 + 9/9: pte_try_get() under rcu_read_lock(),
 *     the free deferred by call_rcu(pte_free_rcu), or pte_free_tlb(tlb, ...) when
 *     the last put comes from zap_pte_range() / madvise (pte_put_tlb());
 *   - "v3": v3 13/15 free_user_pte_table(): as v2, but flush_tlb_range() runs
 *     inside pmd_lock, before the unlock.
 *
 * Model notes (where this differs from the patch):
 *   - struct page is this plugin's map from table PFN to PteTablePage, filled by
 *     the ctor hook (pagetable_pte_ctor) and dropped by the dtor hook.
 *   - Entry references (pte_get() after set_pte_at(), the zap's batched nr_put)
 *     are taken in the track_pte_set/track_pte_clear hooks, in the step of the PTE
 *     write itself; the patch batches the puts after the PTL is released. A
 *     walker reference covers them, so they never reach zero there.
 *   - Walker references are taken in the pte_offset_map hook for kind "tryget"
 *     (v3's pte_tryget_map{,_lock}) and put in the pte_unmap hook; "stable" and
 *     "lockless" (GUP-fast, IRQs off) callers take none.
 *   - The table's mm and address, which the patch's callers pass to pte_put(),
 *     are remembered on the page (pte_unmap() has only the PTE pointer).
 *   - pte_free_debug() (DEBUG_VM: BUG on a non-none entry) is left out; the
 *     sanitizer's "lost mapping" rule checks the same thing.
 */
import {
  ATOMIC_INIT,
  MmsimError,
  TLB_FLUSH_VMA,
  atomic_add,
  atomic_add_return,
  atomic_cmpxchg,
  atomic_read,
  atomic_set,
  flush_tlb_range,
  mm_dec_nr_ptes,
  pmd_lock,
  pmdp_get_lockless,
  pmdp_huge_get_and_clear,
  pmdp_peek,
  pte_free,
  pte_free_defer,
  pte_free_tlb,
  pte_offset_kernel,
  put_gather,
  rcu_read_lock,
  rcu_read_unlock,
  spin_unlock,
  virt_to_page,
  type KPath,
  type PteMapping,
  type atomic_t,
  type kernel_t,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type pmd_t,
  type pte_ptr,
  type task_struct,
} from "@mmsim/core/kernel";

export type RefcountVersion = "v1" | "v2" | "v3";

/** The fields the series adds to a PTE table's struct page (include/linux/mm_types.h). */
export interface PteTablePage {
  /** atomic_t pte_refcount: entries + visitors. */
  readonly pte_refcount: atomic_t;
  /** pmd_t *pmd: the PMD entry that maps the table (pte_ref_init, pte_migrate_pmd). */
  pmd: pmd_ptr;
  /** Model: the mm and PMD-aligned address the table maps (the patch's callers pass them to pte_put()). */
  readonly mm: mm_struct;
  addr: number;
}

/** The plugin's state: the struct pages of the PTE tables, and counters. */
export class PteRefState {
  /** Table PFN → its struct page fields. */
  readonly pages = new Map<number, PteTablePage>();
  /** Tables freed by a last put (free_pte_table). */
  freed = 0;
  /** Walker references held now (pte_try_get / pmd_install_get not yet put), per table PFN. */
  readonly visitors = new Map<number, number>();

  constructor(readonly version: RefcountVersion) {}

  /** pmd_pgtable(pmdval): the struct page of the table a PMD value maps, if it is still a live table. */
  pgtable(k: kernel_t, pmdval: pmd_t): PteTablePage | undefined {
    return this.pages.get(k.arch.pxd_table_pfn(pmdval));
  }

  visit(pfn: number, d: number): void {
    this.visitors.set(pfn, (this.visitors.get(pfn) ?? 0) + d);
  }
}

const pmd_leaf_or_none = (k: kernel_t, pmd: pmd_t): boolean =>
  k.arch.pxd_none(pmd) || !k.arch.pxd_present(pmd) || k.arch.pmd_trans_huge(pmd) || k.arch.pxd_bad(pmd);

/** pte_ref_init(pte, pmd, count) */
export function* pte_ref_init(t: task_struct, page: PteTablePage, pmdp: pmd_ptr, count: number): KPath {
  page.pmd = pmdp;
  yield* atomic_set(t, page.pte_refcount, count);
}

/** atomic_inc_not_zero(v): atomic_fetch_add_unless(v, 1, 0), a cmpxchg loop. */
function* atomic_inc_not_zero(t: task_struct, v: atomic_t): KPath<boolean> {
  let c = yield* atomic_read(t, v);
  for (;;) {
    if (c === 0) return false;
    const old = yield* atomic_cmpxchg(t, v, c, c + 1);
    if (old === c) return true;
    c = old;
  }
}

/**
 * pte_get_unless_zero(pmd): increment ->pte_refcount for the PTE page table
 * unless it is zero. The caller holds pmd_lock (pmd_install_get, v1 pte_try_get).
 */
export function* pte_get_unless_zero(st: PteRefState, t: task_struct, pmdp: pmd_ptr): KPath<boolean> {
  const page = st.pgtable(t.k, pmdp_peek(t, pmdp));
  if (!page) return false;
  return yield* atomic_inc_not_zero(t, page.pte_refcount);
}

/**
 * pte_try_get(mm, pmd): try to increment ->pte_refcount for the PTE page table.
 * Before operating the PTE page table, we need to hold a ->pte_refcount to
 * protect against the concurrent release of the PTE page table.
 *
 *   v1 (v2 5/9):  ptl = pmd_lock(mm, pmdp);
 *                 if (pmd_leaf(*pmdp) || !pmd_present(*pmdp) || !pte_get_unless_zero(pmdp)) retval = false;
 *                 spin_unlock(ptl);
 *   v2 8/9, v3:   rcu_read_lock(); pmdval = READ_ONCE(*pmdp);
 *                 if (pmd_leaf(pmdval) || !pmd_present(pmdval)) retval = false;
 *                 else if (!atomic_inc_not_zero(&pmd_pgtable(pmdval)->pte_refcount)) retval = false;
 *                 rcu_read_unlock();
 *
 * Returns the PMD value the reference was taken through, or null.
 */
export function* pte_try_get(st: PteRefState, t: task_struct, pmdp: pmd_ptr): KPath<pmd_t | null> {
  const k = t.k;
  if (st.version === "v1") {
    const ptl = yield* pmd_lock(t, pmdp);
    const pmdval = yield* pmdp_get_lockless(t, pmdp);
    const ok = !pmd_leaf_or_none(k, pmdval) && (yield* pte_get_unless_zero(st, t, pmdp));
    yield* spin_unlock(t, ptl);
    return ok ? pmdval : null;
  }
  yield* rcu_read_lock(t);
  const pmdval = yield* pmdp_get_lockless(t, pmdp);
  let ok = false;
  if (!pmd_leaf_or_none(k, pmdval)) {
    const page = st.pgtable(k, pmdval);
    ok = page !== undefined && (yield* atomic_inc_not_zero(t, page.pte_refcount));
  }
  yield* rcu_read_unlock(t);
  return ok ? pmdval : null;
}

/**
 * pte_tryget_map(pmd, addr) (v3): pte_try_get() + pte_offset_map(). The table
 * stays until the matching pte_unmap() puts the reference.
 */
export function* pte_tryget_map(st: PteRefState, t: task_struct, pmdp: pmd_ptr, addr: number): KPath<PteMapping | null> {
  const pmdval = yield* pte_try_get(st, t, pmdp);
  if (pmdval === null) return null;
  const pfn = t.k.arch.pxd_table_pfn(pmdval);
  const page = st.pages.get(pfn)!;
  if (page.pmd < 0) page.pmd = pmdp; // a deposited table made visible by a THP split: never pte_ref_init'ed
  page.addr = addr - (addr % t.k.arch.PMD_SIZE);
  st.visit(pfn, 1);
  return { pte: pte_offset_kernel(t.k, pmdval, addr), pmdval };
}

/**
 * free_pte_table(tlb, mm, pmdp, addr): the last reference is gone; unlink the
 * table and free it.
 *
 *   ptl = pmd_lock(mm, pmdp);
 *   pmd = pmdp_huge_get_and_clear(mm, addr, pmdp);
 *   [v3: flush_tlb_range(&vma, addr, addr + PMD_SIZE);]
 *   spin_unlock(ptl);
 *   v1:  flush_tlb_range(&vma, addr, addr + PMD_SIZE); mm_dec_nr_ptes(mm); pte_free(mm, pmd_pgtable(pmd));
 *   v2:  if (tlb) pte_free_tlb(tlb, pmd_pgtable(pmd), addr);
 *        else { flush_tlb_range(...); call_rcu(&page->rcu_head, pte_free_rcu); }
 *
 * flush_tlb_range() on x86 is flush_tlb_mm_range(..., freed_tables = false):
 * lazy-TLB CPUs are not sent the IPI.
 */
export function* free_pte_table(st: PteRefState, t: task_struct, tlb: mmu_gather | null, mm: mm_struct, pmdp: pmd_ptr, addr: number): KPath {
  const k = t.k;
  const vma = TLB_FLUSH_VMA(mm, 0);
  const PMD_SIZE = k.arch.PMD_SIZE;
  const ptl = yield* pmd_lock(t, pmdp);
  const pmd = yield* pmdp_huge_get_and_clear(t, pmdp);
  if (st.version === "v3") yield* flush_tlb_range(t, vma, addr, addr + PMD_SIZE);
  yield* spin_unlock(t, ptl);

  const pfn = k.arch.pxd_table_pfn(pmd);
  if (st.version === "v1") {
    yield* flush_tlb_range(t, vma, addr, addr + PMD_SIZE);
    mm_dec_nr_ptes(mm);
    pte_free(k, mm, pfn);
  } else if (tlb !== null) {
    mm_dec_nr_ptes(mm);
    yield* pte_free_tlb(t, tlb, pfn, addr);
  } else {
    if (st.version !== "v3") yield* flush_tlb_range(t, vma, addr, addr + PMD_SIZE);
    mm_dec_nr_ptes(mm);
    pte_free_defer(t, mm, pfn); // call_rcu(&page->rcu_head, pte_free_rcu)
  }
  mm.counters.pte_tables_reclaimed++;
  st.freed++;
}

/**
 * pte_put_many(mm, pmdp, addr, nr) / pte_put_many_tlb(tlb, ...): decrement
 * ->pte_refcount; the PTE page table page will be freed when the last refcount
 * is dropped.
 */
export function* pte_put_many(st: PteRefState, t: task_struct, page: PteTablePage, nr: number): KPath {
  if ((yield* atomic_add_return(t, page.pte_refcount, -nr)) === 0) yield* free_pte_table(st, t, put_gather(t), page.mm, page.pmd, page.addr);
}

/** pte_get(pmdp) after set_pte_at() / pte_put() of a cleared entry, from the track hooks (see the file comment). */
export function pte_track(st: PteRefState, k: kernel_t, ptep: pte_ptr, old: number, pte: number): void {
  const a = k.arch;
  const d = (a.pte_none(pte) ? 0 : 1) - (a.pte_none(old) ? 0 : 1);
  if (d === 0) return;
  const page = st.pages.get(virt_to_page(k, ptep));
  if (!page) return;
  atomic_add(d, page.pte_refcount);
  if (page.pte_refcount.counter < 0)
    throw new MmsimError("sanitizer-violation", `VM_BUG_ON: pte_refcount of the PTE table at ${hex(page.addr)} went negative (${page.pte_refcount.counter})`);
}

export const hex = (n: number): string => "0x" + n.toString(16);

/** The page struct for a new PTE table (pagetable_pte_ctor: pte_refcount is 0 until pte_ref_init). */
export function pte_page_ctor(st: PteRefState, mm: mm_struct, pfn: number): void {
  st.pages.set(pfn, { pte_refcount: ATOMIC_INIT(0), pmd: -1, mm, addr: 0 });
  st.visitors.delete(pfn);
}

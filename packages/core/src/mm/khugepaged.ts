/**
 * khugepaged's collapse of an anonymous 2 MiB range into a THP (mm/khugepaged.c:
 * collapse_huge_page), the path that removes a PTE table under mmap_write_lock:
 * pmdp_collapse_flush() clears the PMD and flushes; the old PTE table becomes the
 * THP's deposit. Model differences: no swap-in, no max_ptes_none/max_ptes_shared
 * tuning beyond "every PTE maps an exclusive anon page or is none", and the scan
 * (hpage_collapse_scan_pmd) is folded into the collapse.
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { spin_unlock } from "../sync/spinlock.js";
import { down_write } from "../sync/rwsem.js";
import { VM_HUGEPAGE, VM_WRITE } from "../pgtable/arch.js";
import { round_down } from "../pgtable/offset.js";
import { pmdp_huge_get_and_clear, ptep_get, ptep_get_and_clear, set_pmd_at } from "../pgtable/ops.js";
import { pmd_lock } from "../pgtable/pgalloc.js";
import { pte_lockptr } from "../pgtable/pte_map.js";
import { pmd_walk_map, pmd_walk_unmap } from "../pgtable/upper_map.js";
import { spin_lock } from "../sync/spinlock.js";
import { flush_tlb_mm_range } from "../tlb/flush.js";
import { folio_put, page_folio, vm_normal_page } from "./folio.js";
import { add_mm_counter, MM_ANONPAGES, vma_is_anonymous } from "./mm.js";
import { mmap_write_unlock, vma_start_write } from "./mmap_lock.js";
import type { MmStruct } from "./mm_struct.js";
import { PG_ANON } from "./page_alloc.js";

/** SCAN_* results, as khugepaged traces them. */
export type CollapseResult = "SCAN_SUCCEED" | "SCAN_VMA_CHECK" | "SCAN_PMD_NULL" | "SCAN_PAGE_ANON";

/** collapse_huge_page(mm, address): returns the scan result. */
export function* collapse_huge_page(t: Task, mm: MmStruct, address: number): KPath<CollapseResult> {
  const k = t.k;
  const a = k.arch;
  const haddr = round_down(address, k.PMD_SIZE);
  yield* down_write(t, mm.mmap_lock);
  const vma = mm.mm_mt.vma_lookup(haddr);
  // hugepage_vma_revalidate(): anon, VM_HUGEPAGE (madvise mode), the whole 2 MiB inside the VMA.
  if (!vma || !vma_is_anonymous(vma) || !(vma.vm_flags & VM_HUGEPAGE) || haddr + k.PMD_SIZE > vma.vm_end) {
    yield* mmap_write_unlock(t, mm);
    return "SCAN_VMA_CHECK";
  }
  /* check if the pmd is still valid: only after vma_start_write() has drained the VMA's readers */
  yield* vma_start_write(t, mm, vma);
  // find_pmd_or_thp_or_none(): with Kernel.rcu_upper, pud/pmd_offset_map() (RCU held to the
  // end; a failed map is SCAN_PMD_NULL); else walk_pmd(), no preemption point.
  const pmdp = yield* pmd_walk_map(t, mm, haddr);
  if (pmdp < 0 || a.pxd_none(k.pt.get(pmdp)) || a.pmd_trans_huge(k.pt.get(pmdp))) {
    if (pmdp >= 0) yield* pmd_walk_unmap(t);
    yield* mmap_write_unlock(t, mm);
    return "SCAN_PMD_NULL";
  }
  const folio = k.frames.alloc(9, PG_ANON);
  k.frames.set_owner(folio, mm.id);
  /* pmd_ptl = pmd_lock(); _pmd = pmdp_collapse_flush(); spin_unlock(pmd_ptl) */
  const pml = yield* pmd_lock(t, pmdp);
  const _pmd = yield* pmdp_huge_get_and_clear(t, pmdp);
  yield* flush_tlb_mm_range(t, mm, haddr, haddr + k.PMD_SIZE, 12, false);
  yield* spin_unlock(t, pml);
  const pgtable = a.pxd_pfn(_pmd);
  const ptl = pte_lockptr(k, _pmd);
  yield* spin_lock(t, ptl);
  const base = k.pt.entry(pgtable, 0);
  // __collapse_huge_page_isolate(): every PTE none or an exclusive anon page.
  let ok = true;
  for (let i = 0; i < 512 && ok; i++) {
    const pte = yield* ptep_get(t, base + i);
    if (a.pte_none(pte)) continue;
    const page = a.pte_present(pte) ? vm_normal_page(k, a.pte_pfn(pte)) : -1;
    if (page < 0 || k.frames.get_type(page_folio(k, page)) !== PG_ANON || k.frames.get_refcount(page_folio(k, page)) !== 1) ok = false;
  }
  if (!ok) {
    // Put the table back: the collapse failed.
    yield* spin_unlock(t, ptl);
    const pml2 = yield* pmd_lock(t, pmdp);
    yield* set_pmd_at(t, pmdp, _pmd);
    yield* spin_unlock(t, pml2);
    k.frames.free(folio, 9);
    yield* pmd_walk_unmap(t);
    yield* mmap_write_unlock(t, mm);
    return "SCAN_PAGE_ANON";
  }
  // __collapse_huge_page_copy(): copy the data, clear the PTEs, release the old pages.
  let present = 0;
  for (let i = 0; i < 512; i++) {
    const pte = yield* ptep_get_and_clear(t, mm, haddr + i * 4096, base + i);
    if (a.pte_none(pte)) continue;
    const pfn = a.pte_pfn(pte);
    k.frames.set_data(folio + i, k.frames.get_data(pfn));
    k.frames.add_mapcount(pfn, -1);
    folio_put(k, pfn);
    present++;
  }
  yield* spin_unlock(t, ptl);
  add_mm_counter(mm, MM_ANONPAGES, 512 - present);
  /* pgtable_trans_huge_deposit() + set_pmd_at() under pmd_ptl */
  const pml3 = yield* pmd_lock(t, pmdp);
  k.deposit.set(pmdp, pgtable); // pgtable_trans_huge_deposit()
  k.pt.set_parent(pgtable, -1);
  let e = a.pmd_mkhuge(folio, vma.vm_page_prot);
  if (vma.vm_flags & VM_WRITE) e = a.pte_mkwrite(a.pte_mkdirty(e));
  k.frames.set_mapcount(folio, 1);
  yield* set_pmd_at(t, pmdp, e);
  yield* spin_unlock(t, pml3);
  yield* pmd_walk_unmap(t);
  yield* mmap_write_unlock(t, mm);
  return "SCAN_SUCCEED";
}

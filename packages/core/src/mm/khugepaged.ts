/**
 * Collapsing an anonymous 2 MiB range into a THP (mm/khugepaged.c).
 *
 * collapse_huge_page() is the path that removes a PTE table from the tree under
 * mmap_write_lock: pmdp_collapse_flush() clears the PMD and flushes; the old PTE
 * table becomes the THP's deposit (pgtable_trans_huge_deposit), so nr_ptes /
 * VmPTE stay as they were. Two callers, told apart by the collapse_control:
 *
 * - khugepaged (cc.is_khugepaged, the explorer's "khugepaged" op). Model
 *   differences: no swap-in, no max_ptes_none/max_ptes_shared tuning beyond
 *   "every PTE maps an exclusive anon page or is none", and the scan
 *   (hpage_collapse_scan_pmd) is folded into the collapse.
 * - MADV_COLLAPSE (madvise_collapse(), Linux 6.1+: the 6.10 and 6.18 eras).
 *   cc.is_khugepaged is false, so the sysfs limits do not apply: any number of
 *   none or zero-page PTEs (each becomes a zeroed subpage, +1 MM_ANONPAGES), of
 *   pages mapped by another mm too (after fork: this mm's mapping is dropped,
 *   the other keeps the small page), no "young" requirement; and
 *   thp_vma_allowable_order() is asked without TVA_ENFORCE_SYSFS, so THP
 *   `enabled` = madvise or never does not matter, but VM_NOHUGEPAGE does
 *   (-EINVAL), and so does a VMA that was never faulted (no anon_vma). Errors
 *   are madvise_collapse_errno()'s: -EAGAIN for a page with extra references
 *   (SCAN_PAGE_COUNT), -EINVAL for the rest (no PTE table, a guard marker, before
 *   6.18 a range no PTE of which is writable, ...). Swap entries are swapped in
 *   first (__collapse_huge_page_swapin: do_swap_page(), which fails on a guard
 *   marker: SCAN_FAIL, the walk stops). Model differences: the allocation
 *   cannot fail softly (the model's out-of-memory is fatal, Linux's
 *   SCAN_ALLOC_HUGE_PAGE_FAIL is -ENOMEM); a shmem (shared anonymous) VMA is
 *   -EINVAL as soon as the range holds an aligned 2 MiB, where Linux collapses
 *   the page cache (collapse_file; a range without one is 0 in both); the swap-in
 *   runs before the allocation, under the scan's mmap_read_lock, which is not
 *   dropped and retaken in between (the same effects for one task).
 */
import type { KernelEra } from "@mmsim/spec";
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { spin_unlock } from "../sync/spinlock.js";
import { down_read, down_write, up_read } from "../sync/rwsem.js";
import { VM_HUGEPAGE, VM_NOHUGEPAGE, VM_WRITE } from "../pgtable/arch.js";
import { round_down } from "../pgtable/offset.js";
import { pmdp_huge_get_and_clear, ptep_get, ptep_get_and_clear, ptep_get_lockless, set_pmd_at } from "../pgtable/ops.js";
import { pmd_lock, pte_free } from "../pgtable/pgalloc.js";
import { pte_lockptr, pte_offset_map_lock, pte_offset_map_rw_nolock, pte_unmap, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { pmd_walk_map, pmd_walk_unmap } from "../pgtable/upper_map.js";
import { spin_lock } from "../sync/spinlock.js";
import { flush_tlb_mm_range } from "../tlb/flush.js";
import type { VmFault } from "../types/mm_types.js";
import { EAGAIN, EBUSY, EINVAL, ENOMEM } from "./errno.js";
import { VM_FAULT_ERROR } from "./fault_flags.js";
import { do_swap_page } from "./memory.js";
import { folio_put, folio_test_large, page_folio, vm_normal_page } from "./folio.js";
import { collapse_mutant } from "./collapse_mutant.js";
import { thp_vma_allowable_pmd, thp_vma_suitable_pmd } from "./huge_memory.js";
import { add_mm_counter, MM_ANONPAGES, mm_dec_nr_ptes, vma_is_anonymous } from "./mm.js";
import { mmap_write_unlock, vma_start_write } from "./mmap_lock.js";
import type { MmStruct } from "./mm_struct.js";
import { HPAGE_PMD_NR, PG_ANON } from "./page_alloc.js";
import type { Vma } from "./vma.js";

/** SCAN_* results (enum scan_result), as khugepaged traces them: the ones the model gives. */
export type CollapseResult =
  | "SCAN_FAIL"
  | "SCAN_SUCCEED"
  | "SCAN_PMD_NULL"
  | "SCAN_PMD_NONE"
  | "SCAN_PMD_MAPPED"
  | "SCAN_PTE_NON_PRESENT"
  | "SCAN_PAGE_RO"
  | "SCAN_PAGE_NULL"
  | "SCAN_PAGE_COUNT"
  | "SCAN_PAGE_ANON"
  | "SCAN_VMA_NULL"
  | "SCAN_VMA_CHECK"
  | "SCAN_ADDRESS_RANGE";

/** struct collapse_control: who collapses (the sysfs limits only bind khugepaged). */
export interface CollapseControl {
  readonly is_khugepaged: boolean;
}
export const khugepaged_collapse_control: CollapseControl = Object.freeze({ is_khugepaged: true });
const madvise_collapse_control: CollapseControl = Object.freeze({ is_khugepaged: false });

/**
 * thp_vma_allowable_order(vma, vma->vm_flags, TVA_FORCED_COLLAPSE (6.18; 0 in
 * 6.1-6.17), PMD_ORDER) for MADV_COLLAPSE: no sysfs check (THP `enabled` may be
 * never), but VM_NOHUGEPAGE refuses (vma_thp_disabled); !in_pf: the VMA must hold
 * an aligned 2 MiB (thp_vma_suitable_order at vm_end - HPAGE_PMD_SIZE) and have an
 * anon_vma (a VMA never faulted has none). Anonymous VMAs only (see the header).
 */
export function thp_vma_allowable_collapse(k: Kernel, vma: Vma): boolean {
  const pmd_size = k.PMD_SIZE;
  if (vma.vm_flags & VM_NOHUGEPAGE) return false;
  if (collapse_mutant(k) === "enforce-sysfs" && !thp_vma_allowable_pmd(k, vma)) return false;
  if (vma.vm_end - vma.vm_start < pmd_size) return false;
  const addr = vma.vm_end - pmd_size;
  const haddr = round_down(addr, pmd_size);
  if ((vma.vm_start / 4096 - vma.vm_pgoff) % HPAGE_PMD_NR !== 0 || haddr < vma.vm_start || haddr + pmd_size > vma.vm_end) return false;
  // A shmem VMA: shmem_allowable_huge_orders() with the collapse forced allows the PMD order
  // (the model's shmem is never mounted huge=deny). An anonymous one needs its anon_vma.
  if (!vma_is_anonymous(vma)) return true;
  return vma.anon_vma !== 0;
}

/**
 * hugepage_vma_revalidate(mm, address, expect_anon, &vma, cc) for MADV_COLLAPSE:
 * the VMA found again after the mmap_lock was dropped.
 */
function hugepage_vma_revalidate(t: Task, mm: MmStruct, address: number, expect_anon: boolean): { result: CollapseResult; vma: Vma | null } {
  const k = t.k;
  const vma = mm.mm_mt.find_vma(address);
  if (!vma) return { result: "SCAN_VMA_NULL", vma };
  if (!thp_vma_suitable_pmd(k, vma, address)) return { result: "SCAN_ADDRESS_RANGE", vma };
  if (!thp_vma_allowable_collapse(k, vma)) return { result: "SCAN_VMA_CHECK", vma };
  if (expect_anon && (!vma.anon_vma || !vma_is_anonymous(vma))) return { result: "SCAN_PAGE_ANON", vma };
  return { result: "SCAN_SUCCEED", vma };
}

/** is_refcount_suitable(): no reference beyond the folio's mappings (no GUP pin; the model has no swap cache to count). */
function is_refcount_suitable(t: Task, folio: number): boolean {
  const f = t.k.frames;
  let mapcount = f.get_mapcount(folio);
  if (folio_test_large(t.k, folio)) {
    mapcount = 0;
    for (let i = 0; i < HPAGE_PMD_NR; i++) mapcount += f.get_mapcount(folio + i);
  }
  return f.get_refcount(folio) === mapcount;
}

/** is_zero_pfn() of a present PTE (the shared zero page, or a subpage of the huge zero page). */
function pte_is_zero(t: Task, pte: number): boolean {
  const a = t.k.arch;
  return a.pte_present(pte) && vm_normal_page(t.k, a.pte_pfn(pte)) < 0; // vm_normal_page() is NULL only for the zero pages
}

/**
 * collapse_huge_page(mm, address, ..., cc): returns the scan result. With
 * khugepaged's cc (the default) it takes mmap_write_lock itself and the scan is
 * folded in (see the header); MADV_COLLAPSE calls it after
 * hpage_collapse_scan_pmd() has dropped mmap_read_lock, and it returns with the
 * mmap_lock released, as Linux's.
 */
export function* collapse_huge_page(t: Task, mm: MmStruct, address: number, cc: CollapseControl = khugepaged_collapse_control): KPath<CollapseResult> {
  const k = t.k;
  const a = k.arch;
  const haddr = round_down(address, k.PMD_SIZE);
  yield* down_write(t, mm.mmap_lock);
  let vma: Vma | null;
  if (cc.is_khugepaged) {
    vma = mm.mm_mt.vma_lookup(haddr);
    // hugepage_vma_revalidate(): anon, VM_HUGEPAGE (madvise mode), the whole 2 MiB inside the VMA.
    if (!vma || !vma_is_anonymous(vma) || !(vma.vm_flags & VM_HUGEPAGE) || haddr + k.PMD_SIZE > vma.vm_end) {
      yield* mmap_write_unlock(t, mm);
      return "SCAN_VMA_CHECK";
    }
  } else {
    const r = hugepage_vma_revalidate(t, mm, haddr, true);
    if (r.result !== "SCAN_SUCCEED") {
      yield* mmap_write_unlock(t, mm);
      return r.result;
    }
    vma = r.vma!;
  }
  /* check if the pmd is still valid: only after vma_start_write() has drained the VMA's readers */
  yield* vma_start_write(t, mm, vma);
  // find_pmd_or_thp_or_none(): with Kernel.rcu_upper, pud/pmd_offset_map() (RCU held to the
  // end; a failed map is SCAN_PMD_NULL); else walk_pmd(), no preemption point.
  const pmdp = yield* pmd_walk_map(t, mm, haddr);
  if (pmdp < 0 || a.pxd_none(k.pt.get(pmdp)) || a.pmd_trans_huge(k.pt.get(pmdp))) {
    let r: CollapseResult = "SCAN_PMD_NULL";
    if (pmdp >= 0) {
      if (!cc.is_khugepaged) r = a.pxd_none(k.pt.get(pmdp)) ? "SCAN_PMD_NONE" : "SCAN_PMD_MAPPED";
      yield* pmd_walk_unmap(t);
    }
    yield* mmap_write_unlock(t, mm);
    return r;
  }
  const folio = k.frames.alloc(9, PG_ANON);
  k.frames.set_owner(folio, mm.id);
  if (!cc.is_khugepaged) k.frames.set_index(folio, haddr);
  /* pmd_ptl = pmd_lock(); _pmd = pmdp_collapse_flush(); spin_unlock(pmd_ptl) */
  const pml = yield* pmd_lock(t, pmdp);
  const _pmd = yield* pmdp_huge_get_and_clear(t, pmdp);
  yield* flush_tlb_mm_range(t, mm, haddr, haddr + k.PMD_SIZE, 12, false);
  yield* spin_unlock(t, pml);
  const pgtable = a.pxd_pfn(_pmd);
  const ptl = pte_lockptr(k, _pmd);
  yield* spin_lock(t, ptl);
  const base = k.pt.entry(pgtable, 0);
  // __collapse_huge_page_isolate(): khugepaged's (model) rule is every PTE none or an exclusive
  // anon page; MADV_COLLAPSE's is Linux's with cc->is_khugepaged false (see the header).
  let result: CollapseResult = "SCAN_SUCCEED";
  if (cc.is_khugepaged) {
    for (let i = 0; i < 512 && result === "SCAN_SUCCEED"; i++) {
      const pte = yield* ptep_get(t, base + i);
      if (a.pte_none(pte)) continue;
      const page = a.pte_present(pte) ? vm_normal_page(k, a.pte_pfn(pte)) : -1;
      if (page < 0 || k.frames.get_type(page_folio(k, page)) !== PG_ANON || k.frames.get_refcount(page_folio(k, page)) !== 1) result = "SCAN_PAGE_ANON";
    }
  } else result = yield* __collapse_huge_page_isolate(t, base);
  if (result !== "SCAN_SUCCEED") {
    // Put the table back: the collapse failed.
    yield* spin_unlock(t, ptl);
    const pml2 = yield* pmd_lock(t, pmdp);
    yield* set_pmd_at(t, pmdp, _pmd);
    yield* spin_unlock(t, pml2);
    k.frames.free(folio, 9);
    yield* pmd_walk_unmap(t);
    yield* mmap_write_unlock(t, mm);
    return result;
  }
  // __collapse_huge_page_copy(): copy the data, clear the PTEs, release the old pages
  // (__collapse_huge_page_copy_succeeded: each none or zero-page PTE adds one MM_ANONPAGES).
  let present = 0;
  for (let i = 0; i < 512; i++) {
    const pte = yield* ptep_get_and_clear(t, mm, haddr + i * 4096, base + i);
    if (a.pte_none(pte)) continue;
    const pfn = a.pte_pfn(pte);
    if (!cc.is_khugepaged && pte_is_zero(t, pte)) continue; // clear_user_highpage(); ptep_clear()
    k.frames.set_data(folio + i, k.frames.get_data(pfn));
    k.frames.add_mapcount(pfn, -1);
    folio_put(k, cc.is_khugepaged ? pfn : page_folio(k, pfn)); // folio_remove_rmap_pte(); free_folio_and_swap_cache()
    present++;
  }
  yield* spin_unlock(t, ptl);
  add_mm_counter(mm, MM_ANONPAGES, 512 - present);
  /* pgtable_trans_huge_deposit() + set_pmd_at() under pmd_ptl */
  const pml3 = yield* pmd_lock(t, pmdp);
  if (!cc.is_khugepaged && collapse_mutant(k) === "free-pgtable") {
    pte_free(k, mm, pgtable);
    mm_dec_nr_ptes(mm);
  } else {
    k.deposit.set(pmdp, pgtable); // pgtable_trans_huge_deposit()
    k.pt.set_parent(pgtable, -1);
  }
  let e = a.pmd_mkhuge(folio, vma.vm_page_prot);
  if (vma.vm_flags & VM_WRITE) e = a.pte_mkwrite(a.pte_mkdirty(e));
  k.frames.set_mapcount(folio, 1);
  yield* set_pmd_at(t, pmdp, e);
  yield* spin_unlock(t, pml3);
  yield* pmd_walk_unmap(t);
  yield* mmap_write_unlock(t, mm);
  return "SCAN_SUCCEED";
}

/**
 * __collapse_huge_page_isolate() with cc->is_khugepaged false, on the detached
 * table (PTE lock held): none and zero-page PTEs pass; a non-present one is
 * SCAN_PTE_NON_PRESENT; a page with references beyond its mappings
 * SCAN_PAGE_COUNT; no writable PTE at all SCAN_PAGE_RO.
 */
function* __collapse_huge_page_isolate(t: Task, base: number): KPath<CollapseResult> {
  const k = t.k;
  const a = k.arch;
  let writable = false;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const pte = yield* ptep_get(t, base + i);
    if (a.pte_none(pte) || pte_is_zero(t, pte)) continue;
    if (!a.pte_present(pte)) return "SCAN_PTE_NON_PRESENT";
    const page = vm_normal_page(k, a.pte_pfn(pte));
    if (page < 0) return "SCAN_PAGE_NULL";
    if (!is_refcount_suitable(t, page_folio(k, page))) return "SCAN_PAGE_COUNT";
    if (a.pte_write(pte)) writable = true;
  }
  return writable || !collapse_needs_writable(k.era) ? "SCAN_SUCCEED" : "SCAN_PAGE_RO";
}

/**
 * Whether a collapse needs one writable PTE (else SCAN_PAGE_RO): until 6.17. 6.18
 * dropped the requirement for anonymous VMAs ("mm: Enable khugepaged to operate on
 * non-writable VMAs", Dev Jain, 2025): a range only read (zero-page PTEs) or
 * mprotect()ed read-only collapses, as this machine's 6.18 kernel shows.
 */
export function collapse_needs_writable(era: KernelEra): boolean {
  return era !== "6.18";
}

/**
 * hpage_collapse_scan_pmd(mm, vma, address, &mmap_locked, cc) with cc->is_khugepaged
 * false, under mmap_read_lock. On SCAN_SUCCEED it drops mmap_read_lock and calls
 * collapse_huge_page(), which returns with the mmap_lock released (mmap_locked false).
 */
function* hpage_collapse_scan_pmd(t: Task, mm: MmStruct, vma: Vma, address: number): KPath<{ result: CollapseResult; mmap_locked: boolean }> {
  const k = t.k;
  const a = k.arch;
  // find_pmd_or_thp_or_none()
  const pmdp = yield* pmd_walk_map(t, mm, address);
  if (pmdp < 0) return { result: "SCAN_PMD_NULL", mmap_locked: true };
  const pmd = k.pt.get(pmdp);
  let result: CollapseResult = "SCAN_SUCCEED";
  if (a.pxd_none(pmd)) result = "SCAN_PMD_NONE";
  else if (a.pmd_trans_huge(pmd)) result = "SCAN_PMD_MAPPED";
  if (result !== "SCAN_SUCCEED") {
    yield* pmd_walk_unmap(t);
    return { result, mmap_locked: true };
  }
  const pte = yield* pte_offset_map_lock(t, mm, pmdp, address);
  if (pte < 0) {
    yield* pmd_walk_unmap(t);
    return { result: "SCAN_PMD_NULL", mmap_locked: true };
  }
  const ptl = t.ptl!;
  let writable = false;
  let unmapped = 0;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const pteval = yield* ptep_get(t, pte + i);
    if (!a.pte_none(pteval) && !a.pte_present(pteval)) {
      // is_swap_pte() (a guard marker too): any number for MADV_COLLAPSE; swapped in below.
      unmapped++;
      continue;
    }
    if (a.pte_none(pteval) || pte_is_zero(t, pteval)) continue; // any number: !cc->is_khugepaged
    if (a.pte_write(pteval)) writable = true;
    const page = vm_normal_page(k, a.pte_pfn(pteval));
    if (page < 0) {
      result = "SCAN_PAGE_NULL";
      break;
    }
    const folio = page_folio(k, page);
    if (k.frames.get_type(folio) !== PG_ANON) {
      result = "SCAN_PAGE_ANON";
      break;
    }
    // folio_maybe_mapped_shared(): counted, but only khugepaged limits it.
    if (!is_refcount_suitable(t, folio)) {
      result = "SCAN_PAGE_COUNT";
      break;
    }
  }
  if (result === "SCAN_SUCCEED" && !writable && collapse_needs_writable(k.era)) result = "SCAN_PAGE_RO";
  yield* pte_unmap_unlock(t, pte, ptl);
  if (result === "SCAN_SUCCEED" && unmapped) {
    // collapse_huge_page(): __collapse_huge_page_swapin() under mmap_read_lock (the model does it before
    // the allocation, with the lock it still holds: the same order of effects). A failure is SCAN_FAIL
    // (Linux returns with the lock dropped; madvise_collapse() takes it again), which ends the walk.
    if (!(yield* __collapse_huge_page_swapin(t, mm, vma, pmdp, address))) result = "SCAN_FAIL";
  }
  yield* pmd_walk_unmap(t);
  if (result !== "SCAN_SUCCEED") return { result, mmap_locked: true };
  yield* up_read(t, mm.mmap_lock); // mmap_read_unlock() at the top of collapse_huge_page()
  result = yield* collapse_huge_page(t, mm, address, madvise_collapse_control);
  return { result, mmap_locked: false };
}

/**
 * __collapse_huge_page_swapin(): do_swap_page() on each swap PTE of the 2 MiB (a
 * major fault each: MM_SWAPENTS back to MM_ANONPAGES). A guard marker makes
 * do_swap_page() fail (VM_FAULT_SIGSEGV): false, as a VM_FAULT_ERROR is SCAN_FAIL.
 */
function* __collapse_huge_page_swapin(t: Task, mm: MmStruct, vma: Vma, pmdp: number, haddr: number): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  for (let address = haddr; address < haddr + k.PMD_SIZE; address += 4096) {
    const pte = yield* pte_offset_map_rw_nolock(t, mm, pmdp, address);
    if (pte < 0) return false; // SCAN_PMD_NULL in Linux: not whitelisted either
    const orig_pte = yield* ptep_get_lockless(t, pte);
    if (a.pte_none(orig_pte) || a.pte_present(orig_pte)) {
      yield* pte_unmap(t, pte);
      continue;
    }
    const vmf: VmFault = { vma, address, flags: 0, pgoff: 0, pudp: -1, pmdp, pte, orig_pte, orig_pmd: 0, ptl: t.ptl, value: 0 };
    const ret = yield* do_swap_page(t, vmf); // which unmaps pte
    if (ret & VM_FAULT_ERROR) return false;
  }
  return true;
}

/** madvise_collapse_errno(): MADV_COLLAPSE's actionable errors. */
export function madvise_collapse_errno(r: CollapseResult | "SCAN_ALLOC_HUGE_PAGE_FAIL" | "SCAN_EXCEED_NONE_PTE"): number {
  switch (r) {
    case "SCAN_ALLOC_HUGE_PAGE_FAIL":
      return -ENOMEM;
    case "SCAN_EXCEED_NONE_PTE":
      return -EBUSY;
    case "SCAN_PAGE_COUNT":
      return -EAGAIN;
    default:
      return -EINVAL;
  }
}

/**
 * madvise_collapse(vma, start, end, &lock_dropped): collapse every aligned 2 MiB
 * of [start, end) (within one VMA), under mmap_read_lock (held again on return).
 * 0 when each one is (or already was) PMD-mapped, else madvise_collapse_errno() of
 * the last failure. Whitelisted failures go on to the next 2 MiB; the others
 * (SCAN_PMD_NONE: no PTE table at all, a VMA gone) stop. A range holding no whole
 * aligned 2 MiB: 0 when hstart == hend, -EINVAL when it lies inside one (hend <
 * hstart: the unsigned difference is huge).
 */
export function* madvise_collapse(t: Task, mm: MmStruct, vma: Vma, start: number, end: number): KPath<number> {
  const k = t.k;
  if (!thp_vma_allowable_collapse(k, vma)) return -EINVAL;
  // lru_add_drain_all(): the model's folios are on their LRU lists already.
  const hstart = Math.ceil(start / k.PMD_SIZE) * k.PMD_SIZE;
  let hend = round_down(end, k.PMD_SIZE);
  let thps = 0;
  let last_fail: CollapseResult = "SCAN_FAIL";
  let mmap_locked = true;
  let cur: Vma = vma;
  out: for (let addr = hstart; addr < hend; addr += k.PMD_SIZE) {
    if (!mmap_locked) {
      yield* down_read(t, mm.mmap_lock);
      mmap_locked = true;
      const r = hugepage_vma_revalidate(t, mm, addr, false);
      if (r.result !== "SCAN_SUCCEED") {
        last_fail = r.result;
        break;
      }
      cur = r.vma!;
      hend = Math.min(hend, round_down(cur.vm_end, k.PMD_SIZE));
    }
    if (!vma_is_anonymous(cur)) {
      // hpage_collapse_scan_file() → collapse_file(): not modelled (model difference, above).
      last_fail = "SCAN_FAIL";
      break;
    }
    const r = yield* hpage_collapse_scan_pmd(t, mm, cur, addr);
    mmap_locked = r.mmap_locked;
    switch (r.result) {
      case "SCAN_SUCCEED":
      case "SCAN_PMD_MAPPED":
        thps++;
        break;
      // Whitelisted set of results where continuing OK
      case "SCAN_PMD_NULL":
      case "SCAN_PTE_NON_PRESENT":
      case "SCAN_PAGE_RO":
      case "SCAN_PAGE_NULL":
      case "SCAN_PAGE_COUNT":
        last_fail = r.result;
        break;
      default:
        last_fail = r.result;
        break out;
    }
  }
  // Caller expects us to hold mmap_lock on return
  if (!mmap_locked) yield* down_read(t, mm.mmap_lock);
  const want = hend >= hstart ? (hend - hstart) / k.PMD_SIZE : -1;
  return thps === want ? 0 : madvise_collapse_errno(last_fail);
}

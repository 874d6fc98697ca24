/**
 * fork()'s copy of the address space (kernel/fork.c dup_mm; dup_mmap, in mm/mmap.c
 * since 6.15; mm/memory.c copy_page_range and below; mm/huge_memory.c
 * copy_huge_pmd): every VMA but a VM_DONTCOPY one (MADV_DONTFORK) is duplicated
 * at the same range with the same flags (less VM_LOCKED), protection and page
 * offset; a VM_WIPEONFORK one (MADV_WIPEONFORK) gets no anon_vma and no copy,
 * so the child faults in zeroed pages there; the page tables of the other VMAs
 * that need it (vma_needs_copy(): those with an anon_vma) are copied level by
 * level, the child allocating a table wherever the parent has a non-none entry
 * above it, as Linux does, so the child's VmPTE is Linux's. Shared anonymous
 * VMAs map the same shmem object in both mms and are not copied (the child
 * refaults them from the page cache), unless MADV_GUARD_INSTALL gave them an
 * anon_vma: then their tables, guard markers included, are copied too.
 *
 * Model differences (stated where they are made below):
 *   - No COW sharing: every present anonymous page is copied into a new page of
 *     the child at once, as Linux's copy_present_page() does for a page that may
 *     be DMA-pinned (and a THP into a new THP), instead of mapping the parent's
 *     page read-only in both mms. RSS, the tables and what either process reads
 *     are the same; the parent's PTEs stay writable, so its later writes take no
 *     write-protect fault, and a lazily freed (MADV_FREE) page is copied as an
 *     ordinary dirty page.
 *   - No migration entries to copy (swap entries and guard markers are:
 *     copy_nonpresent_pte).
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_write } from "../sync/rwsem.js";
import { spin_lock_nested, spin_unlock } from "../sync/spinlock.js";
import { VM_ACCOUNT, VM_DONTCOPY, VM_LOCKED, VM_WIPEONFORK, VM_WRITE } from "../pgtable/arch.js";
import { addr_end, p4d_offset, pgd_offset, pmd_offset, pud_offset } from "../pgtable/offset.js";
import { pmdp_get, ptep_get, set_pmd_at, set_pte_at } from "../pgtable/ops.js";
import { pmd_lock, pmd_lockptr, pte_alloc_get, pte_alloc_one, pte_put } from "../pgtable/pgalloc.js";
import { pte_offset_map_lock, pte_offset_map_rw_nolock, pte_unmap, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { ENOMEM } from "./errno.js";
import { folio_get, page_folio, vm_normal_page } from "./folio.js";
import { add_mm_counter, mm_counter, mm_inc_nr_ptes, MM_ANONPAGES, MM_SWAPENTS, vm_stat_account } from "./mm.js";
import { exit_mmap } from "./mmap.js";
import { mmap_write_unlock, vma_start_write } from "./mmap_lock.js";
import { security_vm_enough_memory_mm } from "./overcommit.js";
import type { MmStruct } from "./mm_struct.js";
import { HPAGE_PMD_NR, PF_DIRTY, PG_ANON } from "./page_alloc.js";
import { p4d_alloc, pmd_alloc, pud_alloc } from "./pgtable_alloc.js";
import { is_pte_marker, make_pte_marker, pte_marker_get, PTE_MARKER_GUARD } from "./pte_marker.js";
import { swap_duplicate } from "./swapfile.js";
import { Vma } from "./vma.js";

/** vma_needs_copy(): only VMAs with an anon_vma have pages the child cannot refault (no PFNMAP/MIXEDMAP/uffd-wp VMAs in the model). */
export function vma_needs_copy(_dst_vma: Vma, src_vma: Vma): boolean {
  return src_vma.anon_vma !== 0;
}

/**
 * A new anonymous page (order 0 or a THP) of `mm` at `addr` holding a copy of
 * `src`'s data: copy_present_page()'s copy_user_highpage() + folio_add_new_anon_rmap().
 */
function copy_anon_folio(t: Task, mm: MmStruct, src: number, addr: number, order: 0 | 9): number {
  const f = t.k.frames;
  const pfn = f.alloc(order, PG_ANON);
  f.set_owner(pfn, mm.id);
  f.set_index(pfn, addr);
  const n = 1 << order;
  for (let i = 0; i < n; i++) {
    f.set_data(pfn + i, f.get_data(src + i));
    f.set_flag_bits(pfn + i, PF_DIRTY);
  }
  f.set_mapcount(pfn, 1);
  return pfn;
}

/**
 * copy_nonpresent_pte(): a swap entry is shared by both mms (swap_duplicate),
 * and no longer exclusive in either (pte_swp_clear_exclusive on the parent's
 * PTE, kept by the model in the slot); the child's MM_SWAPENTS counts it. A
 * guard marker is copied as it is (copy_pte_marker()). Migration entries do
 * not exist in the model.
 */
function* copy_nonpresent_pte(t: Task, dst_vma: Vma, dst_ptep: number, pte: number, addr: number): KPath {
  const k = t.k;
  if (is_pte_marker(k, pte)) {
    const marker = pte_marker_get(k, pte) & PTE_MARKER_GUARD; // copy_pte_marker(): guard markers always
    if (marker) yield* set_pte_at(t, dst_vma.vm_mm!, addr, dst_ptep, make_pte_marker(k, marker));
    return;
  }
  const offset = k.arch.pte_to_swp_offset(pte);
  if (swap_duplicate(k, offset) < 0) return; // -EIO in the kernel (swap_count_continued() fails): the model never exceeds it
  k.swap_info!.set_exclusive(offset, false); // set_pte_at(src_mm, ..., pte_swp_clear_exclusive(orig_pte))
  add_mm_counter(dst_vma.vm_mm!, MM_SWAPENTS, 1);
  yield* set_pte_at(t, dst_vma.vm_mm!, addr, dst_ptep, pte);
}

/**
 * copy_present_ptes() for one present PTE. The zero page is mapped as it is
 * (pte_mkold); an anonymous page is copied (see the file comment); any other page
 * (the model has none in private VMAs) is shared with a reference, as for file pages.
 */
function* copy_present_pte(t: Task, dst_vma: Vma, dst_ptep: number, pte: number, addr: number): KPath {
  const k = t.k;
  const a = k.arch;
  const mm = dst_vma.vm_mm!;
  const page = vm_normal_page(k, a.pte_pfn(pte));
  if (page < 0) {
    yield* set_pte_at(t, mm, addr, dst_ptep, a.pte_mkold(pte));
    return;
  }
  const folio = page_folio(k, page);
  if (k.frames.get_type(folio) !== PG_ANON) {
    folio_get(k, folio);
    k.frames.add_mapcount(page, 1);
    add_mm_counter(mm, mm_counter(k, folio), 1);
    yield* set_pte_at(t, mm, addr, dst_ptep, a.pte_mkold(pte));
    return;
  }
  // copy_present_page(): pte = maybe_mkwrite(pte_mkdirty(mk_pte(new_page, dst_vma->vm_page_prot)), dst_vma)
  const npfn = copy_anon_folio(t, mm, page, addr, 0);
  add_mm_counter(mm, MM_ANONPAGES, 1);
  let entry = a.pte_mkdirty(a.pfn_pte(npfn, dst_vma.vm_page_prot));
  if (dst_vma.vm_flags & VM_WRITE) entry = a.pte_mkwrite(entry);
  yield* set_pte_at(t, mm, addr, dst_ptep, entry);
}

/**
 * copy_pte_range(): the child's PTE table is allocated even when the parent's
 * holds no present entry. With a plugin that keeps table references (2021
 * pte_refcount, v2 6/9) the child's table comes from pte_alloc_get() and the
 * reference is put after the copy (the copied entries hold their own).
 */
function* copy_pte_range(t: Task, dst_vma: Vma, src_vma: Vma, dst_pmdp: number, src_pmdp: number, addr: number, end: number): KPath<number> {
  const dst_mm = dst_vma.vm_mm!;
  const start = addr;
  const held = yield* pte_alloc_get(t, dst_mm, dst_pmdp);
  const r = yield* copy_pte_range_locked(t, dst_vma, src_vma, dst_pmdp, src_pmdp, addr, end);
  if (held) yield* pte_put(t, dst_mm, dst_pmdp, start);
  return r;
}

function* copy_pte_range_locked(t: Task, dst_vma: Vma, src_vma: Vma, dst_pmdp: number, src_pmdp: number, addr: number, end: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const dst_mm = dst_vma.vm_mm!;
  const src_mm = src_vma.vm_mm!;
  const dst_pte = yield* pte_offset_map_lock(t, dst_mm, dst_pmdp, addr);
  if (dst_pte < 0) return 0;
  const dst_ptl = t.ptl!;
  // The source table is stable (mmap_write_lock(src_mm) held): 2022's __pte_offset_map(), no reference.
  const src_pte = yield* pte_offset_map_rw_nolock(t, src_mm, src_pmdp, addr, "stable");
  if (src_pte < 0) {
    yield* pte_unmap_unlock(t, dst_pte, dst_ptl);
    return 0;
  }
  const src_ptl = t.ptl!;
  yield* spin_lock_nested(t, src_ptl);
  for (let i = 0; addr < end; i++, addr += 4096) {
    const pte = yield* ptep_get(t, src_pte + i);
    if (a.pte_none(pte)) continue;
    if (!a.pte_present(pte)) {
      yield* copy_nonpresent_pte(t, dst_vma, dst_pte + i, pte, addr);
      continue;
    }
    yield* copy_present_pte(t, dst_vma, dst_pte + i, pte, addr);
  }
  yield* spin_unlock(t, src_ptl);
  yield* pte_unmap(t, src_pte, "stable");
  yield* pte_unmap_unlock(t, dst_pte, dst_ptl);
  return 0;
}

/**
 * copy_huge_pmd(): the huge zero PMD is mapped as it is; an anonymous THP is
 * copied into a new THP (see the file comment). Each gets a deposited PTE
 * table counted in the child's nr_ptes, as at a THP fault.
 */
function* copy_huge_pmd(t: Task, dst_vma: Vma, dst_pmdp: number, src_pmdp: number, addr: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const dst_mm = dst_vma.vm_mm!;
  const pgtable = pte_alloc_one(k, dst_mm);
  const dst_ptl = yield* pmd_lock(t, dst_pmdp);
  const src_ptl = pmd_lockptr(k, src_pmdp);
  if (src_ptl !== dst_ptl) yield* spin_lock_nested(t, src_ptl);
  const pmd = yield* pmdp_get(t, src_pmdp);
  let entry: number;
  if (a.pxd_pfn(pmd) === k.frames.huge_zero_pfn) {
    entry = a.pte_mkold(a.pmd_wrprotect(pmd));
  } else {
    const haddr = Math.floor(addr / k.PMD_SIZE) * k.PMD_SIZE;
    const folio = copy_anon_folio(t, dst_mm, a.pxd_pfn(pmd), haddr, 9);
    add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
    entry = a.pte_mkdirty(a.pmd_mkhuge(folio, dst_vma.vm_page_prot));
    if (dst_vma.vm_flags & VM_WRITE) entry = a.pte_mkwrite(entry);
  }
  // pgtable_trans_huge_deposit(): the deposit is invisible to walkers.
  k.deposit.set(dst_pmdp, pgtable);
  k.pt.set_parent(pgtable, -1);
  mm_inc_nr_ptes(dst_mm);
  yield* set_pmd_at(t, dst_pmdp, entry);
  if (src_ptl !== dst_ptl) yield* spin_unlock(t, src_ptl);
  yield* spin_unlock(t, dst_ptl);
  return 0;
}

/** copy_pmd_range(): the child's PMD table is allocated wherever the parent's PUD entry is not none. */
function* copy_pmd_range(t: Task, dst_vma: Vma, src_vma: Vma, dst_pudp: number, src_pudp: number, addr: number, end: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  if ((yield* pmd_alloc(t, dst_vma.vm_mm!, dst_pudp, addr)) < 0) return -ENOMEM;
  do {
    const next = addr_end(addr, end, k.PMD_SIZE);
    const src_pmdp = pmd_offset(k, src_pudp, addr);
    const dst_pmdp = pmd_offset(k, dst_pudp, addr);
    const pmd = k.pt.get(src_pmdp);
    if (!a.pxd_none(pmd) && a.pmd_trans_huge(pmd)) {
      if (yield* copy_huge_pmd(t, dst_vma, dst_pmdp, src_pmdp, addr)) return -ENOMEM;
    } else if (!a.pxd_none(pmd)) {
      if (yield* copy_pte_range(t, dst_vma, src_vma, dst_pmdp, src_pmdp, addr, next)) return -ENOMEM;
    }
    addr = next;
  } while (addr < end);
  return 0;
}

/** copy_pud_range() */
function* copy_pud_range(t: Task, dst_vma: Vma, src_vma: Vma, dst_p4dp: number, src_p4dp: number, addr: number, end: number): KPath<number> {
  const k = t.k;
  if ((yield* pud_alloc(t, dst_vma.vm_mm!, dst_p4dp, addr)) < 0) return -ENOMEM;
  do {
    const next = addr_end(addr, end, k.PUD_SIZE);
    const src_pudp = pud_offset(k, src_p4dp, addr);
    if (!k.arch.pxd_none(k.pt.get(src_pudp))) {
      if (yield* copy_pmd_range(t, dst_vma, src_vma, pud_offset(k, dst_p4dp, addr), src_pudp, addr, next)) return -ENOMEM;
    }
    addr = next;
  } while (addr < end);
  return 0;
}

/** copy_p4d_range(): on 4-level paging the P4D level is folded (one entry, the PGD's). */
function* copy_p4d_range(t: Task, dst_vma: Vma, src_vma: Vma, dst_pgdp: number, src_pgdp: number, addr: number, end: number): KPath<number> {
  const k = t.k;
  if ((yield* p4d_alloc(t, dst_vma.vm_mm!, dst_pgdp, addr)) < 0) return -ENOMEM;
  const size = k.arch.p4d_folded ? k.PGDIR_SIZE : k.P4D_SIZE;
  do {
    const next = addr_end(addr, end, size);
    const src_p4dp = p4d_offset(k, src_pgdp, addr);
    if (!k.arch.pxd_none(k.pt.get(src_p4dp))) {
      if (yield* copy_pud_range(t, dst_vma, src_vma, p4d_offset(k, dst_pgdp, addr), src_p4dp, addr, next)) return -ENOMEM;
    }
    addr = next;
  } while (addr < end);
  return 0;
}

/** copy_page_range(dst_vma, src_vma): 0 or -ENOMEM. */
export function* copy_page_range(t: Task, dst_vma: Vma, src_vma: Vma): KPath<number> {
  const k = t.k;
  if (!vma_needs_copy(dst_vma, src_vma)) return 0;
  let addr = src_vma.vm_start;
  const end = src_vma.vm_end;
  do {
    const next = addr_end(addr, end, k.PGDIR_SIZE);
    const src_pgdp = pgd_offset(k, src_vma.vm_mm!, addr);
    if (k.arch.p4d_folded || !k.arch.pxd_none(k.pt.get(src_pgdp))) {
      if (yield* copy_p4d_range(t, dst_vma, src_vma, pgd_offset(k, dst_vma.vm_mm!, addr), src_pgdp, addr, next)) return -ENOMEM;
    }
    addr = next;
  } while (addr < end);
  return 0;
}

/**
 * dup_mmap(mm, oldmm): both mmap locks held for writing (and each parent VMA
 * write-locked against per-VMA-lock faults), every VMA duplicated and inserted
 * in order, then its tables copied. The child's anon VMAs get an anon_vma of
 * their own (anon_vma_fork()); a shared VMA maps the same shmem object.
 */
export function* dup_mmap(t: Task, mm: MmStruct, oldmm: MmStruct): KPath<number> {
  const k = t.k;
  yield* down_write(t, oldmm.mmap_lock);
  yield* down_write(t, mm.mmap_lock); // mmap_write_lock_nested(mm, SINGLE_DEPTH_NESTING)
  mm.total_vm = oldmm.total_vm;
  mm.data_vm = oldmm.data_vm;
  let retval = 0;
  for (const mpnt of [...oldmm.mm_mt.list]) {
    yield* vma_start_write(t, oldmm, mpnt);
    if (mpnt.vm_flags & VM_DONTCOPY) {
      // MADV_DONTFORK: the child has a hole here (vma_iter_clear_gfp()), neither charged nor counted.
      vm_stat_account(mm, mpnt.vm_flags, -mpnt.pages);
      continue;
    }
    // The child's private writable memory is charged again (fail_nomem).
    if (mpnt.vm_flags & VM_ACCOUNT && security_vm_enough_memory_mm(k, oldmm, mpnt.pages)) {
      retval = -ENOMEM;
      break;
    }
    // vm_area_dup() + anon_vma_fork(); VM_WIPEONFORK gets a clean slate in the child: no
    // anon_vma until it faults, no copy. vm_flags_clear(tmp, VM_LOCKED_MASK): mlock is not inherited.
    const wipe = (mpnt.vm_flags & VM_WIPEONFORK) !== 0;
    const anon_vma = mpnt.anon_vma && !wipe ? k.new_anon_vma() : 0;
    const tmp = new Vma(mpnt.vm_start, mpnt.vm_end, mpnt.vm_flags & ~VM_LOCKED, mpnt.vm_page_prot, mpnt.vm_pgoff, anon_vma, mpnt.vm_file);
    if (tmp.vm_file) tmp.vm_file.mappers++;
    mm.mm_mt.insert(tmp);
    if (!wipe) retval = yield* copy_page_range(t, tmp, mpnt);
    if (retval) break;
  }
  // No flush_tlb_mm(oldmm): the parent's entries were not write-protected (no COW).
  yield* mmap_write_unlock(t, mm);
  yield* mmap_write_unlock(t, oldmm);
  return retval;
}

/**
 * dup_mm(tsk, oldmm): a new mm with the parent's fields the model keeps (the
 * mmap base, the program break), its VMAs and tables copied, and the high-water
 * marks reset to the copy (hiwater_rss = RSS, hiwater_vm = total_vm). When
 * dup_mmap() fails (-ENOMEM: the copy could not be charged), the half-built mm
 * is torn down (mmput → exit_mmap) and the errno returned.
 */
export function* dup_mm(t: Task, oldmm: MmStruct): KPath<MmStruct | number> {
  const mm = t.k.mm_alloc();
  mm.mmap_base = oldmm.mmap_base;
  mm.start_brk = oldmm.start_brk;
  mm.brk = oldmm.brk;
  const err = yield* dup_mmap(t, mm, oldmm);
  if (err) {
    yield* exit_mmap(t, mm);
    return err;
  }
  mm.hiwater_rss = mm.get_mm_rss();
  mm.hiwater_vm = mm.total_vm;
  return mm;
}

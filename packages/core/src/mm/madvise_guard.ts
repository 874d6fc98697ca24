/**
 * Guard regions (mm/madvise.c, Linux 6.13+): MADV_GUARD_INSTALL writes a guard
 * PTE marker into every page of the range, allocating the page tables it needs
 * (the walk's install_pte), so that an access raises SIGSEGV; MADV_GUARD_REMOVE
 * clears them. A marker is not a none entry: MADV_DONTNEED, MADV_FREE,
 * MADV_COLD/PAGEOUT and mprotect keep it, fork copies it, mremap moves it, and
 * only munmap and exit (ZAP_FLAG_DROP_MARKER) remove it, so a PTE table holding
 * one is never empty and pt-reclaim does not free it (mm/zap.ts).
 *
 * Locking: mmap_read_lock, as Linux 6.13-6.18 (measured on 6.18: madvise.ts
 * madvise_lock_mode()). Later kernels take the per-VMA read lock where
 * is_vma_lock_sufficient() allows (one VMA covers the range; for an install
 * in anonymous memory, one that has its anon_vma already).
 *
 * Model difference: a range the install walk cannot finish (pages or a huge
 * PMD in the way) is zapped and walked again, as in Linux, but the model has
 * no racing fault to make the three tries fail, so restart_syscall() is never
 * reached.
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { VM_LOCKED } from "../pgtable/arch.js";
import { addr_end } from "../pgtable/offset.js";
import { ptep_get, ptep_get_and_clear, set_pte_at } from "../pgtable/ops.js";
import { pte_alloc_get, pte_put } from "../pgtable/pgalloc.js";
import { pte_offset_map_lock, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { pmd_walk_map, pmd_walk_unmap } from "../pgtable/upper_map.js";
import { tlb_finish_mmu, tlb_gather_mmu } from "../tlb/mmu_gather.js";
import { EINVAL, ENOMEM } from "./errno.js";
import type { MmStruct } from "./mm_struct.js";
import { alloc_new_pmd } from "./pgtable_alloc.js";
import { is_guard_pte_marker, make_pte_marker, PTE_MARKER_GUARD } from "./pte_marker.js";
import { anon_vma_prepare } from "./rmap.js";
import type { Vma } from "./vma.js";
import { zap_vma_range_batched } from "./zap.js";

export const MADV_GUARD_INSTALL = 102;
export const MADV_GUARD_REMOVE = 103;

const MAX_MADVISE_GUARD_RETRIES = 3;

/**
 * is_valid_guard_vma(): not an mlocked VMA when installing (the zap would drop
 * locked pages); Linux also wants a VMA that could merge (no VM_PFNMAP, VM_IO,
 * hugetlb, ...), which every VMA of the model is.
 */
function is_valid_guard_vma(vma: Vma, allow_locked: boolean): boolean {
  return allow_locked || (vma.vm_flags & VM_LOCKED) === 0;
}

/**
 * The install walk (walk_page_range_mm with guard_install_walk_ops) over
 * [start, end): missing tables are allocated (install_pte), a none PTE gets a
 * guard marker (guard_install_set_pte), a marker is counted as done
 * (guard_install_pte_entry). Returns 0 when the whole range is guarded, 1 when a
 * present page, a swap entry or a huge PMD is in the way (the caller zaps and
 * walks again; the markers already written stay).
 */
function* guard_install_walk(t: Task, mm: MmStruct, start: number, end: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  for (let addr = start; addr < end; ) {
    const next = addr_end(addr, end, k.PMD_SIZE);
    const pmdp = yield* alloc_new_pmd(t, mm, addr); // walk_{p4d,pud}_range(): the levels above allocated (install_pte)
    if (pmdp < 0) return -ENOMEM;
    if (a.pmd_trans_huge(k.pt.get(pmdp))) return 1; // guard_install_pmd_entry(): abort + zap
    const held = yield* pte_alloc_get(t, mm, pmdp); // walk_pmd_range(): __pte_alloc() where the PMD is none
    const ptep0 = yield* pte_offset_map_lock(t, mm, pmdp, addr);
    if (ptep0 < 0) {
      // The table went away (or became huge) under us: ACTION_AGAIN, the slice once more.
      if (held) yield* pte_put(t, mm, pmdp, addr);
      continue;
    }
    const ptl = t.ptl!;
    let r = 0;
    for (let p = ptep0, x = addr; x < next; p++, x += 4096) {
      const pte = yield* ptep_get(t, p);
      if (a.pte_none(pte)) yield* set_pte_at(t, mm, x, p, make_pte_marker(k, PTE_MARKER_GUARD));
      else if (!is_guard_pte_marker(k, pte)) {
        r = 1; // populated: abort + zap
        break;
      }
    }
    yield* pte_unmap_unlock(t, ptep0, ptl);
    if (held) yield* pte_put(t, mm, pmdp, addr);
    if (r) return r;
    addr = next;
  }
  return 0;
}

/** madvise_guard_install() for [start, end) of one VMA. */
export function* madvise_guard_install(t: Task, mm: MmStruct, vma: Vma, start: number, end: number): KPath<number> {
  const k = t.k;
  if (!is_valid_guard_vma(vma, false)) return -EINVAL;
  // The range is no longer empty from a page-table perspective: an anon_vma, so that fork
  // copies its tables (vma_needs_copy()); 6.13-6.18 prepare one for shared memory too.
  anon_vma_prepare(k, mm, vma);
  for (let i = 0; i < MAX_MADVISE_GUARD_RETRIES; i++) {
    const err = yield* guard_install_walk(t, mm, start, end);
    if (err <= 0) return err;
    // Some of the range has non-guard pages mapped: zap them (zap_vma_range(), its own
    // gather, no details: the guard markers already installed stay).
    const tlb = tlb_gather_mmu(k, mm);
    yield* zap_vma_range_batched(t, tlb, vma, start, end - start, null);
    yield* tlb_finish_mmu(t, tlb);
  }
  // restart_syscall(): unreachable in the model (nothing races the walk).
  return -EINVAL;
}

/** madvise_guard_remove() for [start, end) of one VMA: clear every guard marker (huge PMDs hold none). */
export function* madvise_guard_remove(t: Task, mm: MmStruct, vma: Vma, start: number, end: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  if (!is_valid_guard_vma(vma, true)) return -EINVAL;
  for (let addr = start; addr < end; ) {
    const next = addr_end(addr, end, k.PMD_SIZE);
    const pmdp = yield* pmd_walk_map(t, mm, addr);
    if (pmdp >= 0) {
      if (!a.pxd_none(k.pt.get(pmdp)) && !a.pmd_trans_huge(k.pt.get(pmdp))) {
        const ptep0 = yield* pte_offset_map_lock(t, mm, pmdp, addr);
        if (ptep0 >= 0) {
          const ptl = t.ptl!;
          for (let p = ptep0, x = addr; x < next; p++, x += 4096) {
            // guard_remove_pte_entry(): pte_clear()
            if (is_guard_pte_marker(k, yield* ptep_get(t, p))) yield* ptep_get_and_clear(t, mm, x, p);
          }
          yield* pte_unmap_unlock(t, ptep0, ptl);
        }
      }
      yield* pmd_walk_unmap(t);
    }
    addr = next;
  }
  return 0;
}

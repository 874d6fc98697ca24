/**
 * Step 3 of seed 001's plan: "based on the above infrastructure, we may try to
 * reclaim all full-zero PTE pages (all pte entries map zero page), which will
 * be beneficial to the memory balloon case mentioned by David Hildenbrand."
 * No kernel has it; this is the spec of shared/notes/seed-designs.md (f), on the
 * merged step-1 scheme (mm/pt_reclaim.c's try_to_free_pte()): pmd_lock, map the
 * table with pte_offset_map_rw_nolock(), the PTE lock nested, check every entry,
 * clear the zero-page entries under the PTE lock with their TLB entries queued
 * for the flush, pmd_clear, unlock, free_pte() (pte_free_tlb + mm_dec_nr_ptes),
 * and the caller's tlb_finish_mmu() flushes with freed_tables: the paging-
 * structure caches and the zero-page translations of the 2 MiB go together.
 *
 * Neither the mmap write lock nor the rmap locks of the 2022-08 RFC are taken
 * (David's R19): walkers map PTE tables under RCU and recheck the PMD under the
 * PTE lock (pte_offset_map_lock), as for step 1. The scan holds mmap_read_lock
 * (trylock: reclaim must not block on it) so the VMAs it checks stay put.
 */
import {
  find_vma,
  mmap_read_trylock,
  mmap_read_unlock,
  is_zero_pfn,
  mm_find_pmd,
  pmd_clear,
  pmd_lock,
  pmdp_get_lockless,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  ptep_get_and_clear,
  spin_lock_nested,
  spin_unlock,
  tlb_remove_tlb_entry,
  vma_next,
  VM_LOCKED,
  VM_SHARED,
  type KPath,
  type kernel_t,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type pte_t,
  type task_struct,
  type vm_area_struct,
} from "@mmsim/core/kernel";
import { free_pte } from "@mmsim/reclaim-pt-reclaim";

/**
 * VM_UFFD_MISSING, VM_UFFD_WP (include/linux/mm.h); VM_UFFD_MINOR is bit 41
 * (VM_HIGH_ARCH...): tested without 32-bit operators. Model: core has no
 * userfaultfd, so no VMA carries these; the exclusion is here for the design
 * and tested on a VMA given the flag by hand.
 */
export const VM_UFFD_MISSING = 1 << 9;
export const VM_UFFD_WP = 1 << 12;
export const VM_UFFD_MINOR = 2 ** 41;

/** userfaultfd_armed(vma): registered for MISSING, WP or MINOR faults (__VM_UFFD_FLAGS). */
export function userfaultfd_armed(vma: vm_area_struct): boolean {
  return (vma.vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP)) !== 0 || Math.floor(vma.vm_flags / VM_UFFD_MINOR) % 2 === 1;
}

/**
 * Whether the scan may free zero-page tables inside `vma`:
 *   - anonymous and private (a shared anonymous VMA is shmem: its read faults map
 *     page-cache pages, never the zero page);
 *   - not VM_LOCKED: mlock()/MAP_LOCKED promise populated memory (a reclaimed
 *     entry would fault again);
 *   - not userfaultfd-armed (David, 2022-08 RFC: "some features (userfaultfd)
 *     don't expect page faults when something was already mapped previously":
 *     a MISSING-registered VMA would see a MISSING event for a page it had; a WP
 *     one would lose the write protection carried by the zero-page entry).
 */
export function zero_pte_vma_suitable(vma: vm_area_struct): boolean {
  if (vma.vm_flags & VM_SHARED) return false;
  if (vma.vm_flags & VM_LOCKED) return false;
  return !userfaultfd_armed(vma);
}

/** pte_present(pte) && pte_special(pte) && is_zero_pfn(pte_pfn(pte)): an entry mapping the shared zero page. */
export function pte_maps_zero_page(k: kernel_t, pte: pte_t): boolean {
  const a = k.arch;
  return a.pte_present(pte) && a.pte_special(pte) && is_zero_pfn(k, a.pte_pfn(pte));
}

/**
 * What try_to_free_zero_pte() found:
 *   - "freed": every entry none or the zero page, at least one zero page; cleared and freed;
 *   - "no-table": the PMD maps no PTE table (none, huge, or freed meanwhile);
 *   - "mapped": an entry maps a page, or is a swap/migration entry or a marker;
 *   - "empty": every entry none: an empty table is step 1's (DONTNEED) or step 2's business.
 */
export type ZeroPteResult = "freed" | "no-table" | "mapped" | "empty";

/**
 * The per-PMD slow path: free the PTE table at `pmdp` (covering [addr, addr +
 * PMD_SIZE), inside one suitable VMA) if it maps only the zero page. Held on
 * entry: mmap_read_lock; no spinlock. The caller's mmu_gather `tlb` flushes the
 * cleared entries and the table (tlb_finish_mmu) and frees the table after a
 * grace period.
 */
export function* try_to_free_zero_pte(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, tlb: mmu_gather): KPath<ZeroPteResult> {
  const k = t.k;
  const a = k.arch;
  const pml = yield* pmd_lock(t, pmdp);
  const start = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
  if (start === null) {
    // The PMD is none or huge (the huge zero PMD is out of scope: a PMD leaf, not a PTE table).
    yield* spin_unlock(t, pml);
    return "no-table";
  }
  const { pte: start_pte, pmdval, ptl } = start;
  if (ptl !== pml) yield* spin_lock_nested(t, ptl);
  const out_ptl = function* (r: ZeroPteResult): KPath<ZeroPteResult> {
    yield* pte_unmap_unlock(t, start_pte, ptl);
    if (ptl !== pml) yield* spin_unlock(t, pml);
    return r;
  };
  // pte_offset_map_rw_nolock()'s contract: recheck pmd_same() once ptl is held
  // before changing the table. With the PMD lock held the PMD cannot change, so
  // this never fails here (try_to_free_pte() leaves it out for that reason);
  // (f)'s spec keeps it, and it costs one read.
  if ((yield* pmdp_get_lockless(t, pmdp)) !== pmdval) return yield* out_ptl("no-table");

  /* Check every entry: none, or the zero page; anything else aborts. */
  let nr_zero = 0;
  for (let i = 0; i < a.PTRS_PER_PTE; i++) {
    const pte = yield* ptep_get(t, start_pte + i);
    if (a.pte_none(pte)) continue;
    // A marker, a swap or migration entry (non-present) or a mapped page: abort.
    if (!pte_maps_zero_page(k, pte)) return yield* out_ptl("mapped");
    nr_zero++;
  }
  if (nr_zero === 0) return yield* out_ptl("empty");

  /*
   * Clear the zero-page entries under the PTE lock: no RSS change (vm_normal_page()
   * is NULL for the zero page: no rmap, no refcount), and each goes into the
   * gather's flush range, so tlb_finish_mmu() evicts the translations other CPUs
   * cached for it (pte_free_tlb() alone widens the flush by the table's first page).
   */
  for (let i = 0; i < a.PTRS_PER_PTE; i++) {
    const ptep = start_pte + i;
    const va = addr + i * a.PAGE_SIZE;
    if (!pte_maps_zero_page(k, yield* ptep_get(t, ptep))) continue;
    yield* ptep_get_and_clear(t, mm, va, ptep);
    tlb_remove_tlb_entry(tlb, ptep, va);
  }
  yield* pte_unmap(t, start_pte);
  yield* pmd_clear(t, pmdp);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);
  yield* free_pte(t, mm, addr, tlb, pmdval);
  return "freed";
}

/** What one scan did, for the plugin's statistics and the tests. */
export interface ZeroPteScan {
  /** mmap_read_trylock() failed: the mm was skipped. */
  skipped: boolean;
  /** PTE tables freed. */
  freed: number;
  /** PMDs looked at (the whole 2 MiB inside one suitable VMA, mapping a PTE table). */
  scanned: number;
}

/** The per-PMD step a scan runs (try_to_free_zero_pte; the tests' mutants replace it). */
export type PerPmd = (t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, tlb: mmu_gather) => KPath<ZeroPteResult>;

/**
 * One mm's pass: mmap_read_trylock (reclaim never waits for mmap_lock), every
 * suitable VMA, every 2 MiB slice inside it whose PMD maps a PTE table, through
 * try_to_free_zero_pte() on one mmu_gather set up by the caller on `mm`
 * (tlb_gather_mmu(); the caller runs tlb_finish_mmu() after: the flush and
 * the RCU free do not need mmap_lock). An exited mm (exit_mmap ran) is skipped.
 */
export function* zero_pte_scan_mm(t: task_struct, mm: mm_struct, tlb: mmu_gather, per_pmd: PerPmd = try_to_free_zero_pte): KPath<ZeroPteScan> {
  const a = t.k.arch;
  const r: ZeroPteScan = { skipped: false, freed: 0, scanned: 0 };
  if (mm.exited) return r;
  if (!(yield* mmap_read_trylock(t, mm))) {
    r.skipped = true;
    return r;
  }
  for (let vma = find_vma(mm, 0); vma !== null; vma = vma_next(mm, vma)) {
    if (!zero_pte_vma_suitable(vma)) continue;
    // Only slices wholly inside this VMA: a table shared with a neighbour (maybe
    // locked, or uffd-armed) is left alone, as step 1's reclaim_pt_is_enabled().
    for (let addr = Math.ceil(vma.vm_start / a.PMD_SIZE) * a.PMD_SIZE; addr + a.PMD_SIZE <= vma.vm_end; addr += a.PMD_SIZE) {
      const pmdp = mm_find_pmd(t, mm, addr);
      if (pmdp === null) continue;
      const pmd = yield* pmdp_get_lockless(t, pmdp);
      if (a.pxd_none(pmd) || a.pmd_leaf(pmd)) continue;
      r.scanned++;
      if ((yield* per_pmd(t, mm, pmdp, addr, tlb)) === "freed") r.freed++;
    }
  }
  yield* mmap_read_unlock(t, mm);
  return r;
}

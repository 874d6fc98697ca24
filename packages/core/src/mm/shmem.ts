/**
 * Shared anonymous memory (mm/shmem.c): a MAP_SHARED|MAP_ANONYMOUS mapping is
 * backed by a shmem file (shmem_zero_setup). Its faults take the file path of
 * mm/memory.c (do_fault → do_fault_around / finish_fault, in memory.ts); the page
 * comes from here: shmem_fault() finds or allocates it in the file's page cache.
 * RSS counts these pages as MM_SHMEMPAGES. Reclaim unmaps them (mm/rmap.ts).
 * MADV_REMOVE punches a hole (shmem_punch_hole).
 */
import type { ZapDetails } from "@mmsim/spec";
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { tlb_finish_mmu, tlb_gather_mmu } from "../tlb/mmu_gather.js";
import { folio_put } from "./folio.js";
import { vm_unacct_memory } from "./overcommit.js";
import { PG_SHMEM } from "./page_alloc.js";
import type { ShmemFile } from "./vma.js";
import { zap_vma_range_batched } from "./zap.js";
import { collapse_mutant } from "./collapse_mutant.js";

/** shmem_get_folio(..., SGP_CACHE): find or allocate the page-cache page at pgoff. */
export function shmem_get_folio(k: Kernel, file: ShmemFile, pgoff: number): number {
  let pfn = file.pages.get(pgoff);
  if (pfn === undefined) {
    pfn = k.frames.alloc(0, PG_SHMEM);
    file.pages.set(pgoff, pfn); // the page cache's reference
  }
  return pfn;
}

/** Drop the page cache of a shmem file whose last mapping went away, and its charge (shmem_unacct_size). */
export function shmem_evict_inode(k: Kernel, file: ShmemFile): void {
  vm_unacct_memory(k, file.acct_pages);
  file.acct_pages = 0;
  for (const pfn of file.pages.values()) {
    if (k.frames.add_refcount(pfn, -1) === 0) k.frames.free(pfn, 0);
  }
  file.pages.clear();
}

/**
 * unmap_mapping_range(mapping, holebegin, holelen, even_cows = 0) for pages
 * [first, last) of a shmem file: zap them from every VMA that maps them, in every
 * mm (zap_page_range_single() per VMA of the file's i_mmap tree, here the mms'
 * VMA lists in creation order; no reclaim_pt: the PTE tables stay; guard markers
 * stay). Model difference: Linux holds i_mmap_rwsem, not the other mms' mmap_lock;
 * the model has no i_mmap lock.
 */
export function* unmap_mapping_range(t: Task, file: ShmemFile, first: number, last: number): KPath {
  const k = t.k;
  for (const mm of k.mms.values()) {
    for (const vma of mm.mm_mt.list.slice()) {
      if (vma.vm_file !== file) continue;
      const vstart = vma.vm_pgoff;
      const vend = vma.vm_pgoff + (vma.vm_end - vma.vm_start) / 4096;
      const s = Math.max(first, vstart);
      const e = Math.min(last, vend);
      if (s >= e) continue;
      const tlb = tlb_gather_mmu(k, mm);
      yield* zap_vma_range_batched(t, tlb, vma, vma.vm_start + (s - vstart) * 4096, (e - s) * 4096, UNMAP_MAPPING_DETAILS);
      yield* tlb_finish_mmu(t, tlb);
    }
  }
}
const UNMAP_MAPPING_DETAILS: ZapDetails = Object.freeze({ skip_cows: true, reclaim_pt: false, unmap: false });

/**
 * shmem_fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) over pages
 * [first, last): unmap_mapping_range(), then shmem_truncate_range() drops the page
 * cache pages (the file keeps its size and its charge).
 */
export function* shmem_punch_hole(t: Task, file: ShmemFile, first: number, last: number): KPath {
  yield* unmap_mapping_range(t, file, first, last);
  if (collapse_mutant(t.k) === "remove-keeps-cache") return;
  // shmem_truncate_range()
  for (let pgoff = first; pgoff < last; pgoff++) {
    const pfn = file.pages.get(pgoff);
    if (pfn === undefined) continue;
    file.pages.delete(pgoff);
    folio_put(t.k, pfn);
  }
}

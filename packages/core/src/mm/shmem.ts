/**
 * Shared anonymous memory (mm/shmem.c): a MAP_SHARED|MAP_ANONYMOUS mapping is
 * backed by a shmem file (shmem_zero_setup). Its faults take the file path of
 * mm/memory.c (do_fault → do_fault_around / finish_fault, in memory.ts); the page
 * comes from here: shmem_fault() finds or allocates it in the file's page cache.
 * RSS counts these pages as MM_SHMEMPAGES. Reclaim unmaps them (mm/rmap.ts).
 */
import type { Kernel } from "../types/kernel.js";
import { vm_unacct_memory } from "./overcommit.js";
import { PG_SHMEM } from "./page_alloc.js";
import type { ShmemFile } from "./vma.js";

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

/**
 * Shared anonymous memory: a MAP_SHARED|MAP_ANONYMOUS mapping is backed by a shmem
 * file (shmem_zero_setup). Faults go through do_fault(): read faults first map the
 * surrounding pages already in the page cache (do_fault_around, 64 KiB window),
 * then shmem_fault() allocates the page; RSS counts them as MM_SHMEMPAGES.
 */
import type { Kernel } from "../kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { VM_WRITE } from "../pgtable/arch.js";
import { ptep_get, set_pte_at } from "../pgtable/ops.js";
import { pte_alloc } from "../pgtable/pgalloc.js";
import { pte_offset_map_lock, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { FAULT_FLAG_WRITE, VM_FAULT_NOPAGE, VM_FAULT_OOM, type VmFault } from "./fault_flags.js";
import { folio_get } from "./folio.js";
import { add_mm_counter, MM_SHMEMPAGES } from "./mm.js";
import { PG_SHMEM } from "./page_alloc.js";
import type { ShmemFile, Vma } from "./vma.js";

/** fault_around_bytes (default 64 KiB) in pages. */
export const FAULT_AROUND_PAGES = 16;

/** shmem_get_folio(..., SGP_CACHE): find or allocate the page-cache page at pgoff. */
export function shmem_get_folio(k: Kernel, file: ShmemFile, pgoff: number): number {
  let pfn = file.pages.get(pgoff);
  if (pfn === undefined) {
    pfn = k.frames.alloc(0, PG_SHMEM);
    file.pages.set(pgoff, pfn); // the page cache's reference
  }
  return pfn;
}

/** Drop the page cache of a shmem file whose last mapping went away. */
export function shmem_evict_inode(k: Kernel, file: ShmemFile): void {
  for (const pfn of file.pages.values()) {
    if (--k.frames.refcount[pfn] === 0) k.frames.free(pfn, 0);
  }
  file.pages.clear();
}

/** Map one page-cache page at addr with the PTE lock held (set_pte_range). */
function* map_shmem_pte(t: Task, vma: Vma, ptep: number, addr: number, pfn: number, write: boolean): KPath {
  const k = t.k;
  const a = k.arch;
  let entry = a.pfn_pte(pfn, vma.vm_page_prot);
  if (write) entry = a.pte_mkdirty(entry);
  if (write && vma.vm_flags & VM_WRITE) entry = a.pte_mkwrite(entry);
  folio_get(k, pfn);
  k.frames.mapcount[pfn]++;
  add_mm_counter(t.mm!, MM_SHMEMPAGES, 1);
  yield* set_pte_at(t, t.mm!, addr, ptep, entry);
}

/** finish_fault() */
function* finish_fault(t: Task, vmf: VmFault, pfn: number): KPath<number> {
  const k = t.k;
  const mm = t.mm!;
  if (yield* pte_alloc(t, mm, vmf.pmdp)) return VM_FAULT_OOM;
  const ptep = yield* pte_offset_map_lock(t, mm, vmf.pmdp, vmf.address);
  if (ptep < 0) return VM_FAULT_NOPAGE;
  const ptl = t.ptl!;
  if (k.arch.pte_none(yield* ptep_get(t, ptep))) {
    const write = (vmf.flags & FAULT_FLAG_WRITE) !== 0;
    if (write) k.frames.data[pfn] = vmf.value;
    yield* map_shmem_pte(t, vmf.vma, ptep, vmf.address, pfn, write);
  }
  yield* pte_unmap_unlock(t, ptep, ptl);
  return VM_FAULT_NOPAGE;
}

/**
 * do_fault_around() → filemap_map_pages(): map the pages of [from, to] already in
 * the page cache. Returns VM_FAULT_NOPAGE when the faulting page itself was mapped.
 */
function* do_fault_around(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  const vma = vmf.vma;
  const file = vma.vm_file!;
  const nr_pages = FAULT_AROUND_PAGES;
  const pte_off = Math.floor(vmf.address / 4096) % 512;
  const vma_off = vmf.pgoff - vma.vm_pgoff;
  const from_pte = Math.max(Math.floor(pte_off / nr_pages) * nr_pages, pte_off - Math.min(pte_off, vma_off));
  const to_pte = Math.min(from_pte + nr_pages, 512, pte_off + vma.pages - vma_off) - 1;
  const first = vmf.pgoff + from_pte - pte_off;
  const last = vmf.pgoff + to_pte - pte_off;
  let any = false;
  for (let p = first; p <= last && !any; p++) any = file.pages.has(p);
  if (!any) return 0; // next_uptodate_folio() found nothing: the preallocated table is freed.
  const mm = t.mm!;
  if (yield* pte_alloc(t, mm, vmf.pmdp)) return VM_FAULT_OOM; // filemap_map_pmd() installs prealloc_pte
  const base_addr = vmf.address - (pte_off - from_pte) * 4096;
  const ptep0 = yield* pte_offset_map_lock(t, mm, vmf.pmdp, base_addr);
  if (ptep0 < 0) return 0;
  const ptl = t.ptl!;
  let ret = 0;
  for (let i = 0; i <= to_pte - from_pte; i++) {
    const pfn = file.pages.get(first + i);
    if (pfn === undefined) continue;
    if (!k.arch.pte_none(yield* ptep_get(t, ptep0 + i))) continue;
    yield* map_shmem_pte(t, vma, ptep0 + i, base_addr + i * 4096, pfn, false);
    if (from_pte + i === pte_off) ret = VM_FAULT_NOPAGE;
  }
  yield* pte_unmap_unlock(t, ptep0, ptl);
  return ret;
}

/** do_fault(): do_read_fault() or do_shared_fault() for a shmem-backed VMA. */
export function* do_fault(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  if (!(vmf.flags & FAULT_FLAG_WRITE)) {
    const ret = yield* do_fault_around(t, vmf);
    if (ret) return ret & VM_FAULT_OOM ? ret : 0;
  }
  const pfn = shmem_get_folio(k, vmf.vma.vm_file!, vmf.pgoff);
  const ret = yield* finish_fault(t, vmf, pfn);
  return ret & VM_FAULT_OOM ? ret : 0;
}

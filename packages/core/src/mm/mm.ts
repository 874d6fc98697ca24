/**
 * The per-mm counters, where include/linux/mm.h keeps them: RSS by type
 * (add_mm_counter, mm_counter), the page-table bytes behind VmPTE
 * (mm_inc_nr_ptes & co., mm_pgtables_bytes), the high-water marks and the
 * mapping totals (vm_stat_account), with the counter enum of mm_types_task.h
 * and mm.h's vma_is_anonymous(). Everything that maps, unmaps or allocates a
 * table updates them through these; /proc/<pid>/status reads them.
 *
 * mm_pgtables_bytes counts PTE, PMD and PUD tables (P4D and PGD pages are not
 * counted), 4096 bytes each; THP deposit tables count as PTE tables.
 */
import type { Kernel } from "../types/kernel.js";
import type { MmStruct, Vma } from "../types/mm_types.js";
import { PG_SHMEM } from "./page_alloc.js";

/** enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES } */
export const MM_FILEPAGES = 0;
export const MM_ANONPAGES = 1;
export const MM_SWAPENTS = 2;
export const MM_SHMEMPAGES = 3;
export const NR_MM_COUNTERS = 4;

/** add_mm_counter() */
export function add_mm_counter(mm: MmStruct, member: number, value: number): void {
  mm.rss_stat[member] += value;
}

/** mm_counter(folio): MM_ANONPAGES or MM_SHMEMPAGES. */
export function mm_counter(k: Kernel, head: number): number {
  const f = k.frames;
  return (head < f.flat_n ? f.flat_type[head] : f.get_type(head)) === PG_SHMEM ? 3 : 1; // the flat fast path: see folio.ts
}

const TABLE_BYTES = 4096;

export function mm_inc_nr_ptes(mm: MmStruct): void {
  mm.pgtables_bytes += TABLE_BYTES;
}
export function mm_dec_nr_ptes(mm: MmStruct): void {
  mm.pgtables_bytes -= TABLE_BYTES;
}
export function mm_inc_nr_pmds(mm: MmStruct): void {
  mm.pgtables_bytes += TABLE_BYTES;
}
export function mm_dec_nr_pmds(mm: MmStruct): void {
  mm.pgtables_bytes -= TABLE_BYTES;
}
export function mm_inc_nr_puds(mm: MmStruct): void {
  mm.pgtables_bytes += TABLE_BYTES;
}
export function mm_dec_nr_puds(mm: MmStruct): void {
  mm.pgtables_bytes -= TABLE_BYTES;
}

/** mm_pgtables_bytes() */
export function mm_pgtables_bytes(mm: MmStruct): number {
  return mm.pgtables_bytes;
}

/** update_hiwater_rss() */
export function update_hiwater_rss(mm: MmStruct): void {
  const rss = mm.get_mm_rss();
  if (mm.hiwater_rss < rss) mm.hiwater_rss = rss;
}

/** update_hiwater_vm() */
export function update_hiwater_vm(mm: MmStruct): void {
  if (mm.hiwater_vm < mm.total_vm) mm.hiwater_vm = mm.total_vm;
}

/** vm_stat_account() (mm/mmap.c): total_vm and data_vm (is_data_mapping: VM_WRITE without VM_SHARED). */
export function vm_stat_account(mm: MmStruct, flags: number, npages: number): void {
  mm.total_vm += npages;
  if ((flags & (0x2 | 0x8 | 0x100)) === 0x2) mm.data_vm += npages;
}

/** vma_is_anonymous(): private anonymous (shared anonymous VMAs are shmem-backed). */
export function vma_is_anonymous(vma: Vma): boolean {
  return vma.vm_file === null;
}

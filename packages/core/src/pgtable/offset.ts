/**
 * pgd_offset / p4d_offset / pud_offset / pmd_offset / pte_offset and the
 * pXd_addr_end helpers. Addresses are JS numbers: exact for every page-aligned
 * address below 2^65, byte-exact below 2^53 (model limit, documented in README).
 */
import type { Kernel } from "../types/kernel.js";
import type { MmStruct } from "../types/mm_types.js";

export function pgd_offset(k: Kernel, mm: MmStruct, addr: number): number {
  return k.pt.entry(mm.pgd, Math.floor(addr / k.PGDIR_SIZE) % 512);
}

/** On 4-level paging the p4d level is folded: the p4d entry is the pgd entry. */
export function p4d_offset(k: Kernel, pgdp: number, addr: number): number {
  if (k.arch.p4d_folded) return pgdp;
  return k.pt.entry(k.arch.pxd_table_pfn(k.pt.get(pgdp)), Math.floor(addr / k.P4D_SIZE) % 512);
}

export function pud_offset(k: Kernel, p4dp: number, addr: number): number {
  return k.pt.entry(k.arch.pxd_table_pfn(k.pt.get(p4dp)), Math.floor(addr / k.PUD_SIZE) % 512);
}

export function pmd_offset(k: Kernel, pudp: number, addr: number): number {
  return k.pt.entry(k.arch.pxd_table_pfn(k.pt.get(pudp)), Math.floor(addr / k.PMD_SIZE) % 512);
}

export function pte_index(addr: number): number {
  return Math.floor(addr / 4096) % 512;
}

export function pmd_index(addr: number): number {
  return Math.floor(addr / 2097152) % 512;
}

/** pXd_addr_end(addr, end): the next `size` boundary, or end. */
export function addr_end(addr: number, end: number, size: number): number {
  const boundary = (Math.floor(addr / size) + 1) * size;
  return boundary - 1 < end - 1 ? boundary : end;
}

/** Round down / up to a power-of-two `size`. */
export function round_down(addr: number, size: number): number {
  return Math.floor(addr / size) * size;
}
export function round_up(addr: number, size: number): number {
  return Math.ceil(addr / size) * size;
}

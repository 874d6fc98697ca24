/**
 * Non-allocating lookups for callers that already hold the locks that keep upper
 * levels stable (mmap_lock): the entry pointer at a level, or -1 where a level is
 * none. Reads here are not preemption points; lockless walkers use pte_map.ts.
 */
import type { Kernel } from "../types/kernel.js";
import type { MmStruct } from "../types/mm_types.js";
import { p4d_offset, pgd_offset, pmd_offset, pud_offset } from "./offset.js";

export function walk_pud(k: Kernel, mm: MmStruct, addr: number): number {
  const a = k.arch;
  const pgdp = pgd_offset(k, mm, addr);
  if (!a.p4d_folded && a.pxd_none(k.pt.get(pgdp))) return -1;
  const p4dp = p4d_offset(k, pgdp, addr);
  if (a.pxd_none(k.pt.get(p4dp))) return -1;
  return pud_offset(k, p4dp, addr);
}

export function walk_pmd(k: Kernel, mm: MmStruct, addr: number): number {
  const pudp = walk_pud(k, mm, addr);
  if (pudp < 0 || k.arch.pxd_none(k.pt.get(pudp))) return -1;
  return pmd_offset(k, pudp, addr);
}

/** The PTE pointer mapping addr, or -1 when no PTE table covers it (or a huge PMD does). */
export function walk_pte(k: Kernel, mm: MmStruct, addr: number): number {
  const pmdp = walk_pmd(k, mm, addr);
  if (pmdp < 0) return -1;
  const pmd = k.pt.get(pmdp);
  if (k.arch.pxd_none(pmd) || k.arch.pmd_trans_huge(pmd)) return -1;
  return k.pt.entry(k.arch.pxd_table_pfn(pmd), Math.floor(addr / 4096) % 512);
}

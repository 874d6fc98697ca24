/**
 * The generic page-table walker (mm/pagewalk.c: walk_page_range and the
 * walk_{pgd,p4d,pud,pmd,pte}_range levels below it), read-only: for each VMA
 * part of [start, end) it visits the tables present, calling `pmd_entry` for a
 * huge PMD and `pte_entry` for every entry of a PTE table (none entries
 * included, as Linux does); ranges without a VMA go to `pte_hole` with depth
 * -1, and ranges without a table to `pte_hole` with the level that is missing
 * (0 PGD ... 4 PTE table). The walk reads entries without taking the page-table
 * locks: it is for inspection between syscalls (the caller would hold the mmap
 * lock), not a kernel path.
 */
import type { Kernel } from "../types/kernel.js";
import { addr_end, p4d_offset, pgd_offset, pmd_offset, pud_offset, pte_index } from "../pgtable/offset.js";
import type { MmStruct } from "./mm_struct.js";
import type { Vma } from "./vma.js";

/** struct mm_walk_ops (the callbacks the model's users need). Returning true stops the walk. */
export interface MmWalkOps {
  /** A huge (leaf) PMD mapping [addr, next). */
  pmd_entry?(pmd: number, addr: number, next: number, vma: Vma): boolean | void;
  /** One entry of a PTE table, for the page [addr, next). */
  pte_entry?(pte: number, addr: number, next: number, vma: Vma): boolean | void;
  /** [addr, next) has no VMA (depth -1) or no table at level `depth` (0 = PGD entry none ... 3 = PMD entry none). */
  pte_hole?(addr: number, next: number, depth: number): boolean | void;
}

/** walk_page_range(mm, start, end, ops): 0, or 1 when a callback stopped the walk. */
export function walk_page_range(k: Kernel, mm: MmStruct, start: number, end: number, ops: MmWalkOps): number {
  const a = k.arch;
  const hole = (s: number, e: number, depth: number) => (ops.pte_hole ? ops.pte_hole(s, e, depth) === true : false);
  const pte_range = (vma: Vma, pmd: number, addr: number, next: number): boolean => {
    if (!ops.pte_entry) return false;
    const table = a.pxd_table_pfn(pmd);
    for (let x = addr; x < next; x += 4096) if (ops.pte_entry(k.pt.get(k.pt.entry(table, pte_index(x))), x, x + 4096, vma) === true) return true;
    return false;
  };
  const pmd_range = (vma: Vma, pudp: number, addr: number, end: number): boolean => {
    for (; addr < end; ) {
      const next = addr_end(addr, end, k.PMD_SIZE);
      const pmd = k.pt.get(pmd_offset(k, pudp, addr));
      if (a.pxd_none(pmd)) {
        if (hole(addr, next, 3)) return true;
      } else if (a.pmd_trans_huge(pmd)) {
        if (ops.pmd_entry && ops.pmd_entry(pmd, addr, next, vma) === true) return true;
      } else if (pte_range(vma, pmd, addr, next)) return true;
      addr = next;
    }
    return false;
  };
  const pud_range = (vma: Vma, p4dp: number, addr: number, end: number): boolean => {
    for (; addr < end; ) {
      const next = addr_end(addr, end, k.PUD_SIZE);
      const pudp = pud_offset(k, p4dp, addr);
      if (a.pxd_none(k.pt.get(pudp))) {
        if (hole(addr, next, 2)) return true;
      } else if (pmd_range(vma, pudp, addr, next)) return true;
      addr = next;
    }
    return false;
  };
  const pgd_range = (vma: Vma, addr: number, end: number): boolean => {
    for (; addr < end; ) {
      const next = addr_end(addr, end, k.PGDIR_SIZE);
      const pgdp = pgd_offset(k, mm, addr);
      if (!a.p4d_folded && a.pxd_none(k.pt.get(pgdp))) {
        if (hole(addr, next, 0)) return true;
      } else {
        // walk_p4d_range(): one level more on 5-level paging.
        for (let x = addr; x < next; ) {
          const n = a.p4d_folded ? next : addr_end(x, next, k.P4D_SIZE);
          const p4dp = p4d_offset(k, pgdp, x);
          if (a.pxd_none(k.pt.get(p4dp))) {
            if (hole(x, n, 1)) return true;
          } else if (pud_range(vma, p4dp, x, n)) return true;
          x = n;
        }
      }
      addr = next;
    }
    return false;
  };
  let at = start;
  for (const vma of mm.mm_mt.range(start, end)) {
    const s = Math.max(start, vma.vm_start);
    const e = Math.min(end, vma.vm_end);
    if (s > at && hole(at, s, -1)) return 1;
    if (pgd_range(vma, s, e)) return 1;
    at = e;
  }
  if (at < end && hole(at, end, -1)) return 1;
  return 0;
}

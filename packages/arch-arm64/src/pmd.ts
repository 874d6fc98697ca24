/**
 * Upper-level entries (pmd/pud/p4d/pgd) on the packed form
 * (arch/arm64/include/asm/pgtable.h, pgalloc.h).
 *
 * A table descriptor has bits[1:0] = 0b11 (PMD_TYPE_TABLE), a block (huge)
 * descriptor 0b01 (PMD_TYPE_SECT): pmd_table() tells them apart. A huge PMD is
 * a PTE with PMD_TABLE_BIT clear, so the pmd_* modifiers are the pte_* ones
 * (pmd_pte()/pte_pmd() are identities). The contract's pxd_* helpers are
 * level-agnostic: the model makes no PUD blocks, and p4d/pgd entries are always
 * present tables, for which pud_present()/p4d_present() and pud_bad()/p4d_bad()
 * agree with the PMD forms.
 */
import { PFN_BITS, PMD_TABLE_BIT, PMD_TYPE_MASK, PMD_TYPE_TABLE, _PAGE_USER_TABLE } from "./pgtable_hwdef.js";
import { pte_dirty, pte_mkclean, pte_mkdirty, pte_mkold, pte_mkwrite, pte_mkyoung, pte_modify, pte_present, pte_write, pte_wrprotect, pte_young, pfn_pte } from "./pte.js";
import type { pgprot_t, pmd_t } from "@mmsim/spec";

const PFN_SPAN = 2 ** PFN_BITS;
/** PMD_MASK in PFN units: a block's output address is 2 MiB aligned. */
const PMD_PFNS = 512;

/** pmd_populate()/pud_populate()/p4d_populate()/pgd_populate() for a user mm: PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_PXN | phys. */
export function mk_table_entry(pfn: number): number {
  return pfn * 4096 + _PAGE_USER_TABLE;
}

/** pmd_none(): !pmd_val(pmd). */
export function pxd_none(v: number): boolean {
  return v === 0;
}

/** pmd_present(): pte_present(pmd_pte(pmd)) — valid, or PTE_PRESENT_INVALID (pmdp_invalidate()d THP). */
export const pxd_present = pte_present;

/** pmd_table(): (pmd_val(pmd) & PMD_TYPE_MASK) == PMD_TYPE_TABLE. */
export function pmd_table(pmd: pmd_t): boolean {
  return ((pmd >>> 0) & PMD_TYPE_MASK) === PMD_TYPE_TABLE;
}

/** pmd_bad(): !pmd_table(pmd) (a block or an invalid entry is "bad" to a table walker). */
export function pxd_bad(v: number): boolean {
  return !pmd_table(v);
}

/** Output-address bits 12–43 as a PFN. */
function addr_pfn(v: number): number {
  const f = Math.floor(v / 4096);
  return f - Math.floor(f / PFN_SPAN) * PFN_SPAN;
}

/**
 * pmd_pfn() for a block — (__pmd_to_phys(pmd) & PMD_MASK) >> PAGE_SHIFT — and
 * pmd_page_vaddr()'s PFN for a table descriptor (no PMD_MASK: a table is only
 * 4 KiB aligned).
 */
export function pxd_pfn(v: number): number {
  const f = addr_pfn(v);
  return pmd_table(v) ? f : Math.floor(f / PMD_PFNS) * PMD_PFNS;
}

/** The PFN of the table a present table descriptor points at (pmd_page_vaddr / pud_pgtable). */
export function pxd_table_pfn(v: number): number {
  return addr_pfn(v);
}

/** Kernel names for the PMD level. */
export const pmd_none = pxd_none;
export const pmd_present = pxd_present;
export const pmd_bad = pxd_bad;
export const pmd_pfn = pxd_pfn;

/** pmd_leaf(): pmd_present(pmd) && !pmd_table(pmd). */
export function pmd_leaf(pmd: pmd_t): boolean {
  return pmd_present(pmd) && !pmd_table(pmd);
}

/** pmd_trans_huge(): pmd_val(pmd) && pmd_present(pmd) && !pmd_table(pmd). */
export function pmd_trans_huge(pmd: pmd_t): boolean {
  return pmd !== 0 && pmd_leaf(pmd);
}

/** pmd_mkhuge(pfn_pmd(pfn, prot)): clear PMD_TABLE_BIT, so a page descriptor's 0b11 becomes a block's 0b01. */
export function pmd_mkhuge(pfn: number, prot: pgprot_t): pmd_t {
  const v = pfn_pte(pfn, prot);
  return v - ((v >>> 0) & PMD_TABLE_BIT);
}

/** pmd_mkinvalid(): clear PTE_VALID, set PTE_PRESENT_INVALID (pmdp_invalidate()). */
export function pmd_mkinvalid(pmd: pmd_t): pmd_t {
  const lo = pmd >>> 0;
  return pmd - (lo & 1) + 0x800 - (lo & 0x800);
}

export const pmd_write: (pmd: pmd_t) => boolean = pte_write;
export const pmd_dirty: (pmd: pmd_t) => boolean = pte_dirty;
export const pmd_young: (pmd: pmd_t) => boolean = pte_young;
export const pmd_wrprotect: (pmd: pmd_t) => pmd_t = pte_wrprotect;
export const pmd_mkwrite: (pmd: pmd_t) => pmd_t = pte_mkwrite;
export const pmd_mkdirty: (pmd: pmd_t) => pmd_t = pte_mkdirty;
export const pmd_mkclean: (pmd: pmd_t) => pmd_t = pte_mkclean;
export const pmd_mkyoung: (pmd: pmd_t) => pmd_t = pte_mkyoung;
export const pmd_mkold: (pmd: pmd_t) => pmd_t = pte_mkold;
/** pmd_modify(): pte_pmd(pte_modify(pmd_pte(pmd), newprot)). */
export const pmd_modify: (pmd: pmd_t, newprot: pgprot_t) => pmd_t = pte_modify;

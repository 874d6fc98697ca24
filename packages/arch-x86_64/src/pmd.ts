/**
 * Upper-level entries (pmd/pud/p4d/pgd) on the packed form
 * (arch/x86/include/asm/pgtable.h, pgalloc.h).
 *
 * The contract's pxd_* helpers are level-agnostic: on x86 every level uses the
 * same none test, and table entries are _PAGE_TABLE | phys at every level.
 * pxd_present() and pxd_pfn() follow pmd_present()/pmd_pfn(); the model makes no
 * PUD leaves, and p4d/pgd entries are always present tables, for which those
 * agree with pud_present()/p4d_present() (P only) and pud_pfn()/p4d_pfn().
 */
import {
  _KERNPG_TABLE,
  _PAGE_ACCESSED,
  _PAGE_CHG_MASK_LOW,
  _PAGE_DIRTY,
  _PAGE_KNL_ERRATUM_MASK,
  _PAGE_NEWPROT_MASK_LOW,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_SOFT_DIRTY,
  _PAGE_TABLE,
  _PAGE_USER,
} from "./pgtable_types.js";
import type { pgprot_t, pmd_t } from "@mmsim/spec";

const NX = _PAGE_NX;
const PFN_SPAN = 2 ** 40;
const PFN_MAX = PFN_SPAN - 1;
/** PHYSICAL_PMD_PAGE_MASK in PFN units: a 2 MiB leaf's PFN is a multiple of 512. */
const PMD_PFNS = 512;
const TWO21 = 2 ** 21;
/** 2^31 - 1: the all-ones value of bits 21–51 shifted down by 21. */
const PMD_FRAME_MAX = 2 ** 31 - 1;

/** pmd_populate()/pud_populate()/p4d_populate()/pgd_populate(): _PAGE_TABLE | __pa(table). */
export function mk_table_entry(pfn: number): number {
  return pfn * 4096 + _PAGE_TABLE;
}

/** pmd_none()/pud_none()/p4d_none(): ignore A and D (KNL erratum). */
export function pxd_none(v: number): boolean {
  return v - ((v >>> 0) & _PAGE_KNL_ERRATUM_MASK) === 0;
}

/**
 * pmd_present(): P, PROTNONE or PSE — split_huge_page / pmdp_invalidate()
 * temporarily clear P on a huge PMD but PSE stays set.
 */
export function pxd_present(v: number): boolean {
  return ((v >>> 0) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)) !== 0;
}

/**
 * pmd_bad(): `(pmd_flags(pmd) & ~_PAGE_USER) != _KERNPG_TABLE`. pmd_flags() is
 * every bit outside the PFN mask, so NX (or PSE: a huge entry) makes it bad.
 */
export function pxd_bad(v: number): boolean {
  return ((v >>> 0) & (0xfff & ~_PAGE_USER)) !== _KERNPG_TABLE || v >= NX;
}

/**
 * pmd_pfn(): (val ^ protnone_mask(val)) & pmd_pfn_mask(pmd) >> PAGE_SHIFT, where
 * the mask is PHYSICAL_PMD_PAGE_MASK (bits 21–51) for a PSE leaf and
 * PTE_PFN_MASK (bits 12–51) otherwise.
 */
export function pxd_pfn(v: number): number {
  const lo = v >>> 0;
  let f = Math.floor(v / 4096) - (v >= NX ? PFN_SPAN : 0);
  if (v !== 0 && (lo & _PAGE_PRESENT) === 0) f = PFN_MAX - f;
  if ((lo & _PAGE_PSE) !== 0) f = Math.floor(f / PMD_PFNS) * PMD_PFNS;
  return f;
}

/**
 * The PFN of the table a present, non-leaf entry points at: such entries are
 * _PAGE_TABLE | pfn << 12 (no NX, no PSE, never PROT_NONE), so this is a shift.
 */
export function pxd_table_pfn(v: number): number {
  return Math.floor(v / 4096);
}

/** Kernel names for the PMD level. */
export const pmd_none = pxd_none;
export const pmd_present = pxd_present;
export const pmd_bad = pxd_bad;
export const pmd_pfn = pxd_pfn;

/** pmd_leaf(): PSE. */
export function pmd_leaf(pmd: pmd_t): boolean {
  return ((pmd >>> 0) & _PAGE_PSE) !== 0;
}

/** pmd_trans_huge(): PSE (_PAGE_DEVMAP is gone since Linux 6.16, and never modelled). */
export function pmd_trans_huge(pmd: pmd_t): boolean {
  return ((pmd >>> 0) & _PAGE_PSE) !== 0;
}

/**
 * pmd_mkhuge(pfn_pmd(pfn, prot)), i.e. mk_huge_pmd(): pfn_pmd() inverts the
 * frame for a PROT_NONE prot and masks it to PHYSICAL_PMD_PAGE_MASK (so PFN bits
 * 0–8 are dropped), then pmd_mkhuge() sets _PAGE_PSE.
 */
export function pmd_mkhuge(pfn: number, prot: pgprot_t): pmd_t {
  const plo = prot >>> 0;
  let f = pfn - Math.floor(pfn / PFN_SPAN) * PFN_SPAN;
  if (prot !== 0 && (plo & _PAGE_PRESENT) === 0) f = PFN_MAX - f;
  f = Math.floor(f / PMD_PFNS) * PMD_PFNS;
  return f * 4096 + ((plo & 0xfff) | _PAGE_PSE) + (prot >= NX ? NX : 0);
}

/**
 * pmd_mkinvalid(): clear _PAGE_PRESENT and _PAGE_PROTNONE; PSE stays, so
 * pmd_present() and pmd_trans_huge() still hold. flip_protnone_guard() then
 * inverts the frame bits (PHYSICAL_PMD_PAGE_MASK) when the entry goes from
 * present to not (L1TF), as pfn_pmd() does for PROT_NONE: pmd_pfn() reads the
 * same frame.
 */
export function pmd_mkinvalid(pmd: pmd_t): pmd_t {
  const lo = pmd >>> 0;
  const nx = pmd >= NX ? NX : 0;
  let f = Math.floor((pmd - nx) / 4096);
  const was_inverted = pmd !== 0 && (lo & _PAGE_PRESENT) === 0;
  const low = (lo & 0xfff) - (lo & (_PAGE_PRESENT | _PAGE_PROTNONE));
  const inverted = low !== 0 || f !== 0 || nx !== 0;
  if (was_inverted !== inverted) f = Math.floor((PFN_MAX - f) / PMD_PFNS) * PMD_PFNS + (f % PMD_PFNS);
  return f * 4096 + low + nx;
}

export function pmd_write(pmd: pmd_t): boolean {
  return ((pmd >>> 0) & _PAGE_RW) !== 0;
}
export function pmd_dirty(pmd: pmd_t): boolean {
  return ((pmd >>> 0) & _PAGE_DIRTY) !== 0;
}
export function pmd_young(pmd: pmd_t): boolean {
  return ((pmd >>> 0) & _PAGE_ACCESSED) !== 0;
}
export function pmd_wrprotect(pmd: pmd_t): pmd_t {
  return pmd - ((pmd >>> 0) & _PAGE_RW);
}
export function pmd_mkwrite(pmd: pmd_t): pmd_t {
  return pmd + _PAGE_RW - ((pmd >>> 0) & _PAGE_RW);
}
/** pmd_mkdirty(): _PAGE_DIRTY | _PAGE_SOFT_DIRTY. */
export function pmd_mkdirty(pmd: pmd_t): pmd_t {
  const m = _PAGE_DIRTY | _PAGE_SOFT_DIRTY;
  return pmd + m - ((pmd >>> 0) & m);
}
export function pmd_mkclean(pmd: pmd_t): pmd_t {
  return pmd - ((pmd >>> 0) & _PAGE_DIRTY);
}
export function pmd_mkyoung(pmd: pmd_t): pmd_t {
  return pmd + _PAGE_ACCESSED - ((pmd >>> 0) & _PAGE_ACCESSED);
}
export function pmd_mkold(pmd: pmd_t): pmd_t {
  return pmd - ((pmd >>> 0) & _PAGE_ACCESSED);
}

/**
 * pmd_modify(pmd, newprot): keep _HPAGE_CHG_MASK (PFN, PAT_LARGE, PSE, PCD, PWT,
 * SPECIAL, A, D, SOFT_DIRTY, UFFD_WP), take the rest from newprot, then
 * flip_protnone_guard(oldval, val, PHYSICAL_PMD_PAGE_MASK): only bits 21–51 are
 * inverted on a PROT_NONE transition.
 */
export function pmd_modify(pmd: pmd_t, newprot: pgprot_t): pmd_t {
  const lo = pmd >>> 0;
  const add = ((newprot >>> 0) & _PAGE_NEWPROT_MASK_LOW) + (newprot >= NX ? NX : 0);
  const keep = lo & _PAGE_CHG_MASK_LOW;
  let pfnbits = pmd - (pmd >= NX ? NX : 0) - (lo & 0xfff);
  const val = pfnbits + keep + add;
  const old_inv = pmd !== 0 && (lo & _PAGE_PRESENT) === 0;
  const new_inv = val !== 0 && (add & _PAGE_PRESENT) === 0;
  if (old_inv !== new_inv) {
    const frame = Math.floor(pfnbits / TWO21);
    pfnbits = (PMD_FRAME_MAX - frame) * TWO21 + (pfnbits - frame * TWO21);
  }
  return pfnbits + keep + add;
}

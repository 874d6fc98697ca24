/**
 * PTE accessors and modifiers (arch/x86/include/asm/pgtable.h,
 * arch/x86/include/asm/pgtable-invert.h, arch/x86/mm/pgprot.c) on the packed form.
 *
 * The packed form is a JS number below 2^53: flags at bits 0–11, PFN at 12–51,
 * NX at bit 52 (hardware bit 63). Bitwise operators only ever see the low word
 * (`v >>> 0`, exact ToUint32 of an integer); bits above 31 are handled with
 * + / - / Math.floor(v / 2^k). No allocation and no BigInt except in
 * pte_val()/__pte().
 *
 * L1TF: like Linux, a non-present non-zero entry built from a pgprot (PROT_NONE)
 * stores its PFN inverted (protnone_mask/flip_protnone_guard); pte_pfn() undoes it.
 *
 * Model differences: no shadow stacks, so pte_wrprotect()/pte_mkdirty()/
 * pte_modify() never move Dirty to _PAGE_SAVED_DIRTY and pte_write() has no
 * shadow-stack case; pgprot_t values carry flags only (bits 0–11 and NX), PFN
 * bits in a pgprot are ignored rather than OR-ed in.
 */
import {
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
  _PAGE_SPECIAL,
  HW,
  PAGE_COPY,
  PAGE_COPY_EXEC,
  PAGE_NONE,
  PAGE_READONLY,
  PAGE_READONLY_EXEC,
  PAGE_SHARED,
  PAGE_SHARED_EXEC,
  PTE_PFN_MASK,
} from "./pgtable_types.js";
import { hw_to_swp_pte, swp_pte_to_hw } from "./swap.js";
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE, type pgprot_t, type pte_t } from "@mmsim/spec";

/** 2^40: number of PFNs PTE_PFN_MASK can hold. */
const PFN_SPAN = 2 ** 40;
const PFN_MAX = PFN_SPAN - 1;
const NX = _PAGE_NX;

/* vm_flags bits (include/linux/mm.h), declared once in @mmsim/spec */
export { VM_NONE, VM_READ, VM_WRITE, VM_EXEC, VM_SHARED } from "@mmsim/spec";

/** pte_none(): x86 ignores A and D (KNL erratum: hardware may set them on non-present entries). */
export function pte_none(pte: pte_t): boolean {
  return pte - ((pte >>> 0) & _PAGE_KNL_ERRATUM_MASK) === 0;
}

/** pte_present(): P, or PROTNONE (a PROT_NONE / NUMA-hinting entry). */
export function pte_present(pte: pte_t): boolean {
  return ((pte >>> 0) & (_PAGE_PRESENT | _PAGE_PROTNONE)) !== 0;
}

/** pte_protnone(): PROTNONE without P (CONFIG_NUMA_BALANCING). */
export function pte_protnone(pte: pte_t): boolean {
  return ((pte >>> 0) & (_PAGE_PRESENT | _PAGE_PROTNONE)) === _PAGE_PROTNONE;
}

/** pte_pfn(): PTE_PFN_MASK >> PAGE_SHIFT, un-inverting a PROT_NONE entry's PFN. */
export function pte_pfn(pte: pte_t): number {
  const f = Math.floor(pte / 4096) - (pte >= NX ? PFN_SPAN : 0);
  /* protnone_mask(): __pte_needs_invert(val) = val && !(val & _PAGE_PRESENT) */
  return pte !== 0 && ((pte >>> 0) & _PAGE_PRESENT) === 0 ? PFN_MAX - f : f;
}

export function pte_write(pte: pte_t): boolean {
  return ((pte >>> 0) & _PAGE_RW) !== 0;
}
export function pte_dirty(pte: pte_t): boolean {
  return ((pte >>> 0) & _PAGE_DIRTY) !== 0;
}
export function pte_young(pte: pte_t): boolean {
  return ((pte >>> 0) & _PAGE_ACCESSED) !== 0;
}
export function pte_special(pte: pte_t): boolean {
  return ((pte >>> 0) & _PAGE_SPECIAL) !== 0;
}
export function pte_soft_dirty(pte: pte_t): boolean {
  return ((pte >>> 0) & _PAGE_SOFT_DIRTY) !== 0;
}
/** pte_exec(): !(flags & _PAGE_NX). */
export function pte_exec(pte: pte_t): boolean {
  return pte < NX;
}

/* pte_set_flags()/pte_clear_flags() for flags in bits 0–11: add the missing bits / subtract the present ones. */

export function pte_mkwrite(pte: pte_t): pte_t {
  return pte + _PAGE_RW - ((pte >>> 0) & _PAGE_RW);
}
export function pte_wrprotect(pte: pte_t): pte_t {
  return pte - ((pte >>> 0) & _PAGE_RW);
}
/** pte_mkdirty(): sets _PAGE_DIRTY | _PAGE_SOFT_DIRTY (CONFIG_MEM_SOFT_DIRTY=y). */
export function pte_mkdirty(pte: pte_t): pte_t {
  const m = _PAGE_DIRTY | _PAGE_SOFT_DIRTY;
  return pte + m - ((pte >>> 0) & m);
}
/** pte_mkclean(): clears _PAGE_DIRTY_BITS only; soft-dirty stays. */
export function pte_mkclean(pte: pte_t): pte_t {
  return pte - ((pte >>> 0) & _PAGE_DIRTY);
}
export function pte_mkyoung(pte: pte_t): pte_t {
  return pte + _PAGE_ACCESSED - ((pte >>> 0) & _PAGE_ACCESSED);
}
export function pte_mkold(pte: pte_t): pte_t {
  return pte - ((pte >>> 0) & _PAGE_ACCESSED);
}
export function pte_mkspecial(pte: pte_t): pte_t {
  return pte + _PAGE_SPECIAL - ((pte >>> 0) & _PAGE_SPECIAL);
}
export function pte_mksoft_dirty(pte: pte_t): pte_t {
  return pte + _PAGE_SOFT_DIRTY - ((pte >>> 0) & _PAGE_SOFT_DIRTY);
}
export function pte_clear_soft_dirty(pte: pte_t): pte_t {
  return pte - ((pte >>> 0) & _PAGE_SOFT_DIRTY);
}

/**
 * pte_modify(pte, newprot): keep _PAGE_CHG_MASK (PFN, PCD, PWT, PAT, SPECIAL, A, D,
 * SOFT_DIRTY, UFFD_WP), take P, RW, USER, GLOBAL/PROTNONE and NX from newprot,
 * then flip_protnone_guard(): invert the PFN if the entry moved into or out of
 * the PROT_NONE (needs-invert) state.
 */
export function pte_modify(pte: pte_t, newprot: pgprot_t): pte_t {
  const lo = pte >>> 0;
  const add = ((newprot >>> 0) & _PAGE_NEWPROT_MASK_LOW) + (newprot >= NX ? NX : 0);
  const keep = lo & _PAGE_CHG_MASK_LOW;
  let pfnbits = pte - (pte >= NX ? NX : 0) - (lo & 0xfff);
  const val = pfnbits + keep + add;
  const old_inv = pte !== 0 && (lo & _PAGE_PRESENT) === 0;
  const new_inv = val !== 0 && (add & _PAGE_PRESENT) === 0;
  if (old_inv !== new_inv) pfnbits = PTE_PFN_MASK - pfnbits;
  return pfnbits + keep + add;
}

/**
 * pfn_pte(pfn, prot): (pfn << PAGE_SHIFT) ^ protnone_mask(prot), masked to
 * PTE_PFN_MASK, | prot. PFNs are taken modulo 2^40 like the kernel's mask.
 */
export function pfn_pte(pfn: number, prot: pgprot_t): pte_t {
  const plo = prot >>> 0;
  let f = pfn - Math.floor(pfn / PFN_SPAN) * PFN_SPAN;
  if (prot !== 0 && (plo & _PAGE_PRESENT) === 0) f = PFN_MAX - f;
  return f * 4096 + (plo & 0xfff) + (prot >= NX ? NX : 0);
}

/** protection_map[16] from arch/x86/mm/pgprot.c, indexed by vm_flags & (VM_READ|VM_WRITE|VM_EXEC|VM_SHARED). */
export const protection_map: readonly pgprot_t[] = Object.freeze([
  /* [VM_NONE]                                  */ PAGE_NONE,
  /* [VM_READ]                                  */ PAGE_READONLY,
  /* [VM_WRITE]                                 */ PAGE_COPY,
  /* [VM_WRITE | VM_READ]                       */ PAGE_COPY,
  /* [VM_EXEC]                                  */ PAGE_READONLY_EXEC,
  /* [VM_EXEC | VM_READ]                        */ PAGE_READONLY_EXEC,
  /* [VM_EXEC | VM_WRITE]                       */ PAGE_COPY_EXEC,
  /* [VM_EXEC | VM_WRITE | VM_READ]             */ PAGE_COPY_EXEC,
  /* [VM_SHARED]                                */ PAGE_NONE,
  /* [VM_SHARED | VM_READ]                      */ PAGE_READONLY,
  /* [VM_SHARED | VM_WRITE]                     */ PAGE_SHARED,
  /* [VM_SHARED | VM_WRITE | VM_READ]           */ PAGE_SHARED,
  /* [VM_SHARED | VM_EXEC]                      */ PAGE_READONLY_EXEC,
  /* [VM_SHARED | VM_EXEC | VM_READ]            */ PAGE_READONLY_EXEC,
  /* [VM_SHARED | VM_EXEC | VM_WRITE]           */ PAGE_SHARED_EXEC,
  /* [VM_SHARED | VM_EXEC | VM_WRITE | VM_READ] */ PAGE_SHARED_EXEC,
]);

/** vm_get_page_prot(vm_flags): no protection keys and no SME in the model. */
export function vm_get_page_prot(vm_flags: number): pgprot_t {
  return protection_map[(vm_flags >>> 0) & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

const TWO52 = 2 ** 52;
const NX_HW = HW._PAGE_NX;
const LOW52_HW = (1n << 52n) - 1n;

function check_packed(pte: number): void {
  if (!Number.isInteger(pte) || pte < 0 || pte >= 2 * TWO52) {
    throw new RangeError(`not a packed x86_64 entry: ${pte}`);
  }
}

/**
 * Swap format: neither P, PROTNONE nor PSE, and not none. (Bit 7 is 0 in every
 * x86 swap entry, "because pmd_present checks not only P, but also L and G", so
 * an invalidated THP PMD — PSE without P — stays in the normal format.)
 */
function swap_format_packed(v: number): boolean {
  return ((v >>> 0) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)) === 0 && !pte_none(v);
}

/**
 * pte_val(): the exact 64-bit hardware value. NX goes back to bit 63; a swap
 * entry is re-laid-out as TYPE(59–63) | ~OFFSET(9–58) | low bits (see swap.ts).
 */
export function pte_val(pte: pte_t): bigint {
  check_packed(pte);
  if (swap_format_packed(pte)) return swp_pte_to_hw(pte);
  return pte >= TWO52 ? BigInt(pte - TWO52) | NX_HW : BigInt(pte);
}

/**
 * __pte(val): packed form of a 64-bit hardware value. Throws RangeError for
 * values outside [0, 2^64), and for bits the packed form cannot hold: 52–62 of
 * a normal-format entry (hardware bit 52 would collide with packed NX; 57–62 are
 * SOFTW4/5 and PKEY), or a swap offset ≥ 2^38 - 1 (see swap.ts).
 */
export function __pte(val: bigint): pte_t {
  if (typeof val !== "bigint" || val < 0n || val >> 64n !== 0n) {
    throw new RangeError(`not a 64-bit pte value: ${String(val)}`);
  }
  const present_or_leaf = (val & (HW._PAGE_PRESENT | HW._PAGE_PROTNONE | HW._PAGE_PSE)) !== 0n;
  const none = (val & ~HW._PAGE_KNL_ERRATUM_MASK) === 0n;
  if (!present_or_leaf && !none) return hw_to_swp_pte(val);
  if ((val & HW.UNPACKABLE_MASK) !== 0n) {
    throw new RangeError(`pte 0x${val.toString(16)} has bits 52-62 set; the packed form cannot hold them`);
  }
  return Number(val & LOW52_HW) + ((val & NX_HW) !== 0n ? TWO52 : 0);
}

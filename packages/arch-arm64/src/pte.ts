/**
 * PTE accessors and modifiers (arch/arm64/include/asm/pgtable.h,
 * arch/arm64/mm/mmap.c) on the packed form (see pgtable_hwdef.ts).
 *
 * An entry splits into three fields: `lo` (hardware bits 0–11), the PFN
 * (bits 12–43) and `hi` (packed bits 44–52, the upper attributes and software
 * bits). Bitwise operators only see `lo` and `hi`, both small integers.
 *
 * Dirty tracking as arm64 does it: PTE_WRITE is the DBM bit; a writable entry is
 * hardware-dirty when PTE_RDONLY is clear, and software-dirty with PTE_DIRTY.
 * pte_wrprotect()/pte_modify() move hardware dirtiness into PTE_DIRTY first.
 *
 * Model differences: no PIE/POE/BTI/MTE (vm_get_page_prot() adds no PTE_GP and
 * no tagged AttrIndx), no Enhanced PAN (VM_EXEC-only maps stay
 * PAGE_READONLY_EXEC, as Linux does without ARM64_HAS_EPAN).
 */
import {
  PACKED_HI_SHIFT,
  PAGE_NONE,
  PAGE_READONLY,
  PAGE_READONLY_EXEC,
  PAGE_SHARED,
  PAGE_SHARED_EXEC,
  PFN_BITS,
  PTE_AF,
  PTE_ATTRINDX_MASK,
  PTE_DIRTY,
  PTE_GP,
  PTE_PRESENT_INVALID,
  PTE_PXN,
  PTE_RDONLY,
  PTE_SPECIAL,
  PTE_USER,
  PTE_UXN,
  PTE_VALID,
  PTE_WRITE,
} from "./pgtable_hwdef.js";
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE, type pgprot_t, type pte_t } from "@mmsim/spec";

const HI = 2 ** PACKED_HI_SHIFT;
const PFN_SPAN = 2 ** PFN_BITS;
/* the high software/attribute bits as small integers (bits of `hi`) */
const H_WRITE = PTE_WRITE / HI;
const H_DIRTY = PTE_DIRTY / HI;
const H_SPECIAL = PTE_SPECIAL / HI;
const H_PXN = PTE_PXN / HI;
const H_UXN = PTE_UXN / HI;
const H_GP = PTE_GP / HI;

/** Packed bits 44–52 as a 9-bit integer. */
export function pte_hi(v: number): number {
  return Math.floor(v / HI);
}
/** Output-address bits 12–43 as a PFN. */
function pfn_of(v: number): number {
  const f = Math.floor(v / 4096);
  return f - Math.floor(f / PFN_SPAN) * PFN_SPAN;
}
function join(lo: number, pfn: number, hi: number): number {
  return hi * HI + pfn * 4096 + lo;
}
const set_hi = (v: number, hbit: number): number => ((pte_hi(v) & hbit) === 0 ? v + hbit * HI : v);
const clear_hi = (v: number, hbit: number): number => ((pte_hi(v) & hbit) !== 0 ? v - hbit * HI : v);
const set_lo = (v: number, m: number): number => v + m - ((v >>> 0) & m);
const clear_lo = (v: number, m: number): number => v - ((v >>> 0) & m);

/* vm_flags bits (include/linux/mm.h), declared once in @mmsim/spec */
export { VM_NONE, VM_READ, VM_WRITE, VM_EXEC, VM_SHARED } from "@mmsim/spec";

/** pte_none(): !pte_val(pte) (no erratum bits on arm64). */
export function pte_none(pte: pte_t): boolean {
  return pte === 0;
}
/** pte_valid(): PTE_VALID — the hardware may use (and cache) the entry. */
export function pte_valid(pte: pte_t): boolean {
  return ((pte >>> 0) & PTE_VALID) !== 0;
}
/** pte_present_invalid(): (val & (PTE_VALID | PTE_PRESENT_INVALID)) == PTE_PRESENT_INVALID. */
export function pte_present_invalid(pte: pte_t): boolean {
  return ((pte >>> 0) & (PTE_VALID | PTE_PRESENT_INVALID)) === PTE_PRESENT_INVALID;
}
/** pte_present(): pte_valid(pte) || pte_present_invalid(pte). */
export function pte_present(pte: pte_t): boolean {
  return pte_valid(pte) || pte_present_invalid(pte);
}
/** pte_pfn(): __pte_to_phys(pte) >> PAGE_SHIFT (PTE_ADDR_LOW). */
export function pte_pfn(pte: pte_t): number {
  return pfn_of(pte);
}
/** pte_write(): PTE_WRITE (the DBM bit). */
export function pte_write(pte: pte_t): boolean {
  return (pte_hi(pte) & H_WRITE) !== 0;
}
export function pte_rdonly(pte: pte_t): boolean {
  return ((pte >>> 0) & PTE_RDONLY) !== 0;
}
/** pte_hw_dirty(): pte_write(pte) && !pte_rdonly(pte). */
export function pte_hw_dirty(pte: pte_t): boolean {
  return pte_write(pte) && !pte_rdonly(pte);
}
/** pte_sw_dirty(): PTE_DIRTY. */
export function pte_sw_dirty(pte: pte_t): boolean {
  return (pte_hi(pte) & H_DIRTY) !== 0;
}
/** pte_dirty(): pte_sw_dirty(pte) || pte_hw_dirty(pte). */
export function pte_dirty(pte: pte_t): boolean {
  return pte_sw_dirty(pte) || pte_hw_dirty(pte);
}
/** pte_young(): PTE_AF. */
export function pte_young(pte: pte_t): boolean {
  return ((pte >>> 0) & PTE_AF) !== 0;
}
export function pte_special(pte: pte_t): boolean {
  return (pte_hi(pte) & H_SPECIAL) !== 0;
}
export function pte_user(pte: pte_t): boolean {
  return ((pte >>> 0) & PTE_USER) !== 0;
}
/** pte_user_exec(): !(pte_val(pte) & PTE_UXN). */
export function pte_user_exec(pte: pte_t): boolean {
  return (pte_hi(pte) & H_UXN) === 0;
}

/** pte_mkwrite_novma(): set PTE_WRITE; a software-dirty entry also loses PTE_RDONLY. */
export function pte_mkwrite(pte: pte_t): pte_t {
  const v = set_hi(pte, H_WRITE);
  return pte_sw_dirty(v) ? clear_lo(v, PTE_RDONLY) : v;
}
/** pte_wrprotect(): keep hardware dirtiness in PTE_DIRTY, clear PTE_WRITE, set PTE_RDONLY. */
export function pte_wrprotect(pte: pte_t): pte_t {
  let v = pte_hw_dirty(pte) ? set_hi(pte, H_DIRTY) : pte;
  v = clear_hi(v, H_WRITE);
  return set_lo(v, PTE_RDONLY);
}
/** pte_mkdirty(): set PTE_DIRTY; a writable entry also loses PTE_RDONLY (hardware-dirty). */
export function pte_mkdirty(pte: pte_t): pte_t {
  const v = set_hi(pte, H_DIRTY);
  return pte_write(v) ? clear_lo(v, PTE_RDONLY) : v;
}
/** pte_mkclean(): clear PTE_DIRTY, set PTE_RDONLY (a DBM write will make it dirty again). */
export function pte_mkclean(pte: pte_t): pte_t {
  return set_lo(clear_hi(pte, H_DIRTY), PTE_RDONLY);
}
export function pte_mkyoung(pte: pte_t): pte_t {
  return set_lo(pte, PTE_AF);
}
export function pte_mkold(pte: pte_t): pte_t {
  return clear_lo(pte, PTE_AF);
}
export function pte_mkspecial(pte: pte_t): pte_t {
  return set_hi(pte, H_SPECIAL);
}

/**
 * pte_modify(pte, newprot):
 *   mask = PTE_USER | PTE_PXN | PTE_UXN | PTE_RDONLY | PTE_PRESENT_INVALID |
 *          PTE_VALID | PTE_WRITE | PTE_GP | PTE_ATTRINDX_MASK | PTE_PO_IDX_MASK;
 *   if (pte_hw_dirty(pte)) pte = set PTE_DIRTY;      // preserve hardware dirtiness
 *   pte = (pte & ~mask) | (newprot & mask);
 *   if (pte_sw_dirty(pte)) pte = pte_mkdirty(pte);   // and restore it
 * (PTE_PO_IDX_MASK, bits 60–62, is not held by the packed form.)
 */
const MODIFY_LO = PTE_USER | PTE_RDONLY | PTE_PRESENT_INVALID | PTE_VALID | PTE_ATTRINDX_MASK;
const MODIFY_HI = H_PXN | H_UXN | H_WRITE | H_GP;
export function pte_modify(pte: pte_t, newprot: pgprot_t): pte_t {
  const v = pte_hw_dirty(pte) ? set_hi(pte, H_DIRTY) : pte;
  const lo = (((v >>> 0) & 0xfff) & ~MODIFY_LO) | ((newprot >>> 0) & MODIFY_LO);
  const hi = (pte_hi(v) & ~MODIFY_HI) | (pte_hi(newprot) & MODIFY_HI);
  const out = join(lo, pfn_of(v), hi);
  return (hi & H_DIRTY) !== 0 ? pte_mkdirty(out) : out;
}

/** pfn_pte(pfn, prot): __phys_to_pte_val(pfn << PAGE_SHIFT) | prot. PFNs are taken modulo 2^32 (the packed address field). */
export function pfn_pte(pfn: number, prot: pgprot_t): pte_t {
  const f = pfn - Math.floor(pfn / PFN_SPAN) * PFN_SPAN;
  return join((prot >>> 0) & 0xfff, f, pte_hi(prot));
}

/** protection_map[16] from arch/arm64/mm/mmap.c (without Enhanced PAN). */
export const protection_map: readonly pgprot_t[] = Object.freeze([
  /* [VM_NONE]                                  */ PAGE_NONE,
  /* [VM_READ]                                  */ PAGE_READONLY,
  /* [VM_WRITE]                                 */ PAGE_READONLY,
  /* [VM_WRITE | VM_READ]                       */ PAGE_READONLY,
  /* [VM_EXEC]                                  */ PAGE_READONLY_EXEC, /* PAGE_EXECONLY if Enhanced PAN */
  /* [VM_EXEC | VM_READ]                        */ PAGE_READONLY_EXEC,
  /* [VM_EXEC | VM_WRITE]                       */ PAGE_READONLY_EXEC,
  /* [VM_EXEC | VM_WRITE | VM_READ]             */ PAGE_READONLY_EXEC,
  /* [VM_SHARED]                                */ PAGE_NONE,
  /* [VM_SHARED | VM_READ]                      */ PAGE_READONLY,
  /* [VM_SHARED | VM_WRITE]                     */ PAGE_SHARED,
  /* [VM_SHARED | VM_WRITE | VM_READ]           */ PAGE_SHARED,
  /* [VM_SHARED | VM_EXEC]                      */ PAGE_READONLY_EXEC, /* PAGE_EXECONLY if Enhanced PAN */
  /* [VM_SHARED | VM_EXEC | VM_READ]            */ PAGE_READONLY_EXEC,
  /* [VM_SHARED | VM_EXEC | VM_WRITE]           */ PAGE_SHARED_EXEC,
  /* [VM_SHARED | VM_EXEC | VM_WRITE | VM_READ] */ PAGE_SHARED_EXEC,
]);

/** vm_get_page_prot(vm_flags): protection_map[] (no BTI/MTE/POE adjustments in the model). */
export function vm_get_page_prot(vm_flags: number): pgprot_t {
  return protection_map[(vm_flags >>> 0) & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

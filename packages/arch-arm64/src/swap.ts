/**
 * Swap entries in page-table entries (arch/arm64/include/asm/pgtable.h):
 *
 *   bits 0-1:   present (must be zero)
 *   bit  2:     remember PG_anon_exclusive (PTE_SWP_EXCLUSIVE)
 *   bit  3:     remember uffd-wp state (PTE_SWP_UFFD_WP)
 *   bits 6-10:  swap type
 *   bit  11:    PTE_PRESENT_INVALID (must be zero)
 *   bits 12-61: swap offset
 *
 * The packed form holds the same layout below bit 44, so a swap PTE packs to its
 * own hardware value. MODEL DIFFERENCE: offsets are held below 2^32 (bits
 * 12–43) instead of 2^50; __pte() throws RangeError for a larger one.
 */
import { PTE_SWP_EXCLUSIVE, PTE_SWP_UFFD_WP, PTE_VALID, PTE_PRESENT_INVALID } from "./pgtable_hwdef.js";
import type { pte_t } from "@mmsim/spec";

export const __SWP_TYPE_SHIFT = 6;
export const __SWP_TYPE_BITS = 5;
export const __SWP_TYPE_MASK = (1 << __SWP_TYPE_BITS) - 1;
export const __SWP_OFFSET_SHIFT = 12;
/** Hardware: 50 offset bits; the packed form: 32. */
export const __SWP_OFFSET_BITS = 50;
export const SWP_OFFSET_BITS_PACKED = 32;
/** Exclusive upper bound of a swap offset in the model. */
export const SWP_OFFSET_LIMIT = 2 ** SWP_OFFSET_BITS_PACKED;
export const SWP_TYPES = 1 << __SWP_TYPE_BITS;

/** __swp_entry_to_pte(__swp_entry(type, offset)). Throws RangeError outside the model's range. */
export function swp_entry_to_pte(type: number, offset: number): pte_t {
  if (!(type >= 0 && type < SWP_TYPES && offset >= 0 && offset < SWP_OFFSET_LIMIT) || !Number.isInteger(type) || !Number.isInteger(offset)) {
    throw new RangeError(`swap entry (type ${type}, offset ${offset}) outside the model's range (type < 32, offset < 2^32)`);
  }
  return offset * 4096 + type * 64;
}

/** __swp_type(): (val >> __SWP_TYPE_SHIFT) & __SWP_TYPE_MASK. */
export function pte_to_swp_type(pte: pte_t): number {
  return ((pte >>> 0) >>> __SWP_TYPE_SHIFT) & __SWP_TYPE_MASK;
}

/** __swp_offset(): bits 12–43 of the packed form. */
export function pte_to_swp_offset(pte: pte_t): number {
  const f = Math.floor(pte / 4096);
  return f - Math.floor(f / SWP_OFFSET_LIMIT) * SWP_OFFSET_LIMIT;
}

/** is_swap_pte(pte): !pte_none(pte) && !pte_present(pte). */
export function is_swap_pte(pte: pte_t): boolean {
  return pte !== 0 && ((pte >>> 0) & (PTE_VALID | PTE_PRESENT_INVALID)) === 0;
}

export function pte_swp_exclusive(pte: pte_t): boolean {
  return ((pte >>> 0) & PTE_SWP_EXCLUSIVE) !== 0;
}
export function pte_swp_mkexclusive(pte: pte_t): pte_t {
  return pte + PTE_SWP_EXCLUSIVE - ((pte >>> 0) & PTE_SWP_EXCLUSIVE);
}
export function pte_swp_clear_exclusive(pte: pte_t): pte_t {
  return pte - ((pte >>> 0) & PTE_SWP_EXCLUSIVE);
}
export function pte_swp_uffd_wp(pte: pte_t): boolean {
  return ((pte >>> 0) & PTE_SWP_UFFD_WP) !== 0;
}

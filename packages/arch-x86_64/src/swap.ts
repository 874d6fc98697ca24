/**
 * Swap entries in page-table entries (arch/x86/include/asm/pgtable_64.h):
 *
 *   |     ...            | 11| 10|  9|8|7|6|5| 4| 3|2| 1|0| <- bit number
 *   |     ...            |SW3|SW2|SW1|G|L|D|A|CD|WT|U| W|P| <- bit names
 *   | TYPE (59-63) | ~OFFSET (9-58)  |0|0|X|X| X| E|F|SD|0| <- swp entry
 *
 * G (8) is PROTNONE for non-present entries, so the offset starts at bit 9
 * (SWP_OFFSET_FIRST_BIT); A and D are avoided (KNL erratum); the offset is stored
 * inverted so that the high physical bits are set (L1TF). SD (bit 1) keeps
 * soft-dirty, F (bit 2) uffd-wp, E (bit 3) PG_anon_exclusive.
 *
 * MODEL DIFFERENCE — the packed form cannot hold bits 53–63, so a swap PTE is
 * packed as:
 *
 *   | 0 (52) | TYPE (47-51) | ~OFFSET (9-46) | 0|0|X|X|X|E|F|SD|0 |
 *
 * i.e. the type moves from 59–63 down to 47–51 and only 38 offset bits are kept
 * (offset < 2^38 - 1; the value 2^38 - 1 is excluded because with type 0 it
 * would pack to a pte_none() entry). pte_val()/__pte() convert to and from the
 * exact hardware layout (type at 59–63, ~offset over all of 9–58), so hardware
 * values are exactly Linux's for every offset the model can hold.
 */
import { _PAGE_KNL_ERRATUM_MASK, _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_SWP_EXCLUSIVE, _PAGE_SWP_SOFT_DIRTY, _PAGE_SWP_UFFD_WP } from "./pgtable_types.js";
import type { pte_t } from "@mmsim/spec";

export const SWP_TYPE_BITS = 5;
/** SWP_OFFSET_FIRST_BIT = _PAGE_BIT_PROTNONE + 1 */
export const SWP_OFFSET_FIRST_BIT = 9;
/** SWP_OFFSET_SHIFT = SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS (hardware encoding). */
export const SWP_OFFSET_SHIFT = SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS;
/** Number of swap types: 1 << SWP_TYPE_BITS. */
export const SWP_TYPES = 1 << SWP_TYPE_BITS;
/** Offset bits in the packed form (bits 9–46); hardware has 50 (9–58). */
export const SWP_OFFSET_BITS_PACKED = 38;
/** Exclusive upper bound of a swap offset in the model: 2^38 - 1. */
export const SWP_OFFSET_LIMIT = 2 ** SWP_OFFSET_BITS_PACKED - 1;
/** Bit where the type sits in the packed form. */
export const SWP_TYPE_FIRST_BIT_PACKED = 47;

const OFF_SPAN = 2 ** SWP_OFFSET_BITS_PACKED; /* 2^38 */
const OFF_MAX = OFF_SPAN - 1;
const TYPE_UNIT = 2 ** SWP_TYPE_FIRST_BIT_PACKED; /* 2^47 */

/** __swp_entry_to_pte(__swp_entry(type, offset)) in the packed form. Throws RangeError outside the model's range. */
export function swp_entry_to_pte(type: number, offset: number): pte_t {
  if (!(type >= 0 && type < SWP_TYPES && offset >= 0 && offset < SWP_OFFSET_LIMIT) || !Number.isInteger(type) || !Number.isInteger(offset)) {
    throw new RangeError(`swap entry (type ${type}, offset ${offset}) outside the model's range (type < 32, offset < 2^38 - 1)`);
  }
  return type * TYPE_UNIT + (OFF_MAX - offset) * 512;
}

/** __swp_type(__pte_to_swp_entry(pte)) */
export function pte_to_swp_type(pte: pte_t): number {
  return Math.floor(pte / TYPE_UNIT) & (SWP_TYPES - 1);
}

/** __swp_offset(__pte_to_swp_entry(pte)): un-invert bits 9–46. */
export function pte_to_swp_offset(pte: pte_t): number {
  const hi = Math.floor(pte / 512);
  return OFF_MAX - (hi - Math.floor(hi / OFF_SPAN) * OFF_SPAN);
}

/** is_swap_pte(pte): !pte_none(pte) && !pte_present(pte) (computed inline: no import cycle with pte.ts). */
export function is_swap_pte(pte: pte_t): boolean {
  const lo = pte >>> 0;
  return (lo & (_PAGE_PRESENT | _PAGE_PROTNONE)) === 0 && pte - (lo & _PAGE_KNL_ERRATUM_MASK) !== 0;
}

/* Software bits kept in a swap PTE (bits 1–3). */
export function pte_swp_exclusive(pte: pte_t): boolean {
  return ((pte >>> 0) & _PAGE_SWP_EXCLUSIVE) !== 0;
}
export function pte_swp_mkexclusive(pte: pte_t): pte_t {
  return pte + _PAGE_SWP_EXCLUSIVE - ((pte >>> 0) & _PAGE_SWP_EXCLUSIVE);
}
export function pte_swp_clear_exclusive(pte: pte_t): pte_t {
  return pte - ((pte >>> 0) & _PAGE_SWP_EXCLUSIVE);
}
export function pte_swp_soft_dirty(pte: pte_t): boolean {
  return ((pte >>> 0) & _PAGE_SWP_SOFT_DIRTY) !== 0;
}
export function pte_swp_mksoft_dirty(pte: pte_t): pte_t {
  return pte + _PAGE_SWP_SOFT_DIRTY - ((pte >>> 0) & _PAGE_SWP_SOFT_DIRTY);
}
export function pte_swp_clear_soft_dirty(pte: pte_t): pte_t {
  return pte - ((pte >>> 0) & _PAGE_SWP_SOFT_DIRTY);
}
export function pte_swp_uffd_wp(pte: pte_t): boolean {
  return ((pte >>> 0) & _PAGE_SWP_UFFD_WP) !== 0;
}
export function pte_swp_mkuffd_wp(pte: pte_t): pte_t {
  return pte + _PAGE_SWP_UFFD_WP - ((pte >>> 0) & _PAGE_SWP_UFFD_WP);
}
export function pte_swp_clear_uffd_wp(pte: pte_t): pte_t {
  return pte - ((pte >>> 0) & _PAGE_SWP_UFFD_WP);
}

/* ---- conversion to/from the hardware layout (used by pte_val/__pte) ---- */

/** ~offset bits 47–58 of the hardware value, all ones for every offset < 2^38. */
const HW_OFFSET_HIGH = ((1n << 12n) - 1n) << 38n;
const HW_OFFSET_MASK = (1n << 50n) - 1n;
const HW_TYPE_SHIFT = BigInt(64 - SWP_TYPE_BITS); /* 59 */

/** Packed swap PTE -> exact hardware value. */
export function swp_pte_to_hw(pte: pte_t): bigint {
  if (pte >= 2 ** 52) throw new RangeError(`packed swap pte ${pte} has bit 52 set`);
  const low9 = (pte >>> 0) & 0x1ff;
  const inv38 = BigInt(Math.floor(pte / 512) % OFF_SPAN);
  const type = BigInt(pte_to_swp_type(pte));
  return (type << HW_TYPE_SHIFT) | ((HW_OFFSET_HIGH | inv38) << 9n) | BigInt(low9);
}

/** Exact hardware swap value -> packed swap PTE. Throws RangeError for offsets ≥ 2^38 - 1. */
export function hw_to_swp_pte(val: bigint): pte_t {
  const type = Number(val >> HW_TYPE_SHIFT);
  const inv50 = (val >> 9n) & HW_OFFSET_MASK;
  const offset = HW_OFFSET_MASK - inv50; /* __swp_offset(): ~val << 5 >> 14 */
  if (offset >= BigInt(SWP_OFFSET_LIMIT)) {
    throw new RangeError(`swap offset 0x${offset.toString(16)} does not fit the packed form (< 2^38 - 1)`);
  }
  return type * TYPE_UNIT + Number(inv50 - HW_OFFSET_HIGH) * 512 + Number(val & 0x1ffn);
}

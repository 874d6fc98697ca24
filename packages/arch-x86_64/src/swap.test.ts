/* Swap-entry tests in the spirit of mm/debug_vm_pgtable.c (pte_swap_tests, swap_migration_tests). */
import { describe, expect, it } from "vitest";
import { PAGE_NONE, PAGE_SHARED } from "./pgtable_types.js";
import { __pte, pfn_pte, pte_none, pte_present, pte_val } from "./pte.js";
import {
  is_swap_pte,
  pte_swp_clear_exclusive,
  pte_swp_exclusive,
  pte_swp_mkexclusive,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  pte_to_swp_offset,
  pte_to_swp_type,
  SWP_OFFSET_LIMIT,
  swp_entry_to_pte,
} from "./swap.js";

const M64 = (1n << 64n) - 1n;
/** Linux's __swp_entry(type, offset) on 64-bit unsigned longs (pgtable_64.h). */
const linux_swp_entry = (type: number, offset: number): bigint =>
  ((((~BigInt(offset) & M64) << 14n) & M64) >> 5n) | (BigInt(type) << 59n);
/** Linux's __swp_type / __swp_offset. */
const linux_swp_type = (v: bigint): number => Number(v >> 59n);
const linux_swp_offset = (v: bigint): number => Number((((~v & M64) << 5n) & M64) >> 14n);

const TYPES = [0, 1, 7, 30, 31];
const OFFSETS = [0, 1, 0x1234, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 7, 0x3_1234_5678, SWP_OFFSET_LIMIT - 1];

describe("swap entries", () => {
  it("round-trip type and offset", () => {
    for (const t of TYPES) {
      for (const o of OFFSETS) {
        const pte = swp_entry_to_pte(t, o);
        expect([pte_to_swp_type(pte), pte_to_swp_offset(pte)]).toEqual([t, o]);
      }
    }
  });

  it("have the exact hardware layout: TYPE at 59-63, ~OFFSET at 9-58, bits 0-8 clear", () => {
    for (const t of TYPES) {
      for (const o of OFFSETS) {
        const hw = pte_val(swp_entry_to_pte(t, o));
        expect(hw).toBe(linux_swp_entry(t, o));
        expect(hw >> 59n).toBe(BigInt(t));
        expect((hw >> 9n) & ((1n << 50n) - 1n)).toBe(~BigInt(o) & ((1n << 50n) - 1n));
        expect(hw & 0x1ffn).toBe(0n);
        expect([linux_swp_type(hw), linux_swp_offset(hw)]).toEqual([t, o]);
        expect(__pte(hw)).toBe(swp_entry_to_pte(t, o));
      }
    }
    // A worked value: type 3, offset 0x10 -> ~0x10 in bits 9..58.
    expect(pte_val(swp_entry_to_pte(3, 0x10))).toBe(0x1fff_ffff_ffff_de00n);
  });

  it("decode hardware values built by Linux's macros", () => {
    const hw = linux_swp_entry(17, 0xdead_beef);
    const pte = __pte(hw);
    expect(pte_to_swp_type(pte)).toBe(17);
    expect(pte_to_swp_offset(pte)).toBe(0xdead_beef);
    expect(pte_val(pte)).toBe(hw);
  });

  it("are !pte_none && !pte_present", () => {
    for (const t of TYPES) {
      for (const o of OFFSETS) {
        const pte = swp_entry_to_pte(t, o);
        expect(pte_none(pte)).toBe(false);
        expect(pte_present(pte)).toBe(false);
        expect(is_swap_pte(pte)).toBe(true);
      }
    }
    expect(is_swap_pte(0)).toBe(false);
    expect(is_swap_pte(0x60)).toBe(false);
    expect(is_swap_pte(pfn_pte(5, PAGE_SHARED))).toBe(false);
    expect(is_swap_pte(pfn_pte(5, PAGE_NONE))).toBe(false);
  });

  it("keep E (bit 3), F (bit 2) and SD (bit 1) apart from type and offset", () => {
    const pte = swp_entry_to_pte(5, 0xabcdef);
    const x = pte_swp_mkexclusive(pte);
    expect(pte_swp_exclusive(x)).toBe(true);
    expect(pte_swp_exclusive(pte)).toBe(false);
    expect(pte_swp_clear_exclusive(x)).toBe(pte);
    expect(pte_val(x) - pte_val(pte)).toBe(1n << 3n);
    const s = pte_swp_mksoft_dirty(pte);
    expect(pte_swp_soft_dirty(s)).toBe(true);
    expect(pte_val(s) - pte_val(pte)).toBe(1n << 1n);
    const u = pte_swp_mkuffd_wp(pte);
    expect(pte_swp_uffd_wp(u)).toBe(true);
    expect(pte_val(u) - pte_val(pte)).toBe(1n << 2n);
    const all = pte_swp_mkuffd_wp(pte_swp_mksoft_dirty(x));
    expect([pte_to_swp_type(all), pte_to_swp_offset(all), is_swap_pte(all)]).toEqual([5, 0xabcdef, true]);
    expect(__pte(pte_val(all))).toBe(all);
  });

  it("reject what the packed form cannot hold", () => {
    expect(() => swp_entry_to_pte(32, 0)).toThrow(RangeError);
    expect(() => swp_entry_to_pte(-1, 0)).toThrow(RangeError);
    expect(() => swp_entry_to_pte(0, -1)).toThrow(RangeError);
    expect(() => swp_entry_to_pte(0, 1.5)).toThrow(RangeError);
    expect(() => swp_entry_to_pte(0, SWP_OFFSET_LIMIT)).toThrow(RangeError);
    expect(() => __pte(linux_swp_entry(0, 2 ** 38))).toThrow(RangeError);
    expect(() => __pte(linux_swp_entry(4, 2 ** 38 - 1))).toThrow(RangeError);
    expect(() => __pte(linux_swp_entry(4, 2 ** 45))).toThrow(RangeError);
  });
});

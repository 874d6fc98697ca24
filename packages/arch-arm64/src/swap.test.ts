/** Swap PTEs: type at bits 6-10, offset from bit 12, bits 0-1 and 11 clear. */
import { describe, expect, it } from "vitest";
import { __pte, pte_val } from "./hwval.js";
import { pte_none, pte_present } from "./pte.js";
import { SWP_OFFSET_LIMIT, is_swap_pte, pte_swp_clear_exclusive, pte_swp_exclusive, pte_swp_mkexclusive, pte_to_swp_offset, pte_to_swp_type, swp_entry_to_pte } from "./swap.js";

describe("swap entries", () => {
  it("have Linux's layout and round-trip", () => {
    const cases: [number, number][] = [[0, 1], [3, 0x12345], [31, SWP_OFFSET_LIMIT - 1], [1, 0]];
    for (const [type, off] of cases) {
      const p = swp_entry_to_pte(type, off);
      expect(pte_val(p)).toBe((BigInt(off) << 12n) | (BigInt(type) << 6n));
      expect([pte_to_swp_type(p), pte_to_swp_offset(p)]).toEqual([type, off]);
      expect(__pte(pte_val(p))).toBe(p);
      expect([pte_present(p), pte_none(p), is_swap_pte(p)]).toEqual([false, false, true]);
    }
  });
  it("keep PG_anon_exclusive in bit 2", () => {
    const p = pte_swp_mkexclusive(swp_entry_to_pte(2, 9));
    expect([pte_swp_exclusive(p), pte_to_swp_type(p), pte_to_swp_offset(p)]).toEqual([true, 2, 9]);
    expect(pte_swp_exclusive(pte_swp_clear_exclusive(p))).toBe(false);
  });
  it("refuse what the packed form cannot hold", () => {
    expect(() => swp_entry_to_pte(32, 1)).toThrow(RangeError);
    expect(() => swp_entry_to_pte(0, SWP_OFFSET_LIMIT)).toThrow(RangeError);
    expect(() => __pte(BigInt(SWP_OFFSET_LIMIT) << 12n)).toThrow(RangeError);
  });
});

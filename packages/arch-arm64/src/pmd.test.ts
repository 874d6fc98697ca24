/** Upper-level descriptors: table (0b11) vs block (0b01), PMD_TABLE_AF / PMD_TABLE_PXN, pmdp_invalidate()'s present-invalid block. */
import { describe, expect, it } from "vitest";
import { PAGE_NONE, PAGE_READONLY } from "./pgtable_hwdef.js";
import { pte_val } from "./hwval.js";
import { mk_table_entry, pmd_leaf, pmd_mkhuge, pmd_mkinvalid, pmd_table, pmd_trans_huge, pxd_bad, pxd_none, pxd_pfn, pxd_present, pxd_table_pfn } from "./pmd.js";
import { pte_present, pte_valid } from "./pte.js";

describe("table descriptors (pmd_populate)", () => {
  it("PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_PXN | phys", () => {
    const e = mk_table_entry(0xabcde);
    expect(pte_val(e)).toBe((0xabcden << 12n) | 0x403n | (1n << 59n));
    expect([pxd_none(e), pxd_present(e), pxd_bad(e), pmd_table(e), pmd_leaf(e), pmd_trans_huge(e)]).toEqual([false, true, false, true, false, false]);
    expect([pxd_pfn(e), pxd_table_pfn(e)]).toEqual([0xabcde, 0xabcde]); // a table is 4 KiB aligned: no PMD_MASK
  });
  it("none is 0", () => {
    expect([pxd_none(0), pxd_present(0), pxd_bad(0), pmd_trans_huge(0)]).toEqual([true, false, true, false]);
  });
});

describe("block descriptors (THP)", () => {
  it("pmd_mkhuge clears PMD_TABLE_BIT: bits[1:0] = 0b01, a leaf, bad to a table walker", () => {
    const h = pmd_mkhuge(512 * 3, PAGE_READONLY);
    expect(pte_val(h) & 3n).toBe(1n);
    expect([pmd_leaf(h), pmd_trans_huge(h), pxd_bad(h), pxd_pfn(h)]).toEqual([true, true, true, 1536]);
  });
  it("pmdp_invalidate()'s entry stays present (PTE_PRESENT_INVALID) and a leaf, but not valid", () => {
    const inv = pmd_mkinvalid(pmd_mkhuge(1024, PAGE_READONLY));
    expect([pte_valid(inv), pte_present(inv), pmd_leaf(inv), pmd_trans_huge(inv), pxd_pfn(inv)]).toEqual([false, true, true, true, 1024]);
  });
  it("a PROT_NONE huge PMD is present-invalid", () => {
    const n = pmd_mkhuge(2048, PAGE_NONE);
    expect([pte_valid(n), pmd_leaf(n), pmd_trans_huge(n)]).toEqual([false, true, true]);
  });
  it("mutant: a pmd_mkhuge that forgets to clear PMD_TABLE_BIT makes a table descriptor pointing at user data", () => {
    const mutant = (pfn: number): number => pmd_mkhuge(pfn, PAGE_READONLY) + 2;
    expect(pmd_leaf(pmd_mkhuge(512, PAGE_READONLY))).toBe(true);
    expect(pmd_leaf(mutant(512))).toBe(false); // caught: it would be walked as a PTE table
  });
});

/** The MMU's access to a leaf (AP bits, hardware AF and DBM) and break-before-make (pgattr_change_is_safe). */
import { describe, expect, it } from "vitest";
import { PAGE_NONE, PAGE_READONLY, PAGE_SHARED, PTE_AF, PTE_RDONLY } from "./pgtable_hwdef.js";
import { mmu_access_leaf, pgattr_change_is_safe, pxd_type_changes } from "./mmu.js";
import { pfn_pte, pte_dirty, pte_mkold, pte_mkwrite, pte_young } from "./pte.js";
import { mk_table_entry, pmd_mkhuge, pmd_mkinvalid } from "./pmd.js";

describe("mmu_access_leaf", () => {
  it("reads set AF; writes to a read-only entry fault; PROT_NONE faults", () => {
    const ro = pte_mkold(pfn_pte(3, PAGE_READONLY));
    expect(pte_young(mmu_access_leaf(ro, false))).toBe(true);
    expect(mmu_access_leaf(ro, true)).toBeNaN();
    expect(mmu_access_leaf(pfn_pte(3, PAGE_NONE), false)).toBeNaN();
    expect(mmu_access_leaf(0, false)).toBeNaN();
  });
  it("a write through DBM clears PTE_RDONLY: the entry becomes hardware-dirty without a fault", () => {
    const clean = pte_mkwrite(pfn_pte(4, PAGE_READONLY));
    expect(pte_dirty(clean)).toBe(false);
    const after = mmu_access_leaf(clean, true);
    expect([(after >>> 0) & PTE_RDONLY, pte_dirty(after), (after >>> 0) & PTE_AF]).toEqual([0, true, PTE_AF]);
    expect(pte_dirty(mmu_access_leaf(pfn_pte(4, PAGE_SHARED), true))).toBe(true);
  });
  it("mutant: an MMU that ignores AP[2] lets a write through a read-only COW entry (caught)", () => {
    const mutant = (leaf: number, write: boolean): number => mmu_access_leaf(leaf - ((leaf >>> 0) & PTE_RDONLY), write);
    const ro = pfn_pte(3, PAGE_READONLY);
    expect(mmu_access_leaf(ro, true)).toBeNaN();
    expect(mutant(ro, true)).not.toBeNaN();
  });
});

describe("pgattr_change_is_safe (break-before-make)", () => {
  const tbl = mk_table_entry(100);
  const blk = pmd_mkhuge(512, PAGE_READONLY);
  it("creating and tearing down are safe; permission changes on a live entry are safe", () => {
    expect(pgattr_change_is_safe(0, tbl)).toBe(true);
    expect(pgattr_change_is_safe(tbl, 0)).toBe(true);
    const ro = pfn_pte(9, PAGE_READONLY);
    expect(pgattr_change_is_safe(ro, pte_mkwrite(ro) - PTE_RDONLY)).toBe(true);
  });
  it("pmd_populate over a live entry, a split or collapse without invalidation need BBM", () => {
    expect(pgattr_change_is_safe(tbl, mk_table_entry(101))).toBe(false); // another table over a live one
    expect(pgattr_change_is_safe(blk, mk_table_entry(512))).toBe(false); // split: table over the block (bit 1 changes)
    expect(pxd_type_changes(blk, mk_table_entry(512))).toBe(true);
    expect(pgattr_change_is_safe(mk_table_entry(512), blk)).toBe(false); // collapse: block over the table
    expect(pgattr_change_is_safe(pmd_mkinvalid(blk), mk_table_entry(512))).toBe(true); // after pmdp_invalidate(): safe
  });
  it("mutant: a check that compares permissions only (not the output address or type) is caught", () => {
    const mutant = (o: number, n: number): boolean => ((o >>> 0) & 0xc0) === ((n >>> 0) & 0xc0) || !(o & 1) || !(n & 1);
    expect(mutant(tbl, mk_table_entry(101))).toBe(true);
    expect(pgattr_change_is_safe(tbl, mk_table_entry(101))).toBe(false);
  });
});

/** Descriptor encoding: round-trips through the exact 64-bit value, flags, and arm64's dirty tracking (DBM + PTE_RDONLY + PTE_DIRTY). */
import { describe, expect, it } from "vitest";
import { HW, PAGE_NONE, PAGE_READONLY, PAGE_SHARED, PTE_RDONLY } from "./pgtable_hwdef.js";
import { __pte, pte_val } from "./hwval.js";
import {
  pfn_pte,
  pte_dirty,
  pte_hw_dirty,
  pte_mkclean,
  pte_mkdirty,
  pte_mkold,
  pte_mkspecial,
  pte_mkwrite,
  pte_mkyoung,
  pte_modify,
  pte_none,
  pte_pfn,
  pte_present,
  pte_special,
  pte_sw_dirty,
  pte_valid,
  pte_write,
  pte_wrprotect,
  pte_young,
  vm_get_page_prot,
} from "./pte.js";
import { VM_READ, VM_SHARED, VM_WRITE } from "@mmsim/spec";

const PXN_UXN = (1n << 53n) | (1n << 54n);

describe("protections (pgtable-prot.h, arch/arm64/mm/mmap.c)", () => {
  it("have Linux's hardware values", () => {
    expect(pte_val(PAGE_NONE)).toBe(0xf82n | PXN_UXN); // !VALID, PRESENT_INVALID (nG), RDONLY, AF, SH
    expect(pte_val(PAGE_READONLY)).toBe(0xfc3n | PXN_UXN);
    expect(pte_val(PAGE_SHARED)).toBe(0xfc3n | PXN_UXN | HW.PTE_WRITE);
    expect(vm_get_page_prot(VM_READ | VM_WRITE)).toBe(PAGE_READONLY); // private writable: COW, read-only until the fault
    expect(vm_get_page_prot(VM_SHARED | VM_READ | VM_WRITE)).toBe(PAGE_SHARED);
  });

  it("a private write fault's entry: pte_mkwrite(pte_mkdirty(pfn_pte(pfn, vm_page_prot))) is writable, dirty, RDONLY clear", () => {
    const pte = pte_mkwrite(pte_mkdirty(pfn_pte(0x1234, vm_get_page_prot(VM_READ | VM_WRITE))));
    expect(pte_val(pte)).toBe(0xf43n | PXN_UXN | HW.PTE_WRITE | HW.PTE_DIRTY | (0x1234n << 12n));
    expect([pte_write(pte), pte_dirty(pte), pte_hw_dirty(pte), pte_young(pte), pte_pfn(pte)]).toEqual([true, true, true, true, 0x1234]);
  });
});

describe("packed form", () => {
  it("round-trips every representable entry through pte_val/__pte", () => {
    const hwBits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 50, 51, 52, 53, 54, 55, 56, 58, 59];
    let seed = 12345;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 2000; i++) {
      const pfn = rnd(2 ** 31) * 2 + rnd(2);
      let v = BigInt(pfn) << 12n;
      for (let j = rnd(9); j > 0; j--) v |= 1n << BigInt(hwBits[rnd(hwBits.length)]);
      const p = __pte(v);
      expect(Number.isSafeInteger(p)).toBe(true);
      expect(pte_val(p)).toBe(v);
      expect(pte_pfn(p)).toBe(pfn);
    }
  });

  it("refuses bits it cannot hold", () => {
    for (const b of [44, 47, 48, 49, 57, 60, 63]) expect(() => __pte(1n << BigInt(b))).toThrow(RangeError);
    expect(() => __pte(-1n)).toThrow(RangeError);
    expect(() => pte_val(0.5)).toThrow(RangeError);
  });
});

describe("flags", () => {
  const base = pfn_pte(42, PAGE_READONLY);
  it("none, present, valid; PROT_NONE is present but not valid", () => {
    expect(pte_none(0)).toBe(true);
    expect(pte_none(base)).toBe(false);
    const none = pfn_pte(42, PAGE_NONE);
    expect([pte_present(none), pte_valid(none)]).toEqual([true, false]);
    expect([pte_present(base), pte_valid(base)]).toEqual([true, true]);
  });

  it("young/old and special", () => {
    expect(pte_young(pte_mkold(base))).toBe(false);
    expect(pte_young(pte_mkyoung(pte_mkold(base)))).toBe(true);
    expect(pte_special(pte_mkspecial(base))).toBe(true);
    expect(pte_val(pte_mkspecial(base)) & HW.PTE_SPECIAL).toBe(HW.PTE_SPECIAL);
  });

  it("wrprotect keeps hardware dirtiness in PTE_DIRTY; mkclean sets RDONLY; mkwrite of a clean entry stays RDONLY (DBM makes it dirty on write)", () => {
    const hwdirty = pte_mkwrite(pte_mkdirty(base)) - 0; // WRITE, RDONLY clear
    const wp = pte_wrprotect(hwdirty - (pte_sw_dirty(hwdirty) ? 2 ** 49 : 0)); // drop PTE_DIRTY: hardware-dirty only
    expect([pte_write(wp), pte_dirty(wp), pte_sw_dirty(wp), (wp >>> 0) & PTE_RDONLY]).toEqual([false, true, true, PTE_RDONLY]);
    const clean = pte_mkclean(hwdirty);
    expect([pte_dirty(clean), pte_write(clean), (clean >>> 0) & PTE_RDONLY]).toEqual([false, true, PTE_RDONLY]);
    const w = pte_mkwrite(base);
    expect([pte_write(w), pte_dirty(w), (w >>> 0) & PTE_RDONLY]).toEqual([true, false, PTE_RDONLY]);
  });

  it("pte_modify keeps the PFN, AF and dirtiness, takes permissions from newprot", () => {
    const dirty = pte_mkwrite(pte_mkdirty(pfn_pte(7, PAGE_READONLY)));
    const ro = pte_modify(dirty, PAGE_READONLY);
    expect([pte_pfn(ro), pte_write(ro), pte_dirty(ro), pte_young(ro)]).toEqual([7, false, true, true]);
    const none = pte_modify(dirty, PAGE_NONE);
    expect([pte_present(none), pte_valid(none), pte_pfn(none), pte_dirty(none)]).toEqual([true, false, 7, true]);
    const back = pte_modify(none, PAGE_SHARED);
    expect([pte_valid(back), pte_write(back), pte_dirty(back), pte_hw_dirty(back)]).toEqual([true, true, true, true]);
  });

  it("mutant: a pte_wrprotect that forgets hardware dirtiness is caught", () => {
    const wrprotect_mutant = (p: number): number => (pte_write(p) ? p - 2 ** 45 : p) + PTE_RDONLY - ((p >>> 0) & PTE_RDONLY);
    const hwdirty = pte_mkwrite(pfn_pte(9, PAGE_READONLY)) - PTE_RDONLY; // the MMU cleared RDONLY on a DBM write
    expect(pte_dirty(pte_wrprotect(hwdirty))).toBe(true);
    expect(pte_dirty(wrprotect_mutant(hwdirty))).toBe(false); // the data would be lost: the oracle above rejects it
  });
});

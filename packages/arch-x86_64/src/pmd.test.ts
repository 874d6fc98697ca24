/* PMD / upper-level tests in the spirit of mm/debug_vm_pgtable.c (pmd_basic_tests, pmd_huge_tests, pmd_clear_tests, ...). */
import { describe, expect, it } from "vitest";
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_SOFT_DIRTY,
  _PAGE_USER,
  PAGE_COPY,
  PAGE_NONE,
  PAGE_READONLY,
  PAGE_SHARED,
  PAGE_SHARED_EXEC,
} from "./pgtable_types.js";
import { pxd_table_pfn,
  mk_table_entry,
  pmd_dirty,
  pmd_leaf,
  pmd_mkclean,
  pmd_mkdirty,
  pmd_mkhuge,
  pmd_mkinvalid,
  pmd_mkold,
  pmd_mkwrite,
  pmd_mkyoung,
  pmd_modify,
  pmd_trans_huge,
  pmd_write,
  pmd_wrprotect,
  pmd_young,
  pxd_bad,
  pxd_none,
  pxd_pfn,
  pxd_present,
} from "./pmd.js";
import { pte_val } from "./pte.js";

const HUGE_PFNS = [0, 512, 0x12345 * 512, 2 ** 32, 2 ** 40 - 512];

describe("table entries (pmd_populate & co.)", () => {
  it("are _PAGE_TABLE | pfn << 12", () => {
    expect(mk_table_entry(0x1234)).toBe(0x1234067);
    expect(pte_val(mk_table_entry(2 ** 32 + 1))).toBe(((2n ** 32n + 1n) << 12n) | 0x67n);
  });

  it("are present, not none, not bad, not leaves, and give back their PFN", () => {
    for (const pfn of [1, 0x1234, 2 ** 31, 2 ** 32 + 3, 2 ** 40 - 1]) {
      const e = mk_table_entry(pfn);
      expect(pxd_none(e)).toBe(false);
      expect(pxd_present(e)).toBe(true);
      expect(pxd_bad(e)).toBe(false);
      expect(pmd_leaf(e)).toBe(false);
      expect(pmd_trans_huge(e)).toBe(false);
      expect(pxd_pfn(e)).toBe(pfn);
    }
  });

  it("pxd_bad: (flags & ~_PAGE_USER) != _KERNPG_TABLE", () => {
    const e = mk_table_entry(0x1234);
    expect(pxd_bad(e - _PAGE_USER)).toBe(false); // a kernel table is fine
    expect(pxd_bad(e - _PAGE_RW)).toBe(true);
    expect(pxd_bad(e - _PAGE_ACCESSED)).toBe(true);
    expect(pxd_bad(e - _PAGE_DIRTY)).toBe(true);
    expect(pxd_bad(e + _PAGE_NX)).toBe(true);
    expect(pxd_bad(e + 0x200)).toBe(true);
    expect(pxd_bad(e + _PAGE_PSE)).toBe(true);
    expect(pxd_bad(pmd_mkhuge(512, PAGE_SHARED))).toBe(true);
  });

  it("pxd_none ignores A and D only", () => {
    expect(pxd_none(0)).toBe(true);
    expect(pxd_none(_PAGE_ACCESSED + _PAGE_DIRTY)).toBe(true);
    expect(pxd_none(_PAGE_PRESENT)).toBe(false);
    expect(pxd_none(0x1000 + _PAGE_ACCESSED)).toBe(false);
    expect(pxd_none(_PAGE_NX)).toBe(false);
  });
});

describe("huge PMDs", () => {
  it("pmd_leaf / pmd_trans_huge of pmd_mkhuge", () => {
    for (const pfn of HUGE_PFNS) {
      for (const prot of [PAGE_SHARED, PAGE_COPY, PAGE_READONLY, PAGE_SHARED_EXEC, PAGE_NONE]) {
        const pmd = pmd_mkhuge(pfn, prot);
        expect(pmd_leaf(pmd)).toBe(true);
        expect(pmd_trans_huge(pmd)).toBe(true);
        expect(pxd_present(pmd)).toBe(true);
        expect(pxd_none(pmd)).toBe(false);
        expect(pxd_bad(pmd)).toBe(true);
        expect(pxd_pfn(pmd)).toBe(pfn);
      }
    }
  });

  it("pmd_mkhuge has the hardware layout of pfn_pmd | _PAGE_PSE", () => {
    expect(pte_val(pmd_mkhuge(0x12345 * 512, PAGE_SHARED))).toBe((0x12345n << 21n) | 0xa7n | (1n << 63n));
    // pfn_pmd masks the PFN to PHYSICAL_PMD_PAGE_MASK.
    expect(pxd_pfn(pmd_mkhuge(0x12345 * 512 + 17, PAGE_SHARED))).toBe(0x12345 * 512);
    // PROT_NONE: bits 21-51 inverted, bits 12-20 clear.
    expect(pte_val(pmd_mkhuge(512, PAGE_NONE))).toBe(((~1n & ((1n << 31n) - 1n)) << 21n) | 0x1a0n);
  });

  it("stays present with P cleared (pmdp_invalidate keeps PSE), and with PROTNONE", () => {
    const pmd = pmd_mkhuge(1024, PAGE_SHARED);
    expect(pxd_present(pmd - _PAGE_PRESENT)).toBe(true);
    expect(pxd_present(pmd_mkhuge(1024, PAGE_NONE))).toBe(true);
    expect(pxd_present(0x100)).toBe(true);
    expect(pxd_present(0x1000 + _PAGE_RW)).toBe(false);
  });

  it("pmd_mkinvalid (pmdp_invalidate): not present to the MMU (P clear), still pmd_present and pmd_trans_huge, same PFN, RW kept", () => {
    for (const pfn of HUGE_PFNS) {
      for (const prot of [PAGE_SHARED, PAGE_COPY, PAGE_READONLY, PAGE_SHARED_EXEC, PAGE_NONE]) {
        const pmd = pmd_mkdirty(pmd_mkhuge(pfn, prot));
        const inv = pmd_mkinvalid(pmd);
        expect((inv >>> 0) & _PAGE_PRESENT).toBe(0);
        expect(pxd_present(inv)).toBe(true);
        expect(pmd_trans_huge(inv)).toBe(true);
        expect(pxd_none(inv)).toBe(false);
        expect(pxd_pfn(inv)).toBe(pfn);
        expect(pmd_write(inv)).toBe(pmd_write(pmd));
        expect(pmd_dirty(inv)).toBe(true);
        expect(inv >= _PAGE_NX).toBe(pmd >= _PAGE_NX);
        expect(pmd_mkinvalid(inv)).toBe(inv);
      }
    }
    // The hardware layout: P cleared and bits 21-51 inverted (flip_protnone_guard), PSE kept.
    expect(pte_val(pmd_mkinvalid(pmd_mkhuge(512, PAGE_SHARED)))).toBe(((~1n & ((1n << 31n) - 1n)) << 21n) | 0xa6n | (1n << 63n));
  });

  it("basic round trips (pmd_basic_tests)", () => {
    for (const pfn of HUGE_PFNS) {
      const pmd = pmd_mkhuge(pfn, PAGE_SHARED);
      expect(pmd_young(pmd_mkyoung(pmd_mkold(pmd)))).toBe(true);
      expect(pmd_young(pmd_mkold(pmd_mkyoung(pmd)))).toBe(false);
      expect(pmd_dirty(pmd_mkdirty(pmd_mkclean(pmd)))).toBe(true);
      expect(pmd_dirty(pmd_mkclean(pmd_mkdirty(pmd)))).toBe(false);
      expect(pmd_write(pmd_mkwrite(pmd_wrprotect(pmd)))).toBe(true);
      expect(pmd_write(pmd_wrprotect(pmd_mkwrite(pmd)))).toBe(false);
      expect(pmd_wrprotect(pmd)).toBe(pmd_mkhuge(pfn, PAGE_READONLY));
      expect(pmd_mkdirty(pmd) - pmd).toBe(_PAGE_DIRTY + _PAGE_SOFT_DIRTY);
      for (const f of [pmd_mkyoung, pmd_mkold, pmd_mkdirty, pmd_mkclean, pmd_mkwrite, pmd_wrprotect]) {
        const q = f(pmd);
        expect(pxd_pfn(q)).toBe(pfn);
        expect(pmd_leaf(q)).toBe(true);
        expect(q >= _PAGE_NX).toBe(true);
      }
    }
  });

  it("pmd_modify keeps PFN, PSE, A, D and takes RW/NX/P from newprot", () => {
    const pmd = pmd_mkdirty(pmd_mkhuge(0x12345 * 512, PAGE_SHARED));
    const ro = pmd_modify(pmd, PAGE_READONLY);
    expect(pmd_write(ro)).toBe(false);
    expect(pmd_leaf(ro)).toBe(true);
    expect(pmd_dirty(ro)).toBe(true);
    expect(pxd_pfn(ro)).toBe(0x12345 * 512);
    expect(ro >= _PAGE_NX).toBe(true);
    const x = pmd_modify(pmd, PAGE_SHARED_EXEC);
    expect(x < _PAGE_NX).toBe(true);
    expect(pmd_write(x)).toBe(true);
    expect(pmd_modify(ro, PAGE_SHARED)).toBe(pmd);
  });

  it("pmd_modify inverts bits 21-51 only on a PROT_NONE transition", () => {
    const pmd = pmd_mkhuge(0x12345 * 512, PAGE_SHARED);
    const none = pmd_modify(pmd, PAGE_NONE);
    expect(pxd_present(none)).toBe(true);
    expect(pxd_pfn(none)).toBe(0x12345 * 512);
    expect((pte_val(none) >> 21n) & ((1n << 31n) - 1n)).toBe(~0x12345n & ((1n << 31n) - 1n));
    expect(pmd_modify(none, PAGE_SHARED)).toBe(pmd);
    expect(none).toBe(pmd_mkhuge(0x12345 * 512, PAGE_NONE));
  });
});

describe("pxd_table_pfn", () => {
  it("agrees with pxd_pfn on every table entry, PFNs above 2^32 included", () => {
    for (const pfn of [1, 4095, 2 ** 20 + 7, 2 ** 32 + 5, 2 ** 39 - 1]) {
      const e = mk_table_entry(pfn);
      expect(pxd_table_pfn(e)).toBe(pfn);
      expect(pxd_table_pfn(e)).toBe(pxd_pfn(e));
    }
  });
});

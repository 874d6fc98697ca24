/* PTE tests in the spirit of mm/debug_vm_pgtable.c (pte_basic_tests, pte_special_tests, ...). */
import { describe, expect, it } from "vitest";
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PCD,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  HW,
  PAGE_COPY,
  PAGE_COPY_EXEC,
  PAGE_NONE,
  PAGE_READONLY,
  PAGE_READONLY_EXEC,
  PAGE_SHARED,
  PAGE_SHARED_EXEC,
} from "./pgtable_types.js";
import {
  __pte,
  pfn_pte,
  protection_map,
  pte_dirty,
  pte_exec,
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
  pte_protnone,
  pte_soft_dirty,
  pte_special,
  pte_val,
  pte_write,
  pte_wrprotect,
  pte_young,
  vm_get_page_prot,
} from "./pte.js";

const PFNS = [0, 1, 0x1234, 0x7ffff, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 0x123456789, 2 ** 40 - 1];
const PROTS = [PAGE_SHARED, PAGE_SHARED_EXEC, PAGE_COPY, PAGE_COPY_EXEC, PAGE_READONLY, PAGE_READONLY_EXEC];

describe("packed constants", () => {
  it("match the hardware masks of pgtable_types.h", () => {
    expect(_PAGE_NX).toBe(2 ** 52);
    expect(HW._PAGE_NX).toBe(0x8000000000000000n);
    expect(PAGE_NONE).toBe(0x120);
    expect(PAGE_SHARED).toBe(2 ** 52 + 0x27);
    expect(PAGE_SHARED_EXEC).toBe(0x27);
    expect(PAGE_COPY).toBe(2 ** 52 + 0x25);
    expect(PAGE_READONLY).toBe(2 ** 52 + 0x25);
    expect(PAGE_READONLY_EXEC).toBe(0x25);
    expect(HW.PTE_PFN_MASK).toBe(0x000ffffffffff000n);
    expect(HW.UNPACKABLE_MASK).toBe(0x7ff0000000000000n);
    expect(pte_val(PAGE_SHARED)).toBe(HW.PAGE_SHARED);
    expect(pte_val(PAGE_COPY)).toBe(HW.PAGE_COPY);
  });
});

describe("pte basic round trips (pte_basic_tests)", () => {
  for (const prot of PROTS) {
    for (const pfn of [0x1234, 2 ** 32 + 5, 2 ** 40 - 1]) {
      const pte = pfn_pte(pfn, prot);
      it(`prot ${prot.toString(16)} pfn ${pfn.toString(16)}`, () => {
        expect(pte_young(pte_mkyoung(pte_mkold(pte)))).toBe(true);
        expect(pte_young(pte_mkold(pte_mkyoung(pte)))).toBe(false);
        expect(pte_dirty(pte_mkdirty(pte_mkclean(pte)))).toBe(true);
        expect(pte_dirty(pte_mkclean(pte_mkdirty(pte)))).toBe(false);
        expect(pte_write(pte_mkwrite(pte_wrprotect(pte)))).toBe(true);
        expect(pte_write(pte_wrprotect(pte_mkwrite(pte)))).toBe(false);
        // Every modifier touches only its own bits: pfn and NX survive.
        for (const f of [pte_mkyoung, pte_mkold, pte_mkdirty, pte_mkclean, pte_mkwrite, pte_wrprotect, pte_mkspecial]) {
          const q = f(pte);
          expect(pte_pfn(q)).toBe(pfn);
          expect(pte_exec(q)).toBe(pte_exec(pte));
          expect(pte_present(q)).toBe(true);
        }
        // Idempotent set/clear.
        expect(pte_mkyoung(pte_mkyoung(pte))).toBe(pte_mkyoung(pte));
        expect(pte_wrprotect(pte_wrprotect(pte))).toBe(pte_wrprotect(pte));
        expect(pte_mkold(pte_mkyoung(pte_mkold(pte)))).toBe(pte_mkold(pte));
      });
    }
  }

  it("sets exactly the documented bits", () => {
    const pte = pfn_pte(0x1234, PAGE_READONLY); // A already set by the prot
    expect(pte_val(pte)).toBe(0x8000000001234025n);
    expect(pte_val(pte_mkwrite(pte))).toBe(0x8000000001234027n);
    // pte_mkdirty sets _PAGE_DIRTY | _PAGE_SOFT_DIRTY; pte_mkclean clears only DIRTY.
    expect(pte_val(pte_mkdirty(pte))).toBe(0x8000000001234865n);
    expect(pte_mkclean(pte_mkdirty(pte))).toBe(pte + _PAGE_SOFT_DIRTY);
    expect(pte_soft_dirty(pte_mkclean(pte_mkdirty(pte)))).toBe(true);
    expect(pte_val(pte_mkold(pte))).toBe(0x8000000001234005n);
    expect(pte_val(pte_mkspecial(pte))).toBe(0x8000000001234225n);
    expect(pte_special(pte_mkspecial(pte))).toBe(true);
    expect(pte_special(pte)).toBe(false);
    expect(pte_wrprotect(pfn_pte(0x1234, PAGE_SHARED))).toBe(pfn_pte(0x1234, PAGE_READONLY));
  });
});

describe("pte_none / pte_present", () => {
  it("pte_none ignores A and D only (KNL erratum)", () => {
    expect(pte_none(0)).toBe(true);
    expect(pte_none(_PAGE_ACCESSED)).toBe(true);
    expect(pte_none(_PAGE_DIRTY)).toBe(true);
    expect(pte_none(_PAGE_ACCESSED | _PAGE_DIRTY)).toBe(true);
    for (const b of [_PAGE_PRESENT, _PAGE_RW, _PAGE_USER, _PAGE_PCD, _PAGE_PSE, _PAGE_PROTNONE, _PAGE_SPECIAL, _PAGE_UFFD_WP, _PAGE_SOFT_DIRTY]) {
      expect(pte_none(b)).toBe(false);
      expect(pte_none(b + _PAGE_ACCESSED + _PAGE_DIRTY)).toBe(false);
    }
    expect(pte_none(0x1000)).toBe(false);
    expect(pte_none(2 ** 51)).toBe(false);
    expect(pte_none(_PAGE_NX)).toBe(false);
    expect(pte_none(_PAGE_NX + _PAGE_DIRTY)).toBe(false);
    expect(pte_none(2 ** 32 * 4096 + 0x60)).toBe(false);
  });

  it("pte_present is P or PROTNONE", () => {
    expect(pte_present(pfn_pte(5, PAGE_COPY))).toBe(true);
    expect(pte_present(pfn_pte(5, PAGE_NONE))).toBe(true);
    expect(pte_protnone(pfn_pte(5, PAGE_NONE))).toBe(true);
    expect(pte_protnone(pfn_pte(5, PAGE_COPY))).toBe(false);
    expect(pte_present(0)).toBe(false);
    expect(pte_present(0x1000 + _PAGE_RW)).toBe(false);
    expect(pte_present(2 ** 50 + 0x61)).toBe(true);
  });
});

describe("pfn_pte / pte_pfn", () => {
  it("round-trips large PFNs under every prot, including PROT_NONE", () => {
    for (const pfn of PFNS) {
      for (const prot of [...PROTS, PAGE_NONE]) {
        expect(pte_pfn(pfn_pte(pfn, prot))).toBe(pfn);
      }
    }
  });

  it("puts the PFN at bits 12-51 and NX at bit 63 of the hardware value", () => {
    expect(pte_val(pfn_pte(0x123456789, PAGE_SHARED_EXEC))).toBe((0x123456789n << 12n) | 0x27n);
    expect(pte_val(pfn_pte(2 ** 32, PAGE_SHARED))).toBe((1n << 44n) | 0x27n | (1n << 63n));
    expect(pte_val(pfn_pte(2 ** 40 - 1, PAGE_READONLY_EXEC))).toBe(0x000ffffffffff025n);
    expect(pte_val(pfn_pte(0, PAGE_READONLY))).toBe((1n << 63n) | 0x25n);
    expect(__pte((1n << 63n) | 0x25n)).toBe(2 ** 52 + 0x25);
  });

  it("masks PFNs to 40 bits like PTE_PFN_MASK", () => {
    expect(pte_pfn(pfn_pte(2 ** 40 + 7, PAGE_COPY))).toBe(7);
  });

  it("stores a PROT_NONE entry's PFN inverted (L1TF, pgtable-invert.h)", () => {
    const pfn = 0x1234;
    const pte = pfn_pte(pfn, PAGE_NONE);
    expect(pte_val(pte)).toBe(((~BigInt(pfn) & ((1n << 40n) - 1n)) << 12n) | 0x120n);
    expect(pte_pfn(pte)).toBe(pfn);
  });
});

describe("pte_modify", () => {
  const base = pte_mkspecial(pte_mkdirty(pte_mkyoung(pfn_pte(0x123456789, PAGE_SHARED)))) + _PAGE_UFFD_WP + _PAGE_PCD;

  it("keeps _PAGE_CHG_MASK and takes the rest from newprot", () => {
    const m = pte_modify(base, PAGE_READONLY_EXEC);
    expect(pte_pfn(m)).toBe(0x123456789);
    expect(pte_write(m)).toBe(false);
    expect(pte_exec(m)).toBe(true);
    expect(pte_dirty(m)).toBe(true);
    expect(pte_young(m)).toBe(true);
    expect(pte_special(m)).toBe(true);
    expect(pte_soft_dirty(m)).toBe(true);
    expect(pte_val(m)).toBe((0x123456789n << 12n) | 0x25n | 0x40n | 0x800n | 0x200n | 0x400n | 0x10n);
    expect(pte_modify(m, PAGE_SHARED)).toBe(base);
  });

  it("keeps the old entry's A bit instead of taking newprot's", () => {
    const old = pte_mkold(pfn_pte(9, PAGE_SHARED));
    expect(pte_young(pte_modify(old, PAGE_COPY))).toBe(false);
  });

  it("inverts the PFN moving into and out of PROT_NONE (flip_protnone_guard)", () => {
    const none = pte_modify(base, PAGE_NONE);
    expect(pte_present(none)).toBe(true);
    expect(pte_protnone(none)).toBe(true);
    expect(pte_pfn(none)).toBe(0x123456789);
    const pfnfield = (pte_val(none) & HW.PTE_PFN_MASK) >> 12n;
    expect(pfnfield).toBe(~0x123456789n & ((1n << 40n) - 1n));
    expect(pte_modify(none, PAGE_SHARED)).toBe(base);
    // PROT_NONE -> PROT_NONE: no second inversion.
    expect(pte_pfn(pte_modify(none, PAGE_NONE))).toBe(0x123456789);
  });
});

describe("vm_get_page_prot (protection_map of arch/x86/mm/pgprot.c)", () => {
  const NX = 2 ** 52;
  const expected = [
    /* 0 ---  */ 0x120,
    /* 1 r--  */ NX + 0x25,
    /* 2 -w-  */ NX + 0x25,
    /* 3 rw-  */ NX + 0x25,
    /* 4 --x  */ 0x25,
    /* 5 r-x  */ 0x25,
    /* 6 -wx  */ 0x25,
    /* 7 rwx  */ 0x25,
    /* 8 s--- */ 0x120,
    /* 9 sr-- */ NX + 0x25,
    /* a s-w- */ NX + 0x27,
    /* b srw- */ NX + 0x27,
    /* c s--x */ 0x25,
    /* d sr-x */ 0x25,
    /* e s-wx */ 0x27,
    /* f srwx */ 0x27,
  ];

  it("gives the table for all 16 combinations", () => {
    for (let f = 0; f < 16; f++) expect([f, vm_get_page_prot(f)]).toEqual([f, expected[f]]);
    expect(protection_map).toEqual(expected);
  });

  it("sets NX unless VM_EXEC; RW only for shared writable; present unless PROT_NONE", () => {
    for (let f = 0; f < 16; f++) {
      const p = vm_get_page_prot(f);
      const none = (f & 7) === 0;
      expect(pte_exec(p)).toBe(none || (f & 4) !== 0);
      expect(pte_write(p)).toBe((f & 8) !== 0 && (f & 2) !== 0);
      expect(((p >>> 0) & _PAGE_PRESENT) !== 0).toBe(!none);
      expect(((p >>> 0) & _PAGE_USER) !== 0).toBe(!none);
    }
  });

  it("ignores the other vm_flags bits, including ones above bit 31", () => {
    expect(vm_get_page_prot(0x3 | 0x10 | 0x20 | 0x100000)).toBe(PAGE_COPY);
    expect(vm_get_page_prot(0xb + 2 ** 33)).toBe(PAGE_SHARED);
    expect(vm_get_page_prot(0x7 + 2 ** 40 + 2 ** 31)).toBe(PAGE_COPY_EXEC);
  });
});

describe("pte_val / __pte", () => {
  it("round-trips present entries with every flag and large PFNs", () => {
    const ptes = [
      0,
      _PAGE_ACCESSED + _PAGE_DIRTY,
      ...PFNS.flatMap((pfn) => [...PROTS, PAGE_NONE].map((p) => pfn_pte(pfn, p))),
      pfn_pte(2 ** 40 - 1, PAGE_SHARED) + 0xfff - 0x27,
    ];
    for (const p of ptes) expect(__pte(pte_val(p))).toBe(p);
  });

  it("maps hardware values exactly", () => {
    const v = 0x8000_0abc_def0_1867n;
    const p = __pte(v);
    expect(p).toBe(2 ** 52 + 0xabcdef01867);
    expect(pte_pfn(p)).toBe(0xabcdef01);
    expect(pte_val(p)).toBe(v);
  });

  it("throws RangeError for bits 52-62 of a present entry", () => {
    for (let b = 52n; b <= 62n; b++) {
      expect(() => __pte((1n << b) | 0x25n)).toThrow(RangeError);
    }
    expect(() => __pte(HW._PAGE_PKEY_BIT0 | HW.PAGE_SHARED)).toThrow(RangeError);
  });

  it("throws RangeError outside [0, 2^64) and for non-packed numbers", () => {
    expect(() => __pte(-1n)).toThrow(RangeError);
    expect(() => __pte(1n << 64n)).toThrow(RangeError);
    expect(() => pte_val(-1)).toThrow(RangeError);
    expect(() => pte_val(2 ** 53)).toThrow(RangeError);
    expect(() => pte_val(1.5)).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import * as api from "./index.js";
import { x86_64 } from "./index.js";
import type { Arch } from "@mmsim/spec";

/* Every member of core's Arch contract (packages/core/src/pgtable/arch.ts). */
const NUMBERS = [
  "PAGE_SHIFT",
  "PMD_SHIFT",
  "PUD_SHIFT",
  "P4D_SHIFT",
  "PGDIR_SHIFT",
  "PTRS_PER_PTE",
  "PTRS_PER_PMD",
  "PTRS_PER_PUD",
  "PTRS_PER_P4D",
  "PTRS_PER_PGD",
  "TASK_SIZE",
  "DEFAULT_MMAP_BASE",
  "tlb_single_page_flush_ceiling",
] as const;
const METHODS = [
  "pte_none",
  "pte_present",
  "pte_pfn",
  "pte_write",
  "pte_dirty",
  "pte_young",
  "pte_special",
  "pte_mkwrite",
  "pte_wrprotect",
  "pte_mkdirty",
  "pte_mkclean",
  "pte_mkyoung",
  "pte_mkold",
  "pte_mkspecial",
  "pte_modify",
  "pfn_pte",
  "vm_get_page_prot",
  "swp_entry_to_pte",
  "pte_to_swp_type",
  "pte_to_swp_offset",
  "is_swap_pte",
  "mk_table_entry",
  "pxd_none",
  "pxd_present",
  "pxd_bad",
  "pxd_pfn",
  "pmd_leaf",
  "pmd_trans_huge",
  "pmd_mkhuge",
  "pmd_mkinvalid",
  "pmd_write",
  "pmd_wrprotect",
  "pmd_modify",
  "pte_val",
  "__pte",
  "flush_tlb_mm_range",
] as const;

describe("x86_64()", () => {
  it("implements every member of the Arch contract", () => {
    const a: Arch = x86_64();
    for (const k of NUMBERS) expect(typeof a[k], k).toBe("number");
    for (const k of METHODS) expect(typeof a[k], k).toBe("function");
    expect(a.name).toBe("x86_64");
    expect(a.levels).toBe(4);
    expect(a.p4d_folded).toBe(true);
  });

  it("4-level and LA57 objects", () => {
    const a = x86_64();
    const b = x86_64({ levels: 5 });
    expect([a.PGDIR_SHIFT, a.P4D_SHIFT, a.PUD_SHIFT, a.PMD_SHIFT, a.PAGE_SHIFT]).toEqual([39, 39, 30, 21, 12]);
    expect([b.PGDIR_SHIFT, b.P4D_SHIFT, b.PUD_SHIFT, b.PMD_SHIFT, b.PAGE_SHIFT]).toEqual([48, 39, 30, 21, 12]);
    expect([b.PTRS_PER_PGD, b.PTRS_PER_P4D, b.PTRS_PER_PUD, b.PTRS_PER_PMD, b.PTRS_PER_PTE]).toEqual([512, 512, 512, 512, 512]);
    expect(a.PTRS_PER_P4D).toBe(1);
    expect(b.name).toBe("x86_64-la57");
    expect(b.levels).toBe(5);
    expect(b.p4d_folded).toBe(false);
    expect(a.TASK_SIZE).toBe(2 ** 47 - 4096);
    expect(b.TASK_SIZE).toBe(2 ** 56 - 4096);
    expect(a.DEFAULT_MMAP_BASE).toBe(0x7ffff7fff000);
    expect(b.DEFAULT_MMAP_BASE).toBe(0x7ffff7fff000);
    expect(b.DEFAULT_MAP_WINDOW).toBe(2 ** 47 - 4096);
    expect(a.tlb_single_page_flush_ceiling).toBe(33);
    expect(x86_64({ levels: 4 })).toBe(a);
    expect(x86_64({ levels: 5 })).toBe(b);
  });

  it("is frozen, and its methods work detached", () => {
    const a = x86_64();
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { TASK_SIZE: number }).TASK_SIZE = 1;
    }).toThrow(TypeError);
    const { pfn_pte, pte_pfn, vm_get_page_prot } = a;
    expect(pte_pfn(pfn_pte(2 ** 35 + 1, vm_get_page_prot(3)))).toBe(2 ** 35 + 1);
  });

  it("paravirt TLB flush: a separate object named -pv, everything else equal", () => {
    const n = x86_64();
    const pv = x86_64({ paravirt_flush: true });
    expect(pv.name).toBe("x86_64-pv");
    expect(pv.paravirt_flush).toBe(true);
    expect(n.paravirt_flush).toBeUndefined();
    expect(x86_64({ levels: 5, paravirt_flush: true }).name).toBe("x86_64-la57-pv");
    expect(x86_64({ paravirt_flush: true })).toBe(pv);
    expect(x86_64({ paravirt_flush: false })).toBe(n);
    expect(pv.flush_tlb_mm_range).toBe(n.flush_tlb_mm_range);
    expect(Object.isFrozen(pv)).toBe(true);
  });

  it("rejects other level counts", () => {
    expect(() => x86_64({ levels: 3 as 4 })).toThrow(RangeError);
  });

  it("gives the README example's output", () => {
    const a = x86_64();
    expect(a.pte_val(a.pfn_pte(0x1234, a.vm_get_page_prot(3))).toString(16)).toBe("8000000001234025");
  });

  it("exports the helpers and constants for direct use", () => {
    expect(api.pte_mkdirty).toBe(x86_64().pte_mkdirty);
    expect(api._PAGE_NX).toBe(2 ** 52);
    expect(api.DEFAULT_MMAP_BASE).toBe(0x7ffff7fff000);
    expect(api.TLB_FLUSH_ALL).toBe(Infinity);
    expect(typeof api.HW._PAGE_NX).toBe("bigint");
  });
});

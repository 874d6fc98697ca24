/**
 * @mmsim/arch-x86_64: the x86_64 architecture for mmsim. `x86_64()` returns an
 * object implementing the `Arch` contract declared in @mmsim/spec (entry
 * encoding, layouts, flush_tlb_mm_range/flush_tlb_range policy, and how page
 * tables are freed); the helpers and constants are exported for direct use too.
 */
import {
  DEFAULT_MAP_WINDOW,
  DEFAULT_MMAP_BASE,
  LAYOUT_4LEVEL,
  LAYOUT_5LEVEL,
  PMD_SHIFT,
  PTRS_PER_PMD,
  PTRS_PER_PTE,
  PTRS_PER_PUD,
  PUD_SHIFT,
  tlb_single_page_flush_ceiling,
} from "./layout.js";
import {
  mk_table_entry,
  pmd_leaf,
  pmd_mkhuge,
  pmd_mkinvalid,
  pmd_modify,
  pmd_trans_huge,
  pmd_wrprotect,
  pmd_write,
  pxd_bad,
  pxd_none,
  pxd_pfn,
  pxd_table_pfn,
  pxd_present,
} from "./pmd.js";
import {
  __pte,
  pfn_pte,
  pte_dirty,
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
  pte_val,
  pte_write,
  pte_wrprotect,
  pte_young,
  vm_get_page_prot,
} from "./pte.js";
import { is_swap_pte, pte_to_swp_offset, pte_to_swp_type, swp_entry_to_pte } from "./swap.js";
import { PAGE_SHIFT } from "./pgtable_types.js";
import { flush_tlb_mm_range, flush_tlb_range } from "./tlb.js";
import { MMU_GATHER_RCU_TABLE_FREE, __pte_free_tlb, pte_free_defer } from "./pgalloc.js";
import type { Arch } from "@mmsim/spec";

/** The x86_64 arch object: core's `Arch` plus the default mmap window. */
export interface X86Arch extends Arch {
  readonly name: "x86_64" | "x86_64-la57" | "x86_64-pv" | "x86_64-la57-pv";
  /** DEFAULT_MAP_WINDOW: 2^47 - 4096 for both layouts. */
  readonly DEFAULT_MAP_WINDOW: number;
}

export interface X86Options {
  /** 4 (default) or 5 (LA57). */
  levels?: 4 | 5;
  /**
   * TLB flushes by hypercall instead of IPI (CONFIG_PARAVIRT guests: Xen,
   * Hyper-V, KVM's PV TLB flush): the flusher does not wait for CPUs with IRQs
   * off. Names the arch "x86_64-pv" ("x86_64-la57-pv" with 5 levels).
   */
  paravirt_flush?: boolean;
}

function make(levels: 4 | 5, paravirt_flush: boolean): X86Arch {
  const l = levels === 5 ? LAYOUT_5LEVEL : LAYOUT_4LEVEL;
  const base = levels === 5 ? "x86_64-la57" : "x86_64";
  return Object.freeze({
    name: paravirt_flush ? (`${base}-pv` as const) : base,
    levels,
    PAGE_SHIFT,
    PMD_SHIFT,
    PUD_SHIFT,
    P4D_SHIFT: l.P4D_SHIFT,
    PGDIR_SHIFT: l.PGDIR_SHIFT,
    PTRS_PER_PTE,
    PTRS_PER_PMD,
    PTRS_PER_PUD,
    PTRS_PER_P4D: l.PTRS_PER_P4D,
    PTRS_PER_PGD: l.PTRS_PER_PGD,
    TASK_SIZE: l.TASK_SIZE,
    DEFAULT_MMAP_BASE,
    DEFAULT_MAP_WINDOW,
    p4d_folded: l.p4d_folded,
    tlb_single_page_flush_ceiling,
    PAGE_SIZE: 2 ** PAGE_SHIFT,
    PMD_SIZE: 2 ** PMD_SHIFT,
    PUD_SIZE: 2 ** PUD_SHIFT,
    MMU_GATHER_RCU_TABLE_FREE,
    ...(paravirt_flush ? { paravirt_flush: true } : {}),

    pte_none,
    pte_present,
    pte_pfn,
    pte_write,
    pte_dirty,
    pte_young,
    pte_special,
    pte_mkwrite,
    pte_wrprotect,
    pte_mkdirty,
    pte_mkclean,
    pte_mkyoung,
    pte_mkold,
    pte_mkspecial,
    pte_modify,
    pfn_pte,
    vm_get_page_prot,
    swp_entry_to_pte,
    pte_to_swp_type,
    pte_to_swp_offset,
    is_swap_pte,

    mk_table_entry,
    pxd_none,
    pxd_present,
    pxd_bad,
    pxd_pfn,
    pxd_table_pfn,
    pmd_leaf,
    pmd_trans_huge,
    pmd_mkhuge,
  pmd_mkinvalid,
    pmd_write,
    pmd_wrprotect,
    pmd_modify,

    pte_val,
    __pte,

    flush_tlb_mm_range,
    flush_tlb_range,
    __pte_free_tlb,
    pte_free_defer,
  });
}

const made = new Map<string, X86Arch>();

/**
 * The x86_64 architecture: 4-level paging by default, 5-level (LA57) with
 * `{ levels: 5 }`, native TLB flushes by default, paravirt ones with
 * `{ paravirt_flush: true }`. Returns a frozen object (the same one for the same
 * options); its methods do not use `this` and may be detached.
 */
export function x86_64(opts?: X86Options): X86Arch {
  const levels = opts?.levels ?? 4;
  if (levels !== 4 && levels !== 5) throw new RangeError(`x86_64: levels must be 4 or 5, not ${String(levels)}`);
  const pv = opts?.paravirt_flush === true;
  const key = `${levels}${pv ? "pv" : ""}`;
  let a = made.get(key);
  if (!a) made.set(key, (a = make(levels, pv)));
  return a;
}

export type { Arch, TlbFlushTarget, TableFreeTarget, pte_t, pmd_t, pud_t, p4d_t, pgd_t, pgprot_t } from "@mmsim/spec";
export * from "./pgalloc.js";
export * from "./pgtable_types.js";
export * from "./pte.js";
export * from "./swap.js";
export * from "./pmd.js";
export * from "./layout.js";
export * from "./tlb.js";

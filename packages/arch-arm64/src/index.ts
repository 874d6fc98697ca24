/**
 * @mmsim/arch-arm64: the arm64 architecture for mmsim (4 KiB granule, 48-bit
 * VA, 4 levels). `arm64()` returns an object implementing the `Arch` contract
 * declared in @mmsim/spec (descriptor encoding, layout, broadcast-TLBI flush
 * policy, how page tables are freed, the MMU's access to a leaf); the helpers
 * and constants are exported for direct use too.
 */
import { DEFAULT_MAP_WINDOW, DEFAULT_MMAP_BASE, P4D_SHIFT, PGDIR_SHIFT, PMD_SHIFT, PTRS_PER_P4D, PTRS_PER_PGD, PTRS_PER_PMD, PTRS_PER_PTE, PTRS_PER_PUD, PUD_SHIFT, TASK_SIZE } from "./layout.js";
import { mk_table_entry, pmd_leaf, pmd_mkhuge, pmd_mkinvalid, pmd_modify, pmd_trans_huge, pmd_wrprotect, pmd_write, pxd_bad, pxd_none, pxd_pfn, pxd_present, pxd_table_pfn } from "./pmd.js";
import {
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
  pte_write,
  pte_wrprotect,
  pte_young,
  vm_get_page_prot,
} from "./pte.js";
import { __pte, pte_val } from "./hwval.js";
import { is_swap_pte, pte_to_swp_offset, pte_to_swp_type, swp_entry_to_pte } from "./swap.js";
import { PAGE_SHIFT } from "./pgtable_hwdef.js";
import { flush_tlb_mm_range, flush_tlb_range, tlb_single_page_flush_ceiling } from "./tlb.js";
import { MMU_GATHER_RCU_TABLE_FREE, __pte_free_tlb, pte_free_defer } from "./pgalloc.js";
import { mmu_access_leaf } from "./mmu.js";
import type { Arch } from "@mmsim/spec";

/** The arm64 arch object: core's `Arch` plus the default mmap window. */
export interface Arm64Arch extends Arch {
  readonly name: "arm64";
  readonly tlbi_broadcast: true;
  readonly generic_unmapped_area_topdown: true;
  /** DEFAULT_MAP_WINDOW_64: 2^48. */
  readonly DEFAULT_MAP_WINDOW: number;
}

const ARM64: Arm64Arch = Object.freeze({
  name: "arm64",
  levels: 4,
  PAGE_SHIFT,
  PMD_SHIFT,
  PUD_SHIFT,
  P4D_SHIFT,
  PGDIR_SHIFT,
  PTRS_PER_PTE,
  PTRS_PER_PMD,
  PTRS_PER_PUD,
  PTRS_PER_P4D,
  PTRS_PER_PGD,
  TASK_SIZE,
  DEFAULT_MMAP_BASE,
  DEFAULT_MAP_WINDOW,
  p4d_folded: true,
  tlb_single_page_flush_ceiling,
  PAGE_SIZE: 2 ** PAGE_SHIFT,
  PMD_SIZE: 2 ** PMD_SHIFT,
  PUD_SIZE: 2 ** PUD_SHIFT,
  MMU_GATHER_RCU_TABLE_FREE,
  tlbi_broadcast: true,
  // arm64 selects no HAVE_ARCH_UNMAPPED_AREA_TOPDOWN: mm/mmap.c's generic placement (arch/arm64 has no sys_*.c of its own for it).
  generic_unmapped_area_topdown: true,

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

  mmu_access_leaf,
  pte_val,
  __pte,

  flush_tlb_mm_range,
  flush_tlb_range,
  __pte_free_tlb,
  pte_free_defer,
});

/**
 * The arm64 architecture: 4 KiB granule, 48-bit VA, 4 levels, broadcast TLBI.
 * Returns a frozen object (always the same one); its methods do not use `this`
 * and may be detached.
 */
export function arm64(): Arm64Arch {
  return ARM64;
}

export type { Arch, TlbFlushTarget, TableFreeTarget, pte_t, pmd_t, pud_t, p4d_t, pgd_t, pgprot_t } from "@mmsim/spec";
export * from "./pgalloc.js";
export * from "./pgtable_hwdef.js";
export * from "./pte.js";
export * from "./hwval.js";
export * from "./swap.js";
export * from "./pmd.js";
export * from "./mmu.js";
export * from "./layout.js";
export * from "./tlb.js";

/**
 * Local copies of the types this package implements.
 *
 * These MIRROR core's contract in packages/core/src/pgtable/arch.ts (`Arch`,
 * `TlbFlushTarget`, `pte_t`, ...). This package deliberately does not import
 * @mmsim/core: the contract is structural, so core can use this arch in its own
 * tests without a dependency cycle. Keep these in sync with core's file.
 *
 * Entries are JS numbers in the arch's *packed form*: bits 0–51 at their x86
 * hardware positions (flags 0–11, PFN 12–51) and NX (hardware bit 63) moved to
 * bit 52. See README.md for the packed form's documented differences from
 * hardware (swap entries, bits 52–62).
 */
export type pte_t = number;
export type pmd_t = number;
export type pud_t = number;
export type p4d_t = number;
export type pgd_t = number;
export type pgprot_t = number;

/**
 * What flush_tlb_mm_range() drives: the core TLB model.
 *
 * Convention used by this arch: `mm_cpus(mm)[0]` is the local CPU (the one
 * calling flush_tlb_mm_range()); it is flushed directly, every other CPU that is
 * flushed costs one IPI.
 */
export interface TlbFlushTarget {
  /** CPUs in mm_cpumask(mm), and which of them are in lazy-TLB mode. Entry 0 is the local CPU. */
  mm_cpus(mm: unknown): readonly { cpu: number; lazy: boolean }[];
  /** Invalidate [start, end) on `cpu` page by page (INVLPG), with its paging-structure caches. */
  flush_range(cpu: number, mm: unknown, start: number, end: number, stride_shift: number): void;
  /** Full flush of `mm` on `cpu` (CR3 reload / INVPCID single-context). */
  flush_all(cpu: number, mm: unknown): void;
  /** Account one flush as the kernel's vmstat/tracepoints would see it. */
  count(kind: "ranged" | "full", ipis: number): void;
}

/** Mirror of core's `Arch` (packages/core/src/pgtable/arch.ts). */
export interface Arch {
  readonly name: string;
  /** Paging levels in use: 4, or 5 with LA57. */
  readonly levels: 4 | 5;
  readonly PAGE_SHIFT: number;
  readonly PMD_SHIFT: number;
  readonly PUD_SHIFT: number;
  readonly P4D_SHIFT: number;
  readonly PGDIR_SHIFT: number;
  readonly PTRS_PER_PTE: number;
  readonly PTRS_PER_PMD: number;
  readonly PTRS_PER_PUD: number;
  readonly PTRS_PER_P4D: number;
  readonly PTRS_PER_PGD: number;
  /** Top of the user address space (TASK_SIZE_MAX for this layout). */
  readonly TASK_SIZE: number;
  /** mmap_base of a task with no ASLR and an 8 MiB stack rlimit (arch_pick_mmap_layout). */
  readonly DEFAULT_MMAP_BASE: number;
  /** Whether p4d is folded into pgd (4-level paging). */
  readonly p4d_folded: boolean;
  /** x86 tlb_single_page_flush_ceiling (33). */
  readonly tlb_single_page_flush_ceiling: number;

  /* ---- PTE level ---- */
  pte_none(pte: pte_t): boolean;
  pte_present(pte: pte_t): boolean;
  pte_pfn(pte: pte_t): number;
  pte_write(pte: pte_t): boolean;
  pte_dirty(pte: pte_t): boolean;
  pte_young(pte: pte_t): boolean;
  pte_special(pte: pte_t): boolean;
  pte_mkwrite(pte: pte_t): pte_t;
  pte_wrprotect(pte: pte_t): pte_t;
  pte_mkdirty(pte: pte_t): pte_t;
  pte_mkclean(pte: pte_t): pte_t;
  pte_mkyoung(pte: pte_t): pte_t;
  pte_mkold(pte: pte_t): pte_t;
  pte_mkspecial(pte: pte_t): pte_t;
  pte_modify(pte: pte_t, newprot: pgprot_t): pte_t;
  pfn_pte(pfn: number, prot: pgprot_t): pte_t;
  vm_get_page_prot(vm_flags: number): pgprot_t;
  swp_entry_to_pte(type: number, offset: number): pte_t;
  pte_to_swp_type(pte: pte_t): number;
  pte_to_swp_offset(pte: pte_t): number;
  is_swap_pte(pte: pte_t): boolean;

  /* ---- upper levels ---- */
  mk_table_entry(pfn: number): number;
  pxd_none(v: number): boolean;
  pxd_present(v: number): boolean;
  pxd_bad(v: number): boolean;
  pxd_pfn(v: number): number;
  pxd_table_pfn(v: number): number;
  pmd_leaf(pmd: pmd_t): boolean;
  pmd_trans_huge(pmd: pmd_t): boolean;
  pmd_mkhuge(pfn: number, prot: pgprot_t): pmd_t;
  pmd_write(pmd: pmd_t): boolean;
  pmd_wrprotect(pmd: pmd_t): pmd_t;
  pmd_modify(pmd: pmd_t, newprot: pgprot_t): pmd_t;

  /* ---- exact hardware values ---- */
  pte_val(pte: pte_t): bigint;
  __pte(val: bigint): pte_t;

  flush_tlb_mm_range(
    target: TlbFlushTarget,
    mm: unknown,
    start: number,
    end: number,
    stride_shift: number,
    freed_tables: boolean,
  ): void;
}

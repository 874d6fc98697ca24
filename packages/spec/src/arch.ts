/**
 * The architecture contract core runs on, declared once here and implemented by
 * `@mmsim/arch-x86_64` (which depends on this package, not on core: core uses the
 * arch in its tests, so the contract lives below both).
 *
 * ## The in-code form of an entry (`pte_t`, `pmd_t`, ... are `number`)
 * Tables hold 64-bit entries in a `Float64Array`, one number per entry, in the
 * arch's *packed form*: a lossless 53-bit image of the bits Linux uses for user
 * anonymous memory. On x86_64, bits 0–51 stand at their hardware positions (flags
 * 0–11, PFN 12–51) and NX (bit 63) is moved to bit 52. `pte_val()` gives the exact
 * 64-bit hardware value as a bigint, `__pte()` takes one. Model difference from
 * Linux: PKEY (59–62) and SOFTW4/5 (57–58) are not representable; user anonymous
 * mappings never set them in the paths mmsim models.
 */
export type pte_t = number;
export type pmd_t = number;
export type pud_t = number;
export type p4d_t = number;
export type pgd_t = number;
export type pgprot_t = number;

/** vm_flags bits, as in include/linux/mm.h. */
export const VM_NONE = 0x0;
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_LOCKED = 0x2000;
export const VM_ACCOUNT = 0x100000;
export const VM_NORESERVE = 0x200000;
export const VM_SEQ_READ = 0x8000;
export const VM_RAND_READ = 0x10000;
export const VM_DONTCOPY = 0x20000;
export const VM_DONTDUMP = 0x04000000;
export const VM_HUGEPAGE = 0x20000000;
export const VM_NOHUGEPAGE = 0x40000000;
/**
 * Model value. Linux's VM_WIPEONFORK is 0x02000000, which the model gives
 * plugins (VM_PLUGIN_2); the model takes VM_SYNC's bit (0x00800000, a DAX file
 * mapping's flag, which no VMA of the model carries).
 */
export const VM_WIPEONFORK = 0x00800000;
/**
 * Model value. Linux's VM_MERGEABLE is BIT(31), past the model's 31-bit flags;
 * the model takes VM_MIXEDMAP's bit (0x10000000, a driver mapping's flag, which
 * no VMA of the model carries).
 */
export const VM_MERGEABLE = 0x10000000;
/**
 * Model-only: the vm_flags bits a reclaim plugin may own (its `madvise_advice`
 * sets and clears them; core keeps them across split and merge, as any flag).
 * A kernel patch would take a free high bit (VM_HIGH_ARCH_*, 64-bit vm_flags);
 * the model's flags are 31-bit integers, so these reuse VM_ARCH_1 (0x01000000)
 * and VM_ARCH_2 (0x02000000), which no anonymous VMA of the model carries.
 */
export const VM_PLUGIN_1 = 0x01000000;
export const VM_PLUGIN_2 = 0x02000000;
export const VM_PLUGIN_MASK = VM_PLUGIN_1 | VM_PLUGIN_2;

/**
 * What an arch's flush_tlb_mm_range() drives: the core TLB model.
 *
 * Convention: `mm_cpus(mm)[0]` is the local CPU (the one calling
 * flush_tlb_mm_range()); it is flushed directly, every other CPU that is flushed
 * costs one IPI.
 */
export interface TlbFlushTarget {
  /** CPUs in mm_cpumask(mm), and which of them are in lazy-TLB mode. Entry 0 is the local CPU. */
  mm_cpus(mm: unknown): readonly { cpu: number; lazy: boolean }[];
  /**
   * Invalidate [start, end) on `cpu` page by page (INVLPG), with its paging-structure caches.
   * `last_level` (arm64 TLBI VALE1IS, `__flush_tlb_range(..., last_level = true)`):
   * leaf entries only, the walk cache (PMD→table pointers) is kept. Absent or false:
   * the paging-structure caches for the range go too (x86 INVLPG, arm64 TLBI VAE1IS).
   */
  flush_range(cpu: number, mm: unknown, start: number, end: number, stride_shift: number, last_level?: boolean): void;
  /** Full flush of `mm` on `cpu` (CR3 reload / INVPCID single-context). */
  flush_all(cpu: number, mm: unknown): void;
  /** Account one flush as the kernel's vmstat/tracepoints would see it. */
  count(kind: "ranged" | "full", ipis: number): void;
}

/**
 * What an arch's page-table freeing drives (include/asm-generic/tlb.h,
 * mm/pgtable-generic.c): core's mmu_gather and RCU.
 */
export interface TableFreeTarget {
  /** tlb_remove_table(tlb, table): batch the table; freed after the gather's TLB flush and, with MMU_GATHER_RCU_TABLE_FREE, a grace period. */
  tlb_remove_table(pfn: number): void;
  /** call_rcu(head, func) */
  call_rcu(func: () => void): void;
  /** pte_free_now(): the RCU callback's free of one PTE table page (pagetable_dtor_free). */
  pte_free_now(pfn: number): void;
}

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
  /** Derived geometry (1 << PAGE_SHIFT, 1 << PMD_SHIFT, 1 << PUD_SHIFT), as the kernel's macros. */
  readonly PAGE_SIZE: number;
  readonly PMD_SIZE: number;
  readonly PUD_SIZE: number;
  /**
   * CONFIG_MMU_GATHER_RCU_TABLE_FREE: tables freed through the mmu_gather wait for
   * a grace period after the flush (x86 and arm64 select it). Core models only
   * arches that select it, and refuses one that does not.
   */
  readonly MMU_GATHER_RCU_TABLE_FREE: boolean;
  /**
   * A TLB flush without IPIs (paravirt `flush_tlb_multi`: Xen's and Hyper-V's
   * hypercall flush, KVM's PV TLB flush for a preempted vCPU, which sets
   * KVM_VCPU_FLUSH_TLB and is flushed by the host before it runs again). The
   * hypervisor carries out the remote flushes, so flush_tlb_mm_range() does not
   * wait for a CPU that has IRQs off: an IRQ-off section (GUP-fast) no longer
   * holds off a table free that relies on the flush alone (seed 003 review, R14).
   * Absent or false: native IPIs, and the flusher waits for every target CPU.
   */
  readonly paravirt_flush?: boolean;
  /**
   * TLB invalidation broadcast by the hardware (arm64 `TLBI ...IS` + `DSB ISH`):
   * every CPU in the inner-shareable domain drops the entries, lazy-TLB ones
   * included, with no IPI; the flusher waits for the DSB, never for a CPU, so an
   * IRQ-off section (GUP-fast) does not hold off a table free that relies on
   * the flush alone: only RCU table freeing (MMU_GATHER_RCU_TABLE_FREE) does.
   * Core delivers the flush to every target at its wait point regardless of
   * their IRQ state. Absent or false: the flush is by IPI (x86).
   */
  readonly tlbi_broadcast?: boolean;
  /**
   * The arch has no HAVE_ARCH_UNMAPPED_AREA_TOPDOWN and mmap's placement is
   * mm/mmap.c's generic_get_unmapped_area_topdown() (arm64): a hint is rounded up
   * (PAGE_ALIGN) and honoured anywhere below TASK_SIZE where it fits. Absent or
   * false: x86's arch_get_unmapped_area_topdown(): the hint rounded down and
   * refused when it straddles DEFAULT_MAP_WINDOW (mmap_address_hint_valid()).
   */
  readonly generic_unmapped_area_topdown?: boolean;

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
  /** x86 vm_get_page_prot(): protection_map[] for private/shared mappings. */
  vm_get_page_prot(vm_flags: number): pgprot_t;
  /** Swap entries (arch/x86/include/asm/pgtable_64.h). */
  swp_entry_to_pte(type: number, offset: number): pte_t;
  pte_to_swp_type(pte: pte_t): number;
  pte_to_swp_offset(pte: pte_t): number;
  is_swap_pte(pte: pte_t): boolean;

  /* ---- upper levels ---- */
  /** Entry pointing at a lower table (pmd_populate/pud_populate/p4d_populate/pgd_populate: _PAGE_TABLE). */
  mk_table_entry(pfn: number): number;
  /** pmd_none/pud_none/...: the same test at every level on x86. */
  pxd_none(v: number): boolean;
  pxd_present(v: number): boolean;
  pxd_bad(v: number): boolean;
  pxd_pfn(v: number): number;
  /**
   * The PFN of the lower table a present, non-leaf upper-level entry points at
   * (pmd_page_vaddr / pud_pgtable): the walkers' hot path, with no leaf or
   * PROT_NONE cases to consider.
   */
  pxd_table_pfn(v: number): number;
  pmd_leaf(pmd: pmd_t): boolean;
  pmd_trans_huge(pmd: pmd_t): boolean;
  pmd_mkhuge(pfn: number, prot: pgprot_t): pmd_t;
  /**
   * pmd_mkinvalid(): the huge entry pmdp_invalidate() leaves while a THP is split:
   * not present to the MMU (it faults), still pmd_present() and pmd_trans_huge()
   * to software, pmd_pfn() unchanged.
   */
  pmd_mkinvalid(pmd: pmd_t): pmd_t;
  pmd_write(pmd: pmd_t): boolean;
  pmd_wrprotect(pmd: pmd_t): pmd_t;
  pmd_modify(pmd: pmd_t, newprot: pgprot_t): pmd_t;

  /**
   * The MMU's access to a present user leaf entry (a PTE, or a PMD block/huge
   * entry): the permission check and the hardware Access/Dirty update. Returns
   * the entry as the hardware leaves it, or NaN for a fault (permission, or
   * access flag / dirty state the hardware does not manage). arm64: AP[1]
   * (PTE_USER) for any EL0 access, AP[2] (PTE_RDONLY) clear or DBM (PTE_WRITE)
   * set for a write, hardware AF and DBM (FEAT_HAFDBS): AF is set, a write to a
   * DBM entry clears PTE_RDONLY. Absent: core's x86 fast path (P, U, RW; sets
   * A, and D on a write).
   */
  mmu_access_leaf?(leaf: number, write: boolean): number;

  /* ---- exact hardware values ---- */
  pte_val(pte: pte_t): bigint;
  __pte(val: bigint): pte_t;

  /**
   * flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables): the arch policy
   * (ceiling, which CPUs get an IPI) applied to the core's TLB model.
   */
  flush_tlb_mm_range(
    target: TlbFlushTarget,
    mm: unknown,
    start: number,
    end: number,
    stride_shift: number,
    freed_tables: boolean,
  ): void;

  /**
   * flush_tlb_range(vma, start, end) in terms of flush_tlb_mm_range(): the flush
   * a caller that cleared entries (not freed tables) asks for. x86
   * (arch/x86/include/asm/tlbflush.h): stride PAGE_SHIFT (huge_page_shift for
   * hugetlb) and freed_tables = false, so lazy-TLB CPUs are not reached.
   */
  flush_tlb_range(vm_flags: number): { stride_shift: number; freed_tables: boolean };

  /**
   * __pte_free_tlb(tlb, pte, address): how the arch hands a PTE table page to
   * the gather once pte_free_tlb() has set tlb->freed_tables (x86:
   * paravirt_tlb_remove_table → tlb_remove_table).
   */
  __pte_free_tlb(tlb: TableFreeTarget, pfn: number): void;

  /**
   * pte_free_defer(mm, pgtable): free a PTE table after a grace period, no TLB
   * flush implied. x86 uses the generic one (mm/pgtable-generic.c):
   * call_rcu(&page->rcu_head, pte_free_now).
   */
  pte_free_defer(target: TableFreeTarget, pfn: number): void;
}

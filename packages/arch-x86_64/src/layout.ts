/**
 * Virtual address layout (arch/x86/include/asm/pgtable_64_types.h,
 * page_64_types.h, arch/x86/mm/mmap.c, arch/x86/mm/tlb.c).
 */
import { PAGE_SIZE } from "./pgtable_types.js";

export const PMD_SHIFT = 21;
export const PUD_SHIFT = 30;
/** P4D_SHIFT is 39 in both modes; with 4-level paging the p4d level is folded into the pgd. */
export const P4D_SHIFT = 39;
export const PTRS_PER_PTE = 512;
export const PTRS_PER_PMD = 512;
export const PTRS_PER_PUD = 512;
export const PTRS_PER_PGD = 512;

/** tlb_single_page_flush_ceiling (arch/x86/mm/tlb.c): above this many pages, flush the whole mm. */
export const tlb_single_page_flush_ceiling = 33;

/**
 * DEFAULT_MAP_WINDOW = (1UL << 47) - PAGE_SIZE. Also the mmap window of a 5-level
 * (LA57) task: addresses above 47 bits are only handed out on explicit hint.
 */
export const DEFAULT_MAP_WINDOW = 2 ** 47 - PAGE_SIZE;

/** stack_guard_gap = 256UL << PAGE_SHIFT (mm/mmap.c). */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** SIZE_128M in arch/x86/mm/mmap.c. */
export const SIZE_128M = 128 * 1024 * 1024;
/** _STK_LIM: the default RLIMIT_STACK soft limit, 8 MiB. */
export const _STK_LIM = 8 * 1024 * 1024;

const PAGE_ALIGN = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

/**
 * mmap_base(rnd, task_size, rlim_stack) from arch/x86/mm/mmap.c:
 *
 *   gap = rlim_stack->rlim_cur;
 *   pad = stack_maxrandom_size(task_size) + stack_guard_gap;
 *   if (gap + pad > gap) gap += pad;
 *   gap_min = SIZE_128M; gap_max = (task_size / 6) * 5;
 *   gap = clamp(gap, gap_min, gap_max);
 *   return PAGE_ALIGN(task_size - gap - rnd);
 *
 * stack_maxrandom_size() is 0 without PF_RANDOMIZE (ASLR off), rnd likewise.
 */
export function mmap_base(rnd: number, task_size: number, rlim_stack_cur: number, stack_maxrandom_size = 0): number {
  let gap = rlim_stack_cur;
  const pad = stack_maxrandom_size + STACK_GUARD_GAP;
  if (gap + pad > gap) gap += pad;
  const gap_min = SIZE_128M;
  const gap_max = Math.floor(task_size / 6) * 5;
  if (gap < gap_min) gap = gap_min;
  else if (gap > gap_max) gap = gap_max;
  return PAGE_ALIGN(task_size - gap - rnd);
}

/**
 * arch_pick_mmap_layout() for a 64-bit task, ASLR off, RLIMIT_STACK 8 MiB:
 * mmap_base(0, task_size_64bit(0) = DEFAULT_MAP_WINDOW, 8 MiB).
 * gap = 8 MiB + 1 MiB guard = 9 MiB < SIZE_128M, so gap = 128 MiB and
 * 0x7ffffffff000 - 0x8000000 = 0x7ffff7fff000 (same for 4- and 5-level).
 */
export const DEFAULT_MMAP_BASE = mmap_base(0, DEFAULT_MAP_WINDOW, _STK_LIM);

export interface X86Layout {
  readonly levels: 4 | 5;
  readonly PGDIR_SHIFT: number;
  readonly P4D_SHIFT: number;
  /** 1 when the p4d level is folded (pgtable_64_types.h: ptrs_per_p4d = 1 without LA57). */
  readonly PTRS_PER_P4D: number;
  readonly PTRS_PER_PGD: number;
  /** TASK_SIZE_MAX = (1 << __VIRTUAL_MASK_SHIFT) - PAGE_SIZE. */
  readonly TASK_SIZE: number;
  readonly p4d_folded: boolean;
}

/** 4-level paging: 48-bit virtual addresses, p4d folded into the pgd. */
export const LAYOUT_4LEVEL: X86Layout = Object.freeze({
  levels: 4,
  PGDIR_SHIFT: 39,
  P4D_SHIFT,
  PTRS_PER_P4D: 1,
  PTRS_PER_PGD,
  TASK_SIZE: 2 ** 47 - PAGE_SIZE,
  p4d_folded: true,
});

/** 5-level paging (LA57): 57-bit virtual addresses. */
export const LAYOUT_5LEVEL: X86Layout = Object.freeze({
  levels: 5,
  PGDIR_SHIFT: 48,
  P4D_SHIFT,
  PTRS_PER_P4D: 512,
  PTRS_PER_PGD,
  TASK_SIZE: 2 ** 56 - PAGE_SIZE,
  p4d_folded: false,
});

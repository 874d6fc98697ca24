/**
 * Virtual address layout, 4 KiB granule, 48-bit VA, 4 levels
 * (arch/arm64/include/asm/pgtable-hwdef.h, memory.h, processor.h; mm/util.c's
 * generic mmap layout, which arm64 uses: ARCH_WANT_DEFAULT_TOPDOWN_MMAP_LAYOUT).
 */
import { PAGE_SHIFT, PAGE_SIZE } from "./pgtable_hwdef.js";

export const VA_BITS = 48;
/** ARM64_HW_PGTABLE_LEVEL_SHIFT(n) = (PAGE_SHIFT - 3) * (4 - n) + 3 */
export const ARM64_HW_PGTABLE_LEVEL_SHIFT = (n: number): number => (PAGE_SHIFT - 3) * (4 - n) + 3;
export const PMD_SHIFT = ARM64_HW_PGTABLE_LEVEL_SHIFT(2); /* 21 */
export const PUD_SHIFT = ARM64_HW_PGTABLE_LEVEL_SHIFT(1); /* 30 */
/** PGDIR_SHIFT = ARM64_HW_PGTABLE_LEVEL_SHIFT(4 - CONFIG_PGTABLE_LEVELS) = 39; the p4d level is folded. */
export const PGDIR_SHIFT = ARM64_HW_PGTABLE_LEVEL_SHIFT(0); /* 39 */
export const P4D_SHIFT = PGDIR_SHIFT;
export const PTRS_PER_PTE = 512;
export const PTRS_PER_PMD = 512;
export const PTRS_PER_PUD = 512;
export const PTRS_PER_P4D = 1;
/** PTRS_PER_PGD = 1 << (VA_BITS - PGDIR_SHIFT) */
export const PTRS_PER_PGD = 2 ** (VA_BITS - PGDIR_SHIFT);

/** TASK_SIZE_64 = BIT(VA_BITS): the whole lower half, TTBR0's range. */
export const TASK_SIZE = 2 ** VA_BITS;
/** DEFAULT_MAP_WINDOW_64 = BIT(VA_BITS_MIN) = 2^48 with 48-bit VAs. */
export const DEFAULT_MAP_WINDOW = 2 ** VA_BITS;
/** STACK_TOP for a 64-bit task: TASK_SIZE_64. */
export const STACK_TOP = TASK_SIZE;

/** stack_guard_gap = 256UL << PAGE_SHIFT (mm/mmap.c). */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** MIN_GAP (mm/util.c): SZ_128M. */
export const MIN_GAP = 128 * 1024 * 1024;
/** MAX_GAP (mm/util.c): STACK_TOP / 6 * 5. */
export const MAX_GAP = Math.floor(STACK_TOP / 6) * 5;
/** _STK_LIM: the default RLIMIT_STACK soft limit, 8 MiB. */
export const _STK_LIM = 8 * 1024 * 1024;

const PAGE_ALIGN = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

/**
 * mmap_base(rnd, rlim_stack) from mm/util.c, ASLR off (no PF_RANDOMIZE: no
 * stack randomisation pad, rnd = 0):
 *   gap = rlim_cur + stack_guard_gap; clamp(gap, MIN_GAP, MAX_GAP);
 *   return PAGE_ALIGN(STACK_TOP - gap - rnd);
 * 8 MiB + 1 MiB < 128 MiB, so 2^48 - 128 MiB = 0xfffff8000000.
 */
export function mmap_base(rnd: number, rlim_stack_cur: number): number {
  let gap = rlim_stack_cur;
  const pad = STACK_GUARD_GAP;
  if (gap + pad > gap) gap += pad;
  if (gap < MIN_GAP && MIN_GAP < MAX_GAP) gap = MIN_GAP;
  else if (gap > MAX_GAP) gap = MAX_GAP;
  return PAGE_ALIGN(STACK_TOP - gap - rnd);
}

export const DEFAULT_MMAP_BASE = mmap_base(0, _STK_LIM);

/**
 * Syscall arguments as the kernel receives them. A C program passes addresses
 * and lengths as `unsigned long` (64 bits); the model's callers pass JS
 * numbers. An integer of magnitude below 2^64 stands for the unsigned long C
 * would pass: a negative one is its two's complement, as `(unsigned long)-4096`
 * is 2^64 - 4096 (so `madvise(addr, -4096, ...)` is refused with -EINVAL as
 * Linux refuses it, not run over an empty range). Anything else (NaN,
 * ±Infinity, a fraction, a magnitude of 2^64 or more, not a number) is no
 * unsigned long: the syscall returns -EINVAL (a model rule, as Linux cannot be
 * passed such a value).
 *
 * Doubles hold every multiple of 4096 below 2^65 exactly, so the page-aligned
 * values below (an aligned address, PAGE_ALIGN(len)) and their sums are exact;
 * sums at or past 2^64 are where C's unsigned arithmetic wraps.
 */

const PAGE_SIZE = 4096;

/** 2^64: where unsigned long arithmetic wraps. */
export const ULONG_WRAP = 2 ** 64;

/** Whether `x` stands for an unsigned long (an integer of magnitude below 2^64). */
export function is_ulong(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x > -ULONG_WRAP && x < ULONG_WRAP;
}

/** (unsigned long)x for a page-aligned `x` that is_ulong() accepted: exact. */
export function ulong_of_aligned(x: number): number {
  return x < 0 ? ULONG_WRAP + x : x;
}

/**
 * PAGE_ALIGN(len) of the unsigned long `len` stands for (is_ulong() accepted
 * it), wrapping to 0 as the C macro does: PAGE_ALIGN((unsigned long)-1) is 0,
 * PAGE_ALIGN((unsigned long)-4096) is 2^64 - 4096.
 */
export function page_align_ulong(len: number): number {
  if (len < 0) return (ULONG_WRAP - Math.floor(-len / PAGE_SIZE) * PAGE_SIZE) % ULONG_WRAP;
  return (Math.ceil(len / PAGE_SIZE) * PAGE_SIZE) % ULONG_WRAP;
}

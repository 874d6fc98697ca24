/**
 * PTE markers (include/linux/swapops.h): a swap entry of the type
 * SWP_PTE_MARKER whose offset holds the marker bits. The model has the guard
 * marker only (MADV_GUARD_INSTALL, Linux 6.13+: mm/madvise_guard.ts); no
 * uffd-wp or poisoned markers.
 */
import type { Kernel } from "../types/kernel.js";

/**
 * SWP_PTE_MARKER = MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM +
 * SWP_DEVICE_NUM = (1 << MAX_SWAPFILES_SHIFT) - SWP_PTE_MARKER_NUM: the last of
 * the 32 swap types.
 */
export const SWP_PTE_MARKER = 31;
/** Indicates that, on fault, this PTE will cause a SIGSEGV signal to be sent. */
export const PTE_MARKER_GUARD = 1 << 2;

/** make_pte_marker(marker) */
export function make_pte_marker(k: Kernel, marker: number): number {
  return k.arch.swp_entry_to_pte(SWP_PTE_MARKER, marker);
}

/** is_pte_marker(pte): a swap PTE of type SWP_PTE_MARKER. */
export function is_pte_marker(k: Kernel, pte: number): boolean {
  const a = k.arch;
  return a.is_swap_pte(pte) && a.pte_to_swp_type(pte) === SWP_PTE_MARKER;
}

/** pte_marker_get(pte_to_swp_entry(pte)): the marker bits of a marker PTE. */
export function pte_marker_get(k: Kernel, pte: number): number {
  return k.arch.pte_to_swp_offset(pte);
}

/** is_guard_pte_marker(pte) */
export function is_guard_pte_marker(k: Kernel, pte: number): boolean {
  return is_pte_marker(k, pte) && (pte_marker_get(k, pte) & PTE_MARKER_GUARD) !== 0;
}

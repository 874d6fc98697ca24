/**
 * struct swap_info_struct (include/linux/swap.h), as far as the model has one:
 * one swap device (type 0) whose swap_map counts the references to each slot.
 * Declarations only: mm/swapfile.ts implements it.
 */

/** struct swap_info_struct (mm/swapfile.ts). */
export interface SwapInfo {
  /** The swap type: the index in swap_info[] (always 0: the model has one device). */
  readonly type: number;
  /** si->max: pages of the device, the header page (offset 0) included. */
  readonly max: number;
  /** si->pages: usable slots (max - 1: offset 0 holds the swap header). */
  readonly pages: number;
  /** si->inuse_pages: slots allocated. */
  inuse_pages: number;
  /** swap_map[offset]: the count of swap PTEs referencing the slot, | SWAP_HAS_CACHE while a folio is in the swap cache. */
  map(offset: number): number;
  set_map(offset: number, v: number): void;
  /** PG_anon_exclusive of the page the slot holds (the kernel keeps it in the swap PTE: pte_swp_exclusive). */
  exclusive(offset: number): boolean;
  set_exclusive(offset: number, v: boolean): void;
  /** The user-data oracle's value of the page written to the slot (0: zero-filled). */
  data(offset: number): number;
  set_data(offset: number, v: number): void;
  /** /proc/vmstat's pswpin / pswpout: pages read from and written to the device. */
  pswpin: number;
  pswpout: number;
  /** The highest slot ever allocated (si->highest_bit of older kernels): slots above it are free. */
  highest_bit: number;
  /** The lowest slot that may be free (si->cluster_next, simplified). */
  lowest_free: number;
}

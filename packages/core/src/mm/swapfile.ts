/**
 * Swap devices and swap slots (mm/swapfile.c, include/linux/swapops.h): swapon,
 * slot allocation (folio_alloc_swap), the per-slot reference counts of swap_map
 * (swap_duplicate, swap_free, free_swap_and_cache, put_swap_folio), and the
 * totals behind /proc/meminfo's SwapTotal/SwapFree.
 *
 * A swap PTE holds swp_entry(type, offset) in the arch's format
 * (arch.swp_entry_to_pte). swap_map[offset] counts the PTEs that hold the entry,
 * plus SWAP_HAS_CACHE while the page is in the swap cache.
 *
 * Model differences:
 *   - one swap device (type 0); a second swapon fails with -EBUSY;
 *   - slots are handed out lowest-offset first (the kernel allocates from
 *     per-CPU clusters of 512 slots, so its offsets differ; nothing the model
 *     reports depends on the offset);
 *   - no swap cache beyond the write itself: reclaim writes the page to its slot
 *     and frees the folio at once (the kernel keeps it in the swap cache until
 *     writeback ends and reclaim comes back to it), and a swap-in reads the slot
 *     into a new folio and drops the slot's reference at once (the kernel keeps
 *     the folio in the swap cache, holding the slot, unless vm_swap_full()). The
 *     process's counters (RSS, VmSwap = MM_SWAPENTS) are the same either way;
 *     the number of slots in use can be lower than the kernel's;
 *   - PG_anon_exclusive travels with the slot (SwapInfo.exclusive) instead of
 *     the PTE's _PAGE_SWP_EXCLUSIVE bit: core's arch contract has no
 *     pte_swp_exclusive(). A slot referenced by one PTE is equivalent.
 */
import type { Kernel } from "../types/kernel.js";
import type { SwapInfo } from "../types/swap.js";
import { EBUSY, EINVAL, ENOMEM } from "./errno.js";

/** SWAP_HAS_CACHE: the slot's page is in the swap cache. */
export const SWAP_HAS_CACHE = 0x40;
/** SWAP_MAP_MAX: the most references swap_map counts without continuation pages. */
export const SWAP_MAP_MAX = 0x3e;
/** mkswap's minimum: 10 pages (40 KiB). */
export const SWAP_MIN_BYTES = 10 * 4096;

/** struct swap_info_struct for one device: swap_map and the slot data, grown on demand. */
export class SwapInfoStruct implements SwapInfo {
  readonly type = 0;
  readonly max: number;
  readonly pages: number;
  inuse_pages = 0;
  pswpin = 0;
  pswpout = 0;
  lowest_free = 1;
  highest_bit = 0;
  private swap_map = new Uint8Array(0);
  private excl = new Uint8Array(0);
  private slot_data = new Map<number, number>();

  constructor(max: number) {
    this.max = max;
    this.pages = max - 1;
  }

  private grow(offset: number): void {
    if (offset < this.swap_map.length) return;
    const cap = Math.min(this.max, Math.max(1024, 2 * this.swap_map.length, offset + 1));
    const m = new Uint8Array(cap);
    m.set(this.swap_map);
    this.swap_map = m;
    const e = new Uint8Array(cap);
    e.set(this.excl);
    this.excl = e;
  }

  map(offset: number): number {
    return offset < this.swap_map.length ? this.swap_map[offset] : 0;
  }
  set_map(offset: number, v: number): void {
    this.grow(offset);
    this.swap_map[offset] = v;
  }
  exclusive(offset: number): boolean {
    return offset < this.excl.length && this.excl[offset] !== 0;
  }
  set_exclusive(offset: number, v: boolean): void {
    this.grow(offset);
    this.excl[offset] = v ? 1 : 0;
  }
  data(offset: number): number {
    return this.slot_data.get(offset) ?? 0;
  }
  set_data(offset: number, v: number): void {
    if (v === 0) this.slot_data.delete(offset);
    else this.slot_data.set(offset, v);
  }
}

/**
 * swapon(2) of a swap area of `bytes` (a swap file mkswap'ed to that size):
 * read_swap_header()'s checks, then the device is enabled (enable_swap_info).
 * Returns 0 or -errno. Overcommit's limits grow by the swap pages
 * (total_swap_pages, in __vm_enough_memory and vm_commit_limit).
 */
export function sys_swapon(k: Kernel, bytes: number): number {
  if (k.swap_info !== null) return -EBUSY;
  const max = Math.floor(bytes / 4096);
  // read_swap_header(): "Empty swap-file" when no page follows the header.
  if (!Number.isSafeInteger(bytes) || max < 2) return -EINVAL;
  const si = new SwapInfoStruct(max);
  k.swap_info = si;
  k.vm_commit.total_swap_pages += si.pages;
  return 0;
}

function si_of(k: Kernel): SwapInfo {
  const si = k.swap_info;
  if (si === null) throw new Error("swap entry without a swap device");
  return si;
}

/**
 * folio_alloc_swap() for an order-0 folio: a free slot, marked SWAP_HAS_CACHE
 * (add_to_swap_cache). Returns its offset, or 0 when swap is full or absent
 * (the kernel's failure: the folio is kept, activate_locked).
 */
export function folio_alloc_swap(k: Kernel): number {
  const si = k.swap_info;
  if (si === null || si.inuse_pages >= si.pages) return 0;
  let off = si.lowest_free;
  while (si.map(off) !== 0) off++;
  si.set_map(off, SWAP_HAS_CACHE);
  si.set_exclusive(off, false);
  si.inuse_pages++;
  si.lowest_free = off + 1;
  if (off > si.highest_bit) si.highest_bit = off;
  return off;
}

/** swap_entry_range_free(): the slot is free again (its count and cache bit are gone). */
function swap_entry_free(si: SwapInfo, offset: number): void {
  si.set_map(offset, 0);
  si.set_data(offset, 0);
  si.set_exclusive(offset, false);
  si.inuse_pages--;
  if (offset < si.lowest_free) si.lowest_free = offset;
}

/** swap_duplicate(): one more swap PTE holds the entry. 0, or -ENOMEM past SWAP_MAP_MAX (no continuation pages in the model). */
export function swap_duplicate(k: Kernel, offset: number): number {
  const si = si_of(k);
  const v = si.map(offset);
  if (v === 0) throw new Error(`swap_duplicate: free swap slot ${offset}`);
  if ((v & ~SWAP_HAS_CACHE) >= SWAP_MAP_MAX) return -ENOMEM;
  si.set_map(offset, v + 1);
  return 0;
}

/** swap_free() (swap_free_nr → swap_entries_put_map): a swap PTE holding the entry is gone; the last reference frees the slot. */
export function swap_free(k: Kernel, offset: number): void {
  const si = si_of(k);
  const v = si.map(offset);
  if ((v & ~SWAP_HAS_CACHE) === 0) throw new Error(`swap_free: swap slot ${offset} has no reference (swap_map ${v})`);
  if (v - 1 === 0) swap_entry_free(si, offset);
  else si.set_map(offset, v - 1);
}

/** free_swap_and_cache() (free_swap_and_cache_nr, one entry): zap of a swap PTE. The model has no swap cache to reclaim. */
export function free_swap_and_cache(k: Kernel, offset: number): void {
  swap_free(k, offset);
}

/** put_swap_folio() (via __remove_mapping / folio_free_swap): the folio leaves the swap cache. */
export function put_swap_folio(k: Kernel, offset: number): void {
  const si = si_of(k);
  const v = si.map(offset) & ~SWAP_HAS_CACHE;
  if (v === 0) swap_entry_free(si, offset);
  else si.set_map(offset, v);
}

/** __swap_count(): the swap PTEs holding the entry. */
export function swap_count(k: Kernel, offset: number): number {
  const si = k.swap_info;
  return si === null ? 0 : si.map(offset) & ~SWAP_HAS_CACHE;
}

/** si_swapinfo(): SwapTotal and SwapFree, in pages. */
export function si_swapinfo(k: Kernel): { total: number; free: number } {
  const si = k.swap_info;
  return si === null ? { total: 0, free: 0 } : { total: si.pages, free: si.pages - si.inuse_pages };
}

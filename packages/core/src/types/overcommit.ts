/**
 * Overcommit accounting state: mm/util.c's vm.overcommit_* sysctls and the
 * counters they are checked against, in pages (the functions: mm/overcommit.ts).
 */
export interface VmCommit {
  /** vm.overcommit_memory: 0, 1 or 2. */
  overcommit_memory: number;
  /** vm.overcommit_ratio (%): CommitLimit's share of RAM in mode 2 (default 50). */
  overcommit_ratio: number;
  /** vm.overcommit_kbytes: replaces the ratio when non-zero (writing one zeroes the other). */
  overcommit_kbytes: number;
  /** vm.user_reserve_kbytes (default 128 MiB). */
  user_reserve_kbytes: number;
  /** totalram_pages(). */
  totalram_pages: number;
  /** total_swap_pages: swapon adds the device's pages. */
  total_swap_pages: number;
  /** vm_committed_as: pages charged (Committed_AS). */
  committed_as: number;
}

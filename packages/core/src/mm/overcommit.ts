/**
 * Overcommit accounting (mm/util.c: __vm_enough_memory, vm_commit_limit,
 * vm_memory_committed; include/linux/mman.h: vm_acct_memory, vm_unacct_memory;
 * Documentation/mm/overcommit-accounting.rst).
 *
 * Every private writable mapping (VM_ACCOUNT) and every shared anonymous object
 * (shmem_acct_size, unless VM_NORESERVE) is charged to `vm_committed_as` when it
 * is created or grows, and uncharged when it goes away. The charge is checked
 * against the machine by vm.overcommit_memory:
 * - 0, OVERCOMMIT_GUESS (the default): one request may not exceed totalram + swap;
 * - 1, OVERCOMMIT_ALWAYS: never refused;
 * - 2, OVERCOMMIT_NEVER: Committed_AS may not reach CommitLimit
 *   (totalram * overcommit_ratio / 100, or overcommit_kbytes, plus swap), less
 *   min(total_vm / 32, user_reserve_kbytes) of the requesting mm.
 *
 * Model differences: vm_committed_as is an exact count (Linux's percpu_counter
 * is read approximately, within vm_committed_as_batch per CPU); every task is
 * root (cap_sys_admin: admin_reserve_kbytes is never held back); no hugetlb
 * pages (hugetlb_total_pages() is 0); the simulated machine starts with nothing
 * committed (a real one boots with every other process's commitments).
 */
import type { Kernel } from "../types/kernel.js";
import type { VmCommit } from "../types/overcommit.js";
import { EINVAL, ENOMEM } from "./errno.js";

export type { VmCommit };

export const OVERCOMMIT_GUESS = 0;
export const OVERCOMMIT_ALWAYS = 1;
export const OVERCOMMIT_NEVER = 2;

export function vm_commit_defaults(totalram_pages: number): VmCommit {
  return {
    overcommit_memory: OVERCOMMIT_GUESS,
    overcommit_ratio: 50,
    overcommit_kbytes: 0,
    user_reserve_kbytes: 1 << 17,
    totalram_pages,
    total_swap_pages: 0,
    committed_as: 0,
  };
}

/** vm_commit_limit(): CommitLimit in pages. */
export function vm_commit_limit(c: VmCommit): number {
  const allowed = c.overcommit_kbytes ? Math.floor(c.overcommit_kbytes / 4) : Math.floor((c.totalram_pages * c.overcommit_ratio) / 100);
  return allowed + c.total_swap_pages;
}

/** vm_acct_memory(pages) */
export function vm_acct_memory(k: Kernel, pages: number): void {
  k.vm_commit.committed_as += pages;
}

/** vm_unacct_memory(pages) */
export function vm_unacct_memory(k: Kernel, pages: number): void {
  k.vm_commit.committed_as -= pages;
}

/**
 * __vm_enough_memory(mm, pages, cap_sys_admin): charges `pages` and returns 0,
 * or returns -ENOMEM with nothing charged. `total_vm` is the requesting mm's
 * (null for a charge without an mm).
 */
export function __vm_enough_memory(k: Kernel, total_vm: number | null, pages: number): number {
  const c = k.vm_commit;
  vm_acct_memory(k, pages);
  if (c.overcommit_memory === OVERCOMMIT_ALWAYS) return 0;
  if (c.overcommit_memory === OVERCOMMIT_GUESS) {
    if (pages > c.totalram_pages + c.total_swap_pages) {
      vm_unacct_memory(k, pages);
      return -ENOMEM;
    }
    return 0;
  }
  let allowed = vm_commit_limit(c);
  // cap_sys_admin: every task of the model is root, so no admin reserve is held back.
  if (total_vm !== null) allowed -= Math.min(Math.floor(total_vm / 32), Math.floor(c.user_reserve_kbytes / 4));
  if (c.committed_as < allowed) return 0; // percpu_counter_read_positive(&vm_committed_as), read after the charge
  vm_unacct_memory(k, pages);
  return -ENOMEM;
}

/** security_vm_enough_memory_mm(mm, pages): __vm_enough_memory for a root task of `mm`. */
export function security_vm_enough_memory_mm(k: Kernel, mm: { total_vm: number }, pages: number): number {
  return __vm_enough_memory(k, mm.total_vm, pages);
}

/** vm.overcommit_memory (overcommit_policy_handler: proc_dointvec_minmax 0..2): 0 or -EINVAL. */
export function overcommit_policy_handler(k: Kernel, value: number): number {
  if (!Number.isInteger(value) || value < OVERCOMMIT_GUESS || value > OVERCOMMIT_NEVER) return -EINVAL;
  k.vm_commit.overcommit_memory = value;
  return 0;
}

/** vm.overcommit_ratio (overcommit_ratio_handler): the ratio, and overcommit_kbytes zeroed. */
export function overcommit_ratio_handler(k: Kernel, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) return -EINVAL;
  k.vm_commit.overcommit_ratio = value;
  k.vm_commit.overcommit_kbytes = 0;
  return 0;
}

/** vm.overcommit_kbytes (overcommit_kbytes_handler): the kbytes, and overcommit_ratio zeroed. */
export function overcommit_kbytes_handler(k: Kernel, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) return -EINVAL;
  k.vm_commit.overcommit_kbytes = value;
  k.vm_commit.overcommit_ratio = 0;
  return 0;
}

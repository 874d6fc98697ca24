/**
 * Walker references on page-table pages: the "rcu-refcount" answer to seed 001's
 * open question (a `.pmd_entry` callback that may sleep, which RCU forbids).
 * Before sleeping the walker takes a reference on each table it will use after
 * the sleep, under that table's parent lock with the parent entry rechecked
 * (pmd_lock + pmd_same for a PTE table; the same pmd_lock + pud_same for the PMD
 * table), then leaves RCU; a reclaimer checks the count under the same lock and
 * keeps a referenced table. Nothing in Linux has this (it is one of the two
 * options the thread names); the model keeps the count in the ptdesc (PtStore.users).
 * Plain functions: the caller holds the lock that orders them.
 */
import type { Kernel } from "../types/kernel.js";

/** pgtable_get(table): one more walker reference. */
export function pgtable_get(k: Kernel, pfn: number): void {
  k.pt.add_users(pfn, 1);
}

/** pgtable_put(table): drop a walker reference (the table is not freed here: an unreferenced empty table waits for the next reclaim pass). */
export function pgtable_put(k: Kernel, pfn: number): void {
  if (k.pt.users_of(pfn) <= 0) throw new Error(`pgtable_put(): table ${pfn} has no walker reference`);
  k.pt.add_users(pfn, -1);
}

/** pgtable_users(table): walker references held now. */
export function pgtable_users(k: Kernel, pfn: number): number {
  return k.pt.users_of(pfn);
}

/**
 * Deliberately wrong MADV_COLLAPSE / MADV_REMOVE (mm/khugepaged.ts, mm/shmem.ts;
 * a module of its own, which both import), for the tests that show their checks
 * catch a broken implementation: "free-pgtable" frees the old PTE table
 * (as a file collapse's retract_page_tables does) instead of depositing it;
 * "enforce-sysfs" asks thp_vma_allowable_order() with TVA_ENFORCE_SYSFS (THP
 * `enabled` = madvise then needs MADV_HUGEPAGE); "remove-keeps-cache": MADV_REMOVE
 * only zaps, the shmem page cache keeps the pages (MADV_DONTNEED's effect).
 */
import type { Kernel } from "../types/kernel.js";

export type CollapseMutant = "free-pgtable" | "enforce-sysfs" | "remove-keeps-cache";
const mutants = new WeakMap<Kernel, CollapseMutant>();
/** The table, for the post-setup snapshot (check/setup_snapshot.ts: SIDE_TABLES). */
export const COLLAPSE_MUTANTS_SIDE_TABLE: WeakMap<object, unknown> = mutants as WeakMap<object, unknown>;

/** Make `k`'s MADV_COLLAPSE / MADV_REMOVE wrong in the named way (null: correct again). For tests only. */
export function set_collapse_mutant(k: Kernel, m: CollapseMutant | null): void {
  if (m === null) mutants.delete(k);
  else mutants.set(k, m);
}

/** The mutant set on `k`, if any. */
export function collapse_mutant(k: Kernel): CollapseMutant | undefined {
  return mutants.get(k);
}


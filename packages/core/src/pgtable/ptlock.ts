import type { Task } from "../types/sched.js";
import type * as types from "../types/sync.js";

/** Table levels' names as the locks spell them (LEVEL_NAME in store.ts; not imported: store.ts imports this). */
const PTL_LEVEL_NAME = ["", "pte", "pmd", "pud", "p4d", "pgd"] as const;

/**
 * The split lock of a PTE or PMD table (ptlock_ptr() / pmd_ptlock()): a spinlock_t
 * whose name, `pte_ptl@<pfn>` / `pmd_ptl@<pfn>`, is built when something reads it
 * (a LockError's message), not when the lock is created. PtStore.ptl_of() creates
 * one per table on first use, in the seed loop one per 2 MiB chunk (pt-reclaim's
 * pte_offset_map_lock()), where nothing reads the name (issue #10 §1: no per-table
 * string). Same name, class, owner and lock operations as a SpinLock built with
 * that name: the explorer, sanitizer and RMW line recording see no difference
 * (they key on the object and `cls`). Model difference: none (Linux's ptlock has
 * no name at all; lockdep names the class).
 */
export class TablePtl implements types.SpinLock {
  owner: Task | null = null;
  readonly cls: string;
  constructor(
    /** The table's PFN. */
    readonly pfn: number,
    /** PTE_LEVEL (1) or PMD_LEVEL (2). */
    readonly level: number,
  ) {
    this.cls = level === 1 ? "ptl" : "pmd_lock";
  }

  get name(): string {
    return `${PTL_LEVEL_NAME[this.level]}_ptl@${this.pfn}`;
  }
}

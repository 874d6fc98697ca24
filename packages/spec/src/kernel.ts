/**
 * The kernel types a reclaim plugin sees: what `struct task_struct`,
 * `struct mm_struct`, `struct vm_area_struct`, `struct mmu_gather`, `spinlock_t`
 * are to mm code, narrowed to the fields a plugin may read. Core's objects
 * implement these interfaces; a plugin gets nothing more (no table store, no
 * scheduler state), and reaches the kernel only through the functions
 * `@mmsim/core/kernel` exports.
 *
 * Pointers into page tables (`pte_t *`, `pmd_t *`) are numbers: indexes of
 * entries in the model's table store. Read them with `ptep_get()` /
 * `pmdp_get_lockless()`, never by indexing.
 */
import type { Arch } from "./arch.js";

/** Kinds of preemption point (see @mmsim/core sched/point.ts). */
export const PT = {
  LOCK: 1,
  TRYLOCK: 2,
  UNLOCK: 3,
  /** Blocked on a held lock: the scheduler must run someone else. */
  SPIN: 4,
  RCU_LOCK: 5,
  RCU_UNLOCK: 6,
  IRQ_OFF: 7,
  IRQ_ON: 8,
  ATOMIC: 9,
  READ: 10,
  WRITE: 11,
  /** A voluntary point: cond_resched(), return to user, ... */
  SCHED: 12,
} as const;
export type PointKind = (typeof PT)[keyof typeof PT];

/** A preemption point: where the deterministic scheduler may run another task. */
export interface Point {
  kind: PointKind;
  /** Kernel name of the operation: "spin_lock", "ptep_get", "pmd_clear", ... */
  what: string;
  /** The lock, table entry index or object the operation is on. */
  obj: unknown;
}

/**
 * A kernel path: a generator that yields a Point before each lock, atomic,
 * RCU/IRQ transition and page-table entry access. Call kernel paths with
 * `yield*`; a hook that is a kernel path must itself be a generator (`function*`).
 */
export type KPath<T = void> = Generator<Point, T, undefined>;

/** `pte_t *`: a pointer to a PTE (an entry index in the model's table store). */
export type pte_ptr = number;
/** `pmd_t *`: a pointer to a PMD entry. */
export type pmd_ptr = number;
/** `pud_t *`: a pointer to a PUD entry. */
export type pud_ptr = number;

/** spinlock_t (split PTE/PMD locks, page_table_lock). */
export interface spinlock_t {
  readonly name: string;
}

/** struct rw_semaphore (mmap_lock, the per-VMA lock). */
export interface rw_semaphore {
  readonly name: string;
}

/**
 * The kernel release whose mm paths the engine runs (a plugin declares the one its
 * patch was written against: `ReclaimPlugin.era`). "6.18" is today's behaviour and
 * the default. What differs (see @mmsim/core's README, "Kernel eras"):
 *   - before 6.5 (5.14, 5.18): pte_offset_map() takes no rcu_read_lock() and
 *     pte_offset_map_lock() does not recheck pmd_same() under the PTE lock;
 *   - before 6.16 (5.14, 5.18, 6.10): MADV_DONTNEED{,_LOCKED} runs under
 *     mmap_read_lock() instead of the per-VMA lock.
 */
export type KernelEra = "5.14" | "5.18" | "6.10" | "6.18";
/** Every KernelEra, oldest first. */
export const KERNEL_ERAS: readonly KernelEra[] = ["5.14", "5.18", "6.10", "6.18"];
/** The era with no plugin, or a plugin that declares none. */
export const DEFAULT_KERNEL_ERA: KernelEra = "6.18";

/**
 * Which kernel API a pte_offset_map() caller uses, passed by core to the
 * `pte_offset_map` / `pte_unmap` hooks (the 2021/2022 designs treat them apart):
 *   - "tryget": ordinary walkers (faults, zap, madvise, mprotect, mremap, GUP
 *     slow, the khugepaged scan, page_vma_mapped_walk): the callers the designs
 *     converted to pte_tryget_map{,_lock}();
 *   - "stable": the table cannot go away under the caller (mmap_lock held for
 *     write, or a table not yet visible): fork's copy_pte_range() source table,
 *     collapse_huge_page(), the split-deposit path: 2022's __pte_offset_map() /
 *     __pte_unmap(), no reference;
 *   - "lockless": GUP-fast with IRQs off (gup_pte_range()): no reference.
 */
export type PteMapKind = "tryget" | "stable" | "lockless";

/** The machine a plugin runs on: its arch and clock (the kernel's globals). */
export interface kernel_t {
  /** The arch: entry encoding (pte_none, pxd_pfn, ...) and geometry (PTRS_PER_PTE, PMD_SIZE). */
  readonly arch: Arch;
  /** The kernel release whose paths run (the plugin's `era`; "6.18" by default). */
  readonly era: KernelEra;
  /** jiffies, at HZ (250). */
  readonly jiffies: number;
}

/** struct mm_struct, as a plugin may see it. */
export interface mm_struct {
  /** Model id of the mm (stable for its lifetime). */
  readonly id: number;
  readonly mmap_lock: rw_semaphore;
  /** mm->page_table_lock */
  readonly page_table_lock: spinlock_t;
  /** exit_mmap() has run (the kernel tests mm_users / MMF flags). */
  readonly exited: boolean;
  /** Per-mm model statistics a plugin updates (not a kernel field). */
  readonly counters: {
    /** PTE tables freed by the reclaim plugin; `mmsim run` reports it. */
    pte_tables_reclaimed: number;
  };
}

/** struct vm_area_struct, for anonymous memory. */
export interface vm_area_struct {
  readonly vm_start: number;
  readonly vm_end: number;
  readonly vm_flags: number;
}

/** struct task_struct (`current` in the kernel). */
export interface task_struct {
  readonly pid: number;
  readonly comm: string;
  /** CPU the task runs on (smp_processor_id()). */
  readonly cpu: number;
  readonly mm: mm_struct | null;
  /** The machine: arch and clock. */
  readonly k: kernel_t;
}

/** struct mmu_gather */
export interface mmu_gather {
  readonly mm: mm_struct;
  /** Tearing down the whole mm (exit_mmap). */
  readonly fullmm: boolean;
  /** A page-table page was freed through this gather: the flush must reach lazy-TLB CPUs. */
  readonly freed_tables: boolean;
}

/** atomic_t */
export interface atomic_t {
  readonly counter: number;
}

/** struct percpu_ref */
export interface percpu_ref {
  /** percpu_ref_kill() was called: tryget_live fails. */
  readonly dead: boolean;
  /** The release callback ran. */
  readonly released: boolean;
}

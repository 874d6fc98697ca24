/**
 * The machine as every kernel path sees it (`t.k`): the kernel's globals, one
 * struct, with the plugin's hooks and the sanitizer's checks it calls into.
 * Declarations only: kernel.ts implements Kernel, plugin/plugin.ts builds the
 * Hooks, check/sanitizer.ts implements the Sanitizer; a layer below them
 * reaches them through these interfaces, never by importing them.
 */
import type { Arch, BulkTwin, ReclaimPlugin, TableFreeTarget, kernel_t } from "@mmsim/spec";
import type { MmStruct, PageFrames, PtStore } from "./mm_types.js";
import type { VmCommit } from "./overcommit.js";
import type { SwapInfo } from "./swap.js";
import type { Task } from "./sched.js";
import type { Rcu, Srcu } from "./sync.js";
import type { TlbModel } from "./tlb.js";

/** How a `.pmd_entry` callback that may sleep keeps its tables alive under RCU-freed upper levels (seed 001's open question). */
export type PmdEntrySleep = "srcu" | "rcu-refcount";

/** Machine-wide event counters (vmstat-like). */
export interface KernelCounters {
  /** Page-table pages handed to tlb_remove_table (deferred behind flush + RCU). */
  tables_deferred: number;
  /** ... of which freed by their RCU callback. */
  tables_freed_rcu: number;
  /** RCU callbacks queued for table batches. */
  rcu_table_batches: number;
}

/** The plugin's hooks normalised to `null` when absent, for one cheap test on hot paths. */
export interface Hooks {
  pte_table_ctor: NonNullable<ReclaimPlugin["pte_table_ctor"]> | null;
  pte_table_dtor: NonNullable<ReclaimPlugin["pte_table_dtor"]> | null;
  track_pte_set: NonNullable<ReclaimPlugin["track_pte_set"]> | null;
  track_pte_clear: NonNullable<ReclaimPlugin["track_pte_clear"]> | null;
  pte_offset_map: NonNullable<ReclaimPlugin["pte_offset_map"]> | null;
  pte_unmap: NonNullable<ReclaimPlugin["pte_unmap"]> | null;
  pmd_install_get: NonNullable<ReclaimPlugin["pmd_install_get"]> | null;
  pte_put: NonNullable<ReclaimPlugin["pte_put"]> | null;
  reclaim_pt_is_enabled: NonNullable<ReclaimPlugin["reclaim_pt_is_enabled"]> | null;
  zap_pte_range_locked: NonNullable<ReclaimPlugin["zap_pte_range_locked"]> | null;
  zap_pte_range_end: NonNullable<ReclaimPlugin["zap_pte_range_end"]> | null;
  zap_pte_range_done: NonNullable<ReclaimPlugin["zap_pte_range_done"]> | null;
  zap_pmd_range_done: NonNullable<ReclaimPlugin["zap_pmd_range_done"]> | null;
  madvise_free_pte_range: NonNullable<ReclaimPlugin["madvise_free_pte_range"]> | null;
  try_to_unmap_one: NonNullable<ReclaimPlugin["try_to_unmap_one"]> | null;
  try_to_unmap_one_done: NonNullable<ReclaimPlugin["try_to_unmap_one_done"]> | null;
  try_to_unmap_one_redirty: NonNullable<ReclaimPlugin["try_to_unmap_one_redirty"]> | null;
  free_pte_range: NonNullable<ReclaimPlugin["free_pte_range"]> | null;
  task_work: NonNullable<ReclaimPlugin["task_work"]> | null;
  scheduler_tick: NonNullable<ReclaimPlugin["scheduler_tick"]> | null;
  shrink: NonNullable<ReclaimPlugin["shrink"]> | null;
  madvise_update_vma: NonNullable<ReclaimPlugin["madvise_update_vma"]> | null;
  exit_mmap: NonNullable<ReclaimPlugin["exit_mmap"]> | null;
  /** The bulk twins (spec's BulkTwin: the hook's `sync` property) of spec's BULK_TWIN_HOOKS, or null. */
  zap_pte_range_locked_sync: BulkTwin<NonNullable<ReclaimPlugin["zap_pte_range_locked"]>> | null;
  zap_pte_range_end_sync: BulkTwin<NonNullable<ReclaimPlugin["zap_pte_range_end"]>> | null;
  zap_pte_range_done_sync: BulkTwin<NonNullable<ReclaimPlugin["zap_pte_range_done"]>> | null;
}

/**
 * The runtime checks kernel paths call when exploring (Kernel.sanitizer; null in
 * bulk runs). check/sanitizer.ts implements them; each throws at the operation
 * that breaks its rule.
 */
export interface Sanitizer {
  /** A load of entry pointer `p` (page-table use after free). */
  entry_read(t: Task, p: number): void;
  /** A store to PTE pointer `p` (use after free; the PTE lock held). */
  pte_write(t: Task, p: number): void;
  /** A store to an upper-level entry `p` (use after free; the PMD lock held). */
  pxd_write(t: Task, p: number): void;
  /** tlb_remove_table(): the caller has unlinked `pfn` and hands it over for freeing. */
  table_unlinked(t: Task, pfn: number): void;
  /** The page-table page is really being freed (RCU callback, or pte_free). */
  table_freed(pfn: number): void;
  /** A CPU's hardware walker used a cached PMD→table pointer to a freed or reused table. */
  stale_walk(cpu: number, table: number, addr: number, level?: "PMD" | "PUD"): void;
  /** A data page is freed (after the flush): no CPU that runs the mm may still translate to it. */
  page_freed(pfn: number): void;
  /** lockdep: `cls` is acquired while `t` holds its other locks; `lock` (the lock itself) must not have been freed with its table. */
  lock_acquire(t: Task, cls: string, trylock: boolean, lock?: object): void;
  /** might_sleep(): `t` may sleep here (rule: not inside an RCU read-side section, IRQs on). */
  might_sleep(t: Task, what: string): void;
  /** Tasks in free_pgtables(), which clears entries of detached VMAs without the PTL, as Linux does. */
  readonly no_ptl_ok: WeakSet<Task>;
}

/**
 * The kernel: one machine's shared state (physical memory, page-table pages, RCU,
 * the TLB model, the arch, the reclaim plugin) and the mms and tasks on it.
 */
export interface Kernel extends kernel_t {
  readonly arch: Arch;
  /** The reclaim strategy; null for Linux without page-table reclaim. */
  readonly plugin: ReclaimPlugin | null;
  readonly hooks: Hooks;
  readonly frames: PageFrames;
  readonly pt: PtStore;
  readonly rcu: Rcu;
  /** The page-table SRCU domain (used only by the "srcu" pmd_entry_sleep option). */
  readonly srcu: Srcu;
  /**
   * Seed 001's "another plan" (KernelOptions.rcu_upper_levels): PMD and PUD
   * tables may be freed (through RCU) while the mm lives, so walkers map them with
   * pmd_offset_map()/pud_offset_map() and handle failure. Off: Linux 6.18.
   */
  readonly rcu_upper: boolean;
  /** With rcu_upper: how a sleeping `.pmd_entry` walker is protected. */
  readonly pmd_entry_sleep: PmdEntrySleep;
  readonly tlb: TlbModel;
  /** /sys/kernel/mm/transparent_hugepage/{enabled,use_zero_page} */
  readonly thp: { enabled: "always" | "madvise" | "never"; use_zero_page: boolean };
  /** Deposited PTE tables of huge PMDs (pgtable_trans_huge_deposit), by PMD entry pointer. */
  readonly deposit: Map<number, number>;
  /** Overcommit accounting: the vm.overcommit_* sysctls, totalram, swap and Committed_AS, in pages (mm/overcommit.ts). */
  readonly vm_commit: VmCommit;
  /** The swap device (swap_info[0]), or null without swap (the default). */
  swap_info: SwapInfo | null;
  /** The model's clock (ns), and jiffies at HZ. */
  now_ns: number;
  jiffies: number;
  readonly counters: KernelCounters;
  readonly mms: Map<number, MmStruct>;
  /** The task each CPU is running (for IPI delivery), or null when idle. */
  readonly cpu_curr: (Task | null)[];
  /** Runtime checks (check/sanitizer.ts); null in bulk runs. */
  sanitizer: Sanitizer | null;
  readonly tasks: Task[];
  readonly PMD_SIZE: number;
  readonly PUD_SIZE: number;
  readonly P4D_SIZE: number;
  readonly PGDIR_SIZE: number;
  /** mm_alloc() + mm_init(): an empty mm with its PGD page. */
  mm_alloc(): MmStruct;
  /** A task running `mm` on `cpu`; the CPU switches to the mm. */
  new_task(mm: MmStruct | null, cpu?: number, comm?: string): Task;
  new_anon_vma(): number;
  new_file_id(): number;
  /** Advance the clock by `ns` on `t`'s CPU; each jiffy crossed is a scheduler tick (task_tick_fair). */
  advance(t: Task, ns: number): void;
  /** What the arch's pte_free_defer() / __pte_free_tlb() drive: RCU and the free of a table page. */
  table_free_target(mm: MmStruct): TableFreeTarget;
  /** __tlb_remove_table(): the RCU callback's free of one page-table page. */
  __tlb_remove_table(mm: MmStruct, pfn: number): void;
}

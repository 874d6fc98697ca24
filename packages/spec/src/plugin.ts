/**
 * The reclaim-plugin contract, version "v1". With no plugin the engine is Linux
 * without page-table reclaim. A plugin reaches the kernel only through these hooks
 * and the functions `@mmsim/core/kernel` exports, so its source reads like the
 * patch it models.
 *
 * Every hook is optional. A hook typed `KPath` must be a generator (`function*`):
 * it runs as a kernel path, stepped by the explorer at each preemption point. The
 * others are plain functions called where the kernel cannot sleep or be
 * preempted; they must not take locks, sleep or free.
 *
 * Contexts below: "mmap_lock (read)" means the caller holds mmap_read_lock(mm)
 * or, where the kernel allows it, the VMA's per-VMA read lock instead.
 */
import type { pmd_t } from "./arch.js";
import type { KPath, KernelEra, PteMapKind, kernel_t, mm_struct, mmu_gather, pmd_ptr, pte_ptr, pud_ptr, spinlock_t, task_struct, vm_area_struct } from "./kernel.js";

/** The contract version this package describes. A plugin declares the one it implements. */
export const SPECIFICATION_VERSION = "v1";

/** struct zap_details, for anonymous memory. */
export interface ZapDetails {
  /** Leave COWed anon pages (never set by the paths modelled). */
  readonly skip_cows: boolean;
  /** Set only by madvise_dontneed_single_vma(): the zap may free empty PTE tables. */
  readonly reclaim_pt: boolean;
  /** ZAP_FLAG_DROP_MARKER | ZAP_FLAG_UNMAP: set by unmap_vmas(). */
  readonly unmap: boolean;
}

/** zap_pte_range()'s locals a reclaim plugin reads and writes. */
export interface ZapPteState {
  /** can_reclaim_pt: reclaim_pt_is_enabled(), cleared when an entry is skipped. */
  can_reclaim_pt: boolean;
  /** direct_reclaim: true until the PTE lock was dropped midway (need_resched / force_break). */
  direct_reclaim: boolean;
  /** addr reached; equals end when the whole slice was walked in one PTE-lock hold. */
  addr: number;
  /** The PMD value taken by the fast path (pmd_t pmdval). */
  pmdval: pmd_t;
}

/**
 * struct scan_control (mm/vmscan.c), as a `shrink` hook sees it: one pass of
 * shrink_node() over the anon LRU, by kswapd (balance_pgdat → kswapd_shrink_node)
 * or by direct reclaim (try_to_free_pages → do_try_to_free_pages) in the task
 * that failed an allocation.
 */
export interface ScanControl {
  /** sc->nr_to_reclaim: pages this pass tries to free. */
  readonly nr_to_reclaim: number;
  /** sc->nr_reclaimed: pages freed so far (folios discarded or written to swap by shrink_folio_list). */
  nr_reclaimed: number;
  /** Pages scanned on the LRU so far (sc->nr_scanned). */
  nr_scanned: number;
  /**
   * Page-table pages freed by the `shrink` hook in this pass (model: no such
   * field in the kernel; a table shrinker adds what it freed). Not counted into
   * nr_reclaimed: the pages are freed after an RCU grace period, outside the
   * pass (Linux counts only slab pages freed during it, reclaim_state).
   */
  nr_pt_reclaimed: number;
  /** sc->priority: DEF_PRIORITY (12) down to 0; each pass scans lru_size >> priority. */
  readonly priority: number;
  /** current_is_kswapd(): true in kswapd (a kernel thread: mm == null, lazy TLB), false for direct reclaim. */
  readonly kswapd: boolean;
  /** sc->may_swap: anon folios may go to a swap device (when one is configured). */
  readonly may_swap: boolean;
  /** sc->gfp_mask (GFP_KERNEL for kswapd, GFP_HIGHUSER_MOVABLE for a user fault). */
  readonly gfp_mask: number;
}

/**
 * A madvise() advice a plugin adds (an extension point: core knows only
 * Linux's). madvise_behavior_valid() accepts it; it runs as MADV_HUGEPAGE does
 * (hugepage_madvise → madvise_update_vma): under mmap_write_lock, each VMA in
 * the range split or merged by vma_modify so that [start, end) gets
 * `vm_flags = (vm_flags & ~clear) | set`; then the plugin's
 * `madvise_update_vma` hook runs for each VMA. Only VM_PLUGIN_MASK bits.
 */
export interface PluginAdvice {
  /** The name scripts and reports use, e.g. "pt_reclaim". */
  readonly name: string;
  /** The advice value: one Linux does not use (Linux: 0-25, 100-103). */
  readonly behavior: number;
  /** vm_flags bits to set, within VM_PLUGIN_MASK. */
  readonly set: number;
  /** vm_flags bits to clear, within VM_PLUGIN_MASK. */
  readonly clear: number;
}

/** What a plugin can do, so the conformance kit can pick its suites (like abstract-level's `supports`). */
export interface ReclaimSupports {
  /** Frees empty PTE tables during MADV_DONTNEED. */
  madv_dontneed?: boolean;
  /** Frees PTE tables emptied by MADV_FREE (after reclaim of the lazily freed folios). */
  madv_free?: boolean;
  /** Scans and frees asynchronously (task_work / scheduler tick). */
  async_scan?: boolean;
  /** Frees tables only after an RCU grace period. */
  rcu_table_free?: boolean;
  /** Frees tables that map only the zero page. */
  zero_page_tables?: boolean;
  /** Adds the MADV_PT_RECLAIM advice (`madvise_advice`) and frees the marked VMAs' emptied tables from the reclaim path (the kit's scenarios that need it: `requires: "madv_pt_reclaim"`). */
  madv_pt_reclaim?: boolean;
  /** Replaces the RCU walker protection with a per-table reference. */
  walker_refcount?: "atomic" | "percpu";
  /** Frees PMD (or PUD) tables while the mm lives: needs the kernel's RCU-freed upper levels (KernelOptions.rcu_upper_levels), which it turns on. */
  rcu_upper_levels?: boolean;
  /** With rcu_upper_levels: how sleeping `.pmd_entry` walkers are protected ("srcu" or "rcu-refcount"; KernelOptions.pmd_entry_sleep). */
  pmd_entry_sleep?: "srcu" | "rcu-refcount";
  [extra: string]: unknown;
}

/** What a plugin's pte_offset_map hook returns: the mapped PTE and the PMD value it was mapped from. */
export interface PteMapping {
  pte: pte_ptr;
  pmdval: pmd_t;
}

export interface ReclaimPlugin {
  /** The contract version implemented: "v1". Core refuses a version it does not know. */
  readonly specificationVersion: typeof SPECIFICATION_VERSION;
  readonly name: string;
  readonly version: string;
  /** The kernel design modelled: seed thread, series and kernel version. */
  readonly models: string;
  readonly supports: ReclaimSupports;
  /**
   * The kernel release the patch was written against; the engine runs that
   * era's paths (pte_offset_map_lock() without the 6.5 pmd_same() recheck,
   * MADV_DONTNEED under mmap_read_lock() before 6.16, ...). Default "6.18".
   */
  readonly era?: KernelEra;

  /** The madvise() advice this plugin adds (data, not a hook): see PluginAdvice. */
  readonly madvise_advice?: readonly PluginAdvice[];

  /** Once, when an engine is built with this plugin, before any mm exists. */
  attach?(k: kernel_t): void;

  /**
   * pagetable_pte_ctor(), from pte_alloc_one(): a new PTE table, not yet visible
   * to anyone (before pmd_install()). No locks held. Plain function: initialise
   * per-table state (a refcount, a percpu_ref).
   */
  pte_table_ctor?(k: kernel_t, mm: mm_struct, pfn: number): void;
  /**
   * pagetable_dtor(), when the PTE table page is really freed: at once for
   * pte_free(); for pte_free_tlb() and pte_free_defer() in the RCU callback after
   * the grace period (__tlb_remove_table / pte_free_now), as Linux >= 6.14 does
   * and as 2022's pte_free_rcu() did. No locks held (RCU callback context). Plain
   * function: drop per-table state.
   */
  pte_table_dtor?(k: kernel_t, mm: mm_struct, pfn: number): void;
  /**
   * set_pte_at() / ptep_modify(): an entry changed from `old` to `pte`. Called
   * under the PTE lock (or with the table private to the caller). Plain function:
   * count entries per table; must not take locks or free.
   */
  track_pte_set?(k: kernel_t, ptep: pte_ptr, old: number, pte: number): void;
  /** ptep_get_and_clear(): an entry was cleared (was `old`). Same context as track_pte_set. */
  track_pte_clear?(k: kernel_t, ptep: pte_ptr, old: number): void;

  /**
   * __pte_offset_map(pmd, addr, &pmdval): replaces the default protection of a
   * mapped PTE table (rcu_read_lock(), Linux 6.5+) for every walker that maps one
   * (faults, zap, madvise, mprotect, the kit's walkers); the 2021/2022 designs'
   * pte_tryget_map. Returns null when the PMD is none, not a table, or the table
   * is going away. The table must stay valid until the matching pte_unmap hook.
   * `kind` says which API the caller uses ("tryget": an ordinary walker;
   * "stable": the table cannot go away, e.g. fork's source table; "lockless":
   * GUP-fast with IRQs off); the plugin decides what each kind takes.
   * Kernel path: may take atomics/RCU; must not sleep.
   */
  pte_offset_map?(t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind): KPath<PteMapping | null>;
  /** pte_unmap(pte): ends what the pte_offset_map hook began, with the same `kind`. Kernel path. */
  pte_unmap?(t: task_struct, ptep: pte_ptr, kind: PteMapKind): KPath;

  /**
   * pmd_install_get() / pte_alloc_get() (2021 pte_refcount, v2 5/9): the
   * install-time reference. Called by core's pmd_install() and pte_alloc_get()
   * with the PMD lock held, once `pmdp` maps a PTE table: `installed` when this
   * call has just populated it (pte_ref_init(pte, pmd, 1): the one reference is
   * the installer's), otherwise the table was there (pte_get_unless_zero()).
   * Returns false when the table is dying (its count reached 0 and its last put
   * is freeing it): core drops the PMD lock and retries until the PMD is cleared.
   * On true the caller (the fault paths: do_anonymous_page, finish_fault,
   * do_fault_around) holds one reference until it calls the `pte_put` hook.
   * Kernel path; must not take the PMD lock (held) or sleep.
   */
  pmd_install_get?(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, installed: boolean): KPath<boolean>;
  /**
   * pte_put(mm, pmd, addr) (2021 pte_refcount): drops the reference the
   * `pmd_install_get` hook gave a fault path, after its pte_unmap_unlock(). Held:
   * mmap_lock (read); no spinlock. Kernel path; may free the table (pmd_lock).
   */
  pte_put?(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number): KPath;

  /**
   * reclaim_pt_is_enabled(start, end, details): at the start of each
   * zap_pte_range() over [start, end), no PTE lock held. Pure: decides
   * can_reclaim_pt.
   */
  reclaim_pt_is_enabled?(k: kernel_t, start: number, end: number, details: ZapDetails | null): boolean;
  /**
   * zap_pte_range(), when the whole [start, end) was zapped in one PTE-lock hold
   * and nothing was skipped (can_reclaim_pt && direct_reclaim && addr == end).
   * Held: the PTE lock `ptl`, mmap_lock (read). Kernel path; may trylock the
   * PMD lock (never spin on it: ABBA against pmd_lock → PTE lock), must not drop
   * `ptl`, must not sleep. Sets `st.direct_reclaim`/`st.pmdval` for zap_pte_range_end.
   */
  zap_pte_range_locked?(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, ptl: spinlock_t, st: ZapPteState): KPath;
  /**
   * zap_pte_range() after pte_unmap_unlock(), when can_reclaim_pt. Held:
   * mmap_lock (read); no spinlock. Kernel path; may take the PMD and PTE locks,
   * unlink the table and free it with pte_free_tlb(tlb, ...) (flushed at
   * tlb_finish_mmu). Must not sleep (the gather is open).
   */
  zap_pte_range_end?(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, st: ZapPteState): KPath;
  /**
   * The end of every zap_pte_range() over [start, ...) that mapped its table,
   * whatever was skipped and whatever the length (not gated by can_reclaim_pt).
   * `details` tells the caller: MADV_DONTNEED sets `reclaim_pt`, unmap_vmas()
   * (munmap, exit) sets `unmap` (2022: free_pte = zap_page_range{,_single}).
   * Held: mmap_lock (read) or the VMA lock; no spinlock; the gather is open.
   * Kernel path; may take the PMD/PTE locks, free, and sleep.
   */
  zap_pte_range_done?(t: task_struct, tlb: mmu_gather, mm: mm_struct, pmdp: pmd_ptr, start: number, details: ZapDetails | null): KPath;

  /**
   * zap_pud_range(), after zap_pmd_range() of one PUD entry's slice [addr, end)
   * of `vma`, and after pmd_unmap(): the reclaim point for a PMD table the zap
   * may have emptied (seed 001's "another plan", issue #12 §4). Called only when
   * the kernel frees upper levels through RCU (Kernel.rcu_upper, which a plugin
   * turns on with `supports.rcu_upper_levels`). Held: mmap_lock (read) or the
   * VMA lock; no spinlock, no RCU section; the gather is open. Kernel path; may
   * take pud_lock (mm->page_table_lock) then the PMD table's pmd_lock nested,
   * clear the PUD and free the table through `tlb` (pmd_free_tlb: freed_tables,
   * then RCU). Must not sleep. Must leave no PMD table freed that still has a
   * non-none entry or that a walker could reach without RCU.
   */
  zap_pmd_range_done?(t: task_struct, tlb: mmu_gather, vma: vm_area_struct, pudp: pud_ptr, addr: number, end: number, details: ZapDetails | null): KPath;

  /**
   * madvise_free_pte_range(), after the walk of one PTE table over [addr, end):
   * the PTE lock released. `have_lazyfree`: a folio of this table was marked
   * lazily free (2022: switch_back = !have_lazyfree). Held: mmap_lock (read) or
   * the VMA lock. Kernel path; may lock, free through `tlb`, and sleep.
   */
  madvise_free_pte_range?(t: task_struct, tlb: mmu_gather, vma: vm_area_struct, pmdp: pmd_ptr, addr: number, end: number, have_lazyfree: boolean): KPath;
  /**
   * try_to_unmap_one(), after a lazily freed folio mapped at `addr` was
   * discarded from its PTE. Held: the PTE lock (page_vma_mapped_walk). Kernel
   * path; must not sleep or drop the PTE lock.
   */
  try_to_unmap_one?(t: task_struct, vma: vm_area_struct, pmdp: pmd_ptr, addr: number): KPath;
  /**
   * try_to_unmap_one() for a lazily freed folio mapped at `addr` that it
   * discarded (2022: PVMW_MADV_FREE), once page_vma_mapped_walk() has left the
   * PTE table: page_vma_mapped_walk_done() ran, the PTE lock is released and the
   * walker's reference put. Held: mmap_lock (read). Kernel path; may take the
   * PMD lock and free the table. (Model: reclaim is MADV_PAGEOUT's walk; the hook
   * runs after that walk's pte_unmap_unlock(), once per discarded folio, in order.)
   */
  try_to_unmap_one_done?(t: task_struct, vma: vm_area_struct, pmdp: pmd_ptr, addr: number): KPath;
  /**
   * try_to_unmap_one(), re-dirty path: a lazily freed folio at `addr` was written
   * again (folio_set_swapbacked(), ret = false), after page_vma_mapped_walk_done():
   * the PTE lock released. Held: mmap_lock (read). Kernel path; may sleep.
   */
  try_to_unmap_one_redirty?(t: task_struct, vma: vm_area_struct, pmdp: pmd_ptr, addr: number): KPath;
  /**
   * free_pgtables() → free_pte_range(tlb, pmd, addr): a PTE table still mapped
   * when its VMAs are gone (munmap, exit). Held: mmap_lock (write) or the mm is
   * dying; the VMAs are unreachable. Return true when the plugin has dealt with
   * the table (core then skips its pmd_clear + pte_free_tlb), false for core's
   * default free. The 2021 design BUG()s here (every table must have gone by
   * refcount). Kernel path.
   */
  free_pte_range?(t: task_struct, tlb: mmu_gather, pmdp: pmd_ptr, addr: number): KPath<boolean>;
  /**
   * task_work_run() on return to user space, once queued with task_work_add().
   * No locks held; may sleep and take mmap_lock. Kernel path.
   */
  task_work?(t: task_struct, mm: mm_struct): KPath;
  /**
   * task_tick_fair(): every jiffy on the running task with an mm. Interrupt
   * context: plain function; must not sleep or take locks; may task_work_add().
   */
  scheduler_tick?(t: task_struct, mm: mm_struct): void;
  /**
   * shrink_node(), after shrink_lruvec()'s anon LRU pass (folio reclaim first:
   * clean lazily freed folios were discarded, which is what empties MADV_FREE'd
   * PTE tables), where shrink_slab() runs: a page-table shrinker. `t` is kswapd
   * (a kernel thread: `t.mm` is null and its CPU is in lazy-TLB mode on whatever
   * mm ran before) or, for direct reclaim, the task whose allocation failed.
   * Held on entry: nothing. Must not block on an mmap_lock: take it with
   * mmap_read_trylock() and skip the mm when that fails (reclaim may run under a
   * task that holds its own mmap_lock). May take PMD/PTE locks, free tables
   * through an mmu_gather set up on that mm (tlb_gather_mmu / tlb_finish_mmu),
   * and sleep between mms. Must leave no lock held; adds the page-table pages it
   * freed to `sc.nr_pt_reclaimed` (and to `mm.counters.pte_tables_reclaimed`).
   * Kernel path.
   */
  shrink?(t: task_struct, sc: ScanControl): KPath;
  /**
   * madvise_update_vma() for one of the plugin's own advice (`madvise_advice`):
   * `vma` now has its new flags (after any split/merge). Held: mmap_lock
   * (write). Kernel path; may record the mm (khugepaged_enter_vma: a global
   * mm list) and allocate; must not take mmap_lock or free tables.
   */
  madvise_update_vma?(t: task_struct, vma: vm_area_struct, behavior: number): KPath;
  /**
   * __mmput() → exit_mmap(mm): the mm is being torn down (khugepaged_exit's
   * place, before exit_mmap): drop it from any list the plugin keeps. Held:
   * nothing (mmap_lock is taken after). Kernel path; may take the plugin's
   * own locks; must not free tables (free_pgtables does).
   */
  exit_mmap?(t: task_struct, mm: mm_struct): KPath;
}

/** The hook names, in the order the table in core's README lists them. */
export const RECLAIM_HOOKS = [
  "attach",
  "pte_table_ctor",
  "pte_table_dtor",
  "track_pte_set",
  "track_pte_clear",
  "pte_offset_map",
  "pte_unmap",
  "pmd_install_get",
  "pte_put",
  "reclaim_pt_is_enabled",
  "zap_pte_range_locked",
  "zap_pte_range_end",
  "zap_pte_range_done",
  "zap_pmd_range_done",
  "madvise_free_pte_range",
  "try_to_unmap_one",
  "try_to_unmap_one_done",
  "try_to_unmap_one_redirty",
  "free_pte_range",
  "task_work",
  "scheduler_tick",
  "shrink",
  "madvise_update_vma",
  "exit_mmap",
] as const satisfies readonly (keyof ReclaimPlugin)[];
export type ReclaimHookName = (typeof RECLAIM_HOOKS)[number];

/**
 * A kernel-path hook's bulk twin (optional): a plain function with the hook's
 * arguments that does what running the hook to completion does on a task that is
 * not stepping, and returns the same value, without generator objects. The hook
 * carries it as its `sync` property (`bulk_twin(hook, twin)` from
 * `@mmsim/core/kernel` attaches it), so a plugin that reuses another's hook gets
 * its twin with it, and one that replaces the hook does not. Write it as
 * `(...args) => run_to_completion(hook(...args))`: core's build-time desync turns
 * that into a call of the hook's derived twin (a plugin built without desync still
 * gets the generator run to completion). Core calls it instead of the generator
 * only where nothing observes single steps (no stepping, no sanitizer, range
 * batches on: core's mm/range_batch.ts); the explorer steps the generator, and
 * `batch: false` runs it to completion (the bench's digest test compares the two).
 * Model difference: Linux has no generators; this is how the simulator runs a
 * hook fast.
 */
export type BulkTwin<F> = F extends (...args: infer A) => KPath<infer R> ? (...args: A) => R : never;

/** The kernel-path hooks whose bulk twins core calls (zap_pte_range(), once per PTE table). */
export const BULK_TWIN_HOOKS = ["zap_pte_range_locked", "zap_pte_range_end", "zap_pte_range_done"] as const satisfies readonly ReclaimHookName[];

/** Hooks that are kernel paths and must be generator functions. */
export const KPATH_HOOKS: ReadonlySet<ReclaimHookName> = new Set([
  "pte_offset_map",
  "pte_unmap",
  "pmd_install_get",
  "pte_put",
  "zap_pte_range_locked",
  "zap_pte_range_end",
  "zap_pte_range_done",
  "zap_pmd_range_done",
  "zap_pmd_range_done",
  "madvise_free_pte_range",
  "try_to_unmap_one",
  "try_to_unmap_one_done",
  "try_to_unmap_one_redirty",
  "free_pte_range",
  "task_work",
  "shrink",
  "madvise_update_vma",
  "exit_mmap",
]);

/**
 * The interface every reclaim strategy implements. With no plugin the engine is
 * Linux without page-table reclaim. A plugin reaches the kernel only through these
 * hooks and the kernel API @mmsim/core exports (locks, entry accessors, mmu_gather,
 * accounting), so its source reads like the patch it models.
 *
 * | hook | called from (kernel function) | seed design that needs it |
 * |---|---|---|
 * | pte_table_ctor / pte_table_dtor | pagetable_pte_ctor / pagetable_dtor | 2021 pte_refcount init, 2022 percpu_ref init/exit |
 * | track_pte_set / track_pte_clear | set_pte_at / ptep_get_and_clear | 2021/2022: count entries per table |
 * | pte_offset_map / pte_unmap | __pte_offset_map / pte_unmap | 2021 pte_tryget_map{,_lock}; 2022 percpu_ref_tryget; default is RCU (6.5+) |
 * | reclaim_pt_is_enabled | zap_pte_range (can_reclaim_pt) | 2024 sync (001): pte_table_reclaim_possible |
 * | zap_pte_range_locked | zap_pte_range, PTE lock held, before pte_unmap_unlock | 001: try_get_and_clear_pmd (fast path) |
 * | zap_pte_range_end | zap_pte_range after unlock | 001: free_pte / try_to_free_pte (slow path) |
 * | madvise_free_pte_range | madvise_free_pte_range, after the walk of one table | 002 percpu_ref put on MADV_FREE; 001 step 2 |
 * | try_to_unmap_one | try_to_unmap_one (reclaim of a lazily freed folio) | 2021/2022: drop the table's count |
 * | task_work | return to user space (task_work_run), when queued with task_work_add() | 2024 async (000): freept scan |
 * | scheduler_tick | task_tick_fair | 000: task_tick_mm_pgtable arms the task_work |
 * | shrink | memory-reclaim pass (shrink_node) | 001 step 2: reclaim-path scanning |
 */
import type { Kernel } from "../kernel.js";
import type { MmStruct } from "../mm/mm_struct.js";
import type { Vma } from "../mm/vma.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { MmuGather } from "../tlb/mmu_gather.js";

/** struct zap_details, for anonymous memory. */
export interface ZapDetails {
  /** Leave COWed anon pages (never set by the paths modelled). */
  skip_cows: boolean;
  /** Set only by madvise_dontneed_single_vma(): the zap may free empty PTE tables. */
  reclaim_pt: boolean;
  /** ZAP_FLAG_DROP_MARKER | ZAP_FLAG_UNMAP: set by unmap_vmas(). */
  unmap: boolean;
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
  pmdval: number;
}

/** What a plugin can do, so the conformance kit can pick its suites (like level-supports). */
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
  /** Replaces the RCU walker protection with a per-table reference. */
  walker_refcount?: "atomic" | "percpu";
  [extra: string]: unknown;
}

export interface ReclaimPlugin {
  readonly name: string;
  readonly version: string;
  /** The kernel design modelled: seed thread, series and kernel version. */
  readonly models: string;
  readonly supports: ReclaimSupports;

  /** Called once when an engine is built with this plugin. */
  attach?(k: Kernel): void;

  pte_table_ctor?(k: Kernel, mm: MmStruct, pfn: number): void;
  pte_table_dtor?(k: Kernel, mm: MmStruct, pfn: number): void;
  track_pte_set?(k: Kernel, ptep: number, old: number, pte: number): void;
  track_pte_clear?(k: Kernel, ptep: number, old: number): void;

  pte_offset_map?(t: Task, pmdp: number, addr: number): KPath<number>;
  pte_unmap?(t: Task, ptep: number): KPath;

  reclaim_pt_is_enabled?(start: number, end: number, details: ZapDetails | null): boolean;
  zap_pte_range_locked?(t: Task, mm: MmStruct, pmdp: number, ptl: object, st: ZapPteState): KPath;
  zap_pte_range_end?(t: Task, tlb: MmuGather, mm: MmStruct, pmdp: number, start: number, st: ZapPteState): KPath;

  madvise_free_pte_range?(t: Task, tlb: MmuGather, vma: Vma, pmdp: number, addr: number, end: number): KPath;
  try_to_unmap_one?(t: Task, vma: Vma, pmdp: number, addr: number): KPath;
  task_work?(t: Task, mm: MmStruct): KPath;
  scheduler_tick?(t: Task, mm: MmStruct): void;
  shrink?(t: Task, mm: MmStruct): KPath;
}

/** The plugin's hooks normalised to `null` when absent, for one cheap test on hot paths. */
export interface Hooks {
  pte_table_ctor: NonNullable<ReclaimPlugin["pte_table_ctor"]> | null;
  pte_table_dtor: NonNullable<ReclaimPlugin["pte_table_dtor"]> | null;
  track_pte_set: NonNullable<ReclaimPlugin["track_pte_set"]> | null;
  track_pte_clear: NonNullable<ReclaimPlugin["track_pte_clear"]> | null;
  pte_offset_map: NonNullable<ReclaimPlugin["pte_offset_map"]> | null;
  pte_unmap: NonNullable<ReclaimPlugin["pte_unmap"]> | null;
  reclaim_pt_is_enabled: NonNullable<ReclaimPlugin["reclaim_pt_is_enabled"]> | null;
  zap_pte_range_locked: NonNullable<ReclaimPlugin["zap_pte_range_locked"]> | null;
  zap_pte_range_end: NonNullable<ReclaimPlugin["zap_pte_range_end"]> | null;
  madvise_free_pte_range: NonNullable<ReclaimPlugin["madvise_free_pte_range"]> | null;
  try_to_unmap_one: NonNullable<ReclaimPlugin["try_to_unmap_one"]> | null;
  task_work: NonNullable<ReclaimPlugin["task_work"]> | null;
  scheduler_tick: NonNullable<ReclaimPlugin["scheduler_tick"]> | null;
  shrink: NonNullable<ReclaimPlugin["shrink"]> | null;
}

export function hooks_of(p: ReclaimPlugin | null): Hooks {
  const b = <K extends keyof Hooks>(key: K): Hooks[K] => {
    const f = p?.[key as keyof ReclaimPlugin];
    return (typeof f === "function" ? f.bind(p) : null) as Hooks[K];
  };
  return {
    pte_table_ctor: b("pte_table_ctor"),
    pte_table_dtor: b("pte_table_dtor"),
    track_pte_set: b("track_pte_set"),
    track_pte_clear: b("track_pte_clear"),
    pte_offset_map: b("pte_offset_map"),
    pte_unmap: b("pte_unmap"),
    reclaim_pt_is_enabled: b("reclaim_pt_is_enabled"),
    zap_pte_range_locked: b("zap_pte_range_locked"),
    zap_pte_range_end: b("zap_pte_range_end"),
    madvise_free_pte_range: b("madvise_free_pte_range"),
    try_to_unmap_one: b("try_to_unmap_one"),
    task_work: b("task_work"),
    scheduler_tick: b("scheduler_tick"),
    shrink: b("shrink"),
  };
}

/** task_work_add(task, work, TWA_RESUME): the plugin's task_work hook runs on the task's next return to user. */
export function task_work_add(t: Task): void {
  t.task_work_pending = true;
}

/** Checks a value is a usable plugin; throws a clear error naming what is missing. */
export function validate_plugin(p: unknown, where: string): ReclaimPlugin {
  const o = p as Partial<ReclaimPlugin> | null;
  const missing: string[] = [];
  if (!o || typeof o !== "object") throw new TypeError(`${where}: not a reclaim plugin (got ${o === null ? "null" : typeof o})`);
  for (const f of ["name", "version", "models"] as const) if (typeof o[f] !== "string") missing.push(f);
  if (!o.supports || typeof o.supports !== "object") missing.push("supports");
  if (missing.length) throw new TypeError(`${where}: not a reclaim plugin (missing ${missing.join(", ")})`);
  return o as ReclaimPlugin;
}

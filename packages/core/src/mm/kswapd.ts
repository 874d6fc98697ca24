/**
 * kswapd (mm/vmscan.c: kswapd(), balance_pgdat()) and direct reclaim
 * (try_to_free_pages()): who runs shrink_node() (mm/vmscan.ts).
 *
 * kswapd0 is a kernel thread: task->mm is NULL, and when the scheduler switches
 * a CPU to it the CPU keeps the previous task's page tables loaded in lazy-TLB
 * mode (enter_lazy_tlb: active_mm borrowed, the CPU stays in that mm's
 * mm_cpumask and is reached only by flushes that free page tables). The model
 * creates it on first use (kthread_run at boot in Linux; creating it lazily
 * keeps every run that never reclaims as it was) on the machine's last CPU.
 *
 * Model: the wakeup (wakeup_kswapd from the allocator's slow path when a zone
 * falls below its low watermark) is explicit: the workload statement
 * `reclaim SIZE` and the scenario op `reclaim` ask kswapd for SIZE bytes, and
 * balance_pgdat() runs its priority loop until it has them (no watermarks).
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { Kernel } from "../types/kernel.js";
import { do_try_to_free_pages, scan_control, type ScanControlState } from "./vmscan.js";

const kswapds = new WeakMap<Kernel, Task>();

/** kswapd_run(nid): the node's kswapd task (created once, mm == NULL, comm "kswapd0"), on the machine's last CPU. */
export function kswapd_task(k: Kernel): Task {
  let t = kswapds.get(k);
  if (!t) {
    t = k.new_task(null, k.cpu_curr.length - 1, "kswapd0");
    kswapds.set(k, t);
  }
  return t;
}

/** current_is_kswapd() */
export function current_is_kswapd(t: Task): boolean {
  return kswapds.get(t.k) === t;
}

/**
 * context_switch() to a kernel thread: the CPU's TLB keeps the mm it had
 * (active_mm) in lazy mode. Returns what to restore when the thread sleeps again.
 */
export function enter_lazy_tlb(k: Kernel, t: Task): () => void {
  const cpu = t.cpu;
  const c = k.tlb.cpus[cpu];
  const was_lazy = c.lazy;
  const prev = k.cpu_curr[cpu];
  if (c.loaded_mm !== 0) c.lazy = true;
  k.cpu_curr[cpu] = t;
  return () => {
    // Back to the task it interrupted: switch_mm_irqs_off() catches up on the flushes missed while lazy.
    if (!was_lazy && c.lazy) k.tlb.leave_lazy(cpu);
    k.cpu_curr[cpu] = prev;
  };
}

/**
 * kswapd() woken for `nr_to_reclaim` pages: balance_pgdat() (kswapd_shrink_node
 * at falling priorities, sc.may_swap = 1). `t` must be the kswapd task (or a
 * task standing in for it with no mm: the scenario op).
 */
export function* balance_pgdat(t: Task, nr_to_reclaim: number): KPath<ScanControlState> {
  return yield* do_try_to_free_pages(t, scan_control(nr_to_reclaim, true));
}

/**
 * try_to_free_pages(): direct reclaim in the task whose allocation failed (it
 * keeps its own mm; it may hold no mmap_lock here in the model's callers).
 */
export function* try_to_free_pages(t: Task, nr_to_reclaim: number): KPath<ScanControlState> {
  return yield* do_try_to_free_pages(t, scan_control(nr_to_reclaim, false));
}

/** Per-kernel state kept outside the Kernel object: the explorer's post-setup snapshot copies it with the kernel (check/setup_snapshot.ts). */
export const KSWAPDS_SIDE_TABLE: WeakMap<object, unknown> = kswapds as WeakMap<object, unknown>;

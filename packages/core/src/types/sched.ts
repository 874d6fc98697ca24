/**
 * struct task_struct as the kernel paths see `current` (include/linux/sched.h).
 * Declarations only: sched/task.ts implements it.
 */
import type { Point, task_struct } from "@mmsim/spec";
import type { Kernel } from "./kernel.js";
import type { MmStruct, VmFault } from "./mm_types.js";
import type { Op, SpinLock } from "./sync.js";

/**
 * A simulated task (thread). It carries the state the sync primitives check (RCU
 * nesting, IRQs off, locks held) and its reusable primitive-operation object.
 */
export interface Task extends task_struct {
  /** When true, every primitive yields a preemption point first. */
  stepping: boolean;
  /** rcu_read_lock() nesting depth. */
  rcu_read_depth: number;
  /** Outermost read-side sections left so far (grace-period tracking). */
  rcu_exits: number;
  /**
   * Preemption points this task has passed while the explorer stepped it: how a
   * retrying fault on another CPU tells that this one moved (check/actors.ts).
   */
  steps: number;
  /** local_irq_save() nesting depth; an IRQ-disabled section is an RCU reader. */
  irq_disabled: number;
  /** Locks held, in acquisition order (for lock checks). */
  readonly held: object[];
  /** The reusable primitive operation (see sync/op.ts). */
  readonly op: Op;
  /** task_work_add(): work queued to run on the next return to user space (current->task_works). */
  task_work_pending: boolean;
  /** Capture a stack at each preemption point (for printing failures). */
  trace_stack: boolean;
  /**
   * The scheduler's step, run in place at a stepping task's preemption point
   * instead of yielding there (sync/op.ts): true to go on without a yield, false
   * to yield the point as usual. Set by the explorer while this task is the
   * only one left to run (check/execution.ts); null otherwise. Also called at a
   * point whose action is blocked (kind PT.SPIN): true then means the blocked
   * step was taken in place (a task left alone, check/execution.ts) and the
   * action is retried at once.
   */
  on_point: ((p: Point) => boolean) | null;
  /** The task's struct vm_fault (kernel-stack storage, reused fault to fault). */
  vmf: VmFault | null;
  /** Out-parameters of the C API (`pmd_t *pmdvalp`, `spinlock_t **ptlp`). */
  pmdval: number;
  /** The PUD value pmd_offset_map() mapped from (out-parameter, like pmdval). */
  pudval: number;
  ptl: SpinLock | null;
  readonly k: Kernel;
  readonly pid: number;
  mm: MmStruct | null;
  /** CPU the task runs on. */
  cpu: number;
  readonly comm: string;
}

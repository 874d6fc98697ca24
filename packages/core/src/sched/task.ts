import { Op } from "../sync/op.js";
import type { Kernel } from "../types/kernel.js";
import type { MmStruct, VmFault } from "../types/mm_types.js";
import type * as types from "../types/sched.js";
import type { Op as OpStruct, SpinLock } from "../types/sync.js";
import type { Point } from "@mmsim/spec";

/**
 * A simulated task (thread) as the kernel paths see `current`. It carries the
 * state the sync primitives check (RCU nesting, IRQs off, locks held) and its
 * reusable primitive-operation object.
 */
export class Task implements types.Task {
  /** When true, every primitive yields a preemption point first. */
  stepping = false;
  /** rcu_read_lock() nesting depth. */
  rcu_read_depth = 0;
  /** Outermost read-side sections left so far (grace-period tracking). */
  rcu_exits = 0;
  /** Preemption points passed while the explorer stepped this task (check/execution.ts counts them). */
  steps = 0;
  /** local_irq_save() nesting depth; an IRQ-disabled section is an RCU reader. */
  irq_disabled = 0;
  /** Locks held, in acquisition order (for lock checks). */
  readonly held: object[] = [];
  /** The reusable primitive operation (see sync/op.ts). */
  readonly op: OpStruct;
  /** task_work_add(): work queued to run on the next return to user space (current->task_works). */
  task_work_pending = false;
  /** Capture a stack at each preemption point (for printing failures). */
  trace_stack = false;
  /** The scheduler's step run in place at a preemption point (see types/sched.ts); null: yield. */
  on_point: ((p: Point) => boolean) | null = null;
  /** The task's struct vm_fault (kernel-stack storage, reused fault to fault). */
  vmf: VmFault | null = null;
  /** Out-parameters of the C API (`pmd_t *pmdvalp`, `spinlock_t **ptlp`). */
  pmdval = 0;
  pudval = 0;
  ptl: SpinLock | null = null;

  constructor(
    readonly k: Kernel,
    readonly pid: number,
    public mm: MmStruct | null,
    /** CPU the task runs on. */
    public cpu = 0,
    readonly comm = "task",
  ) {
    this.op = new Op(this);
  }
}

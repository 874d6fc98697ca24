/**
 * The lock and RCU types (include/linux/spinlock_types.h, rwsem.h, rcupdate.h),
 * and the primitive operation a task steps through (sync/op.ts). Declarations
 * only: sync/ implements them.
 */
import type { Point, PointKind, rw_semaphore, spinlock_t } from "@mmsim/spec";
import type { Task } from "./sched.js";

/** spinlock_t. `cls` groups locks for lock-order checks (e.g. "ptl", "pmd_lock"). */
export interface SpinLock extends spinlock_t {
  owner: Task | null;
  readonly name: string;
  readonly cls: string;
}

/** struct rw_semaphore (mmap_lock, the per-VMA lock). */
export interface RwSem extends rw_semaphore {
  readers: number;
  writer: Task | null;
  readonly readerTasks: Task[];
  readonly name: string;
}

/** RCU's state: the tasks it knows, the grace periods pending and their callbacks. */
export interface Rcu {
  /** Tasks currently known to the RCU model (registered by the engine). */
  readonly tasks: Set<Task>;
  /** Grace periods completed so far. */
  completed: number;
  /** Callbacks invoked so far. */
  invoked: number;
  /** Note that `t` left its outermost read-side section. */
  reader_exit(t: Task): void;
  /** Start (or join) a grace period for `cb`. */
  call_rcu(cb: () => void): void;
  /**
   * call_rcu() of one callback that frees the page-table pages pfns[0 .. n) in
   * order with freer.__tlb_remove_table(mm, pfn) (tlb_remove_table_rcu); the PFNs
   * are copied into a typed-array queue.
   */
  call_rcu_tables(freer: { __tlb_remove_table(mm: never, pfn: number): void }, mm: unknown, pfns: ArrayLike<number>, n: number): void;
  /** Complete the grace periods whose readers have all finished and invoke their callbacks, in order. */
  rcu_poll(): number;
  /** A grace period that starts now has completed (for synchronize_rcu). */
  gp_ticket(): () => boolean;
  readonly nr_pending_callbacks: number;
}

/** What a primitive's action returns when it cannot proceed yet (a held lock): sync/op.ts's BLOCKED. */
export type Blocked = symbol & { readonly __mmsim_blocked: true };

/** A primitive's action on the task running it. */
export type Action<A, B, R> = (t: Task, a: A, b: B) => R | Blocked;

/** A primitive as its caller sees it: one preemption point, then the action's result. */
export type Prim<R> = Iterable<Point, R, undefined> & Iterator<Point, R, undefined>;

/** The task's reusable primitive operation (sync/op.ts's Op). */
export interface Op {
  /** The preemption point a stepping task yields before the action. */
  readonly point: { kind: PointKind; what: string; obj: unknown };
  /** Arm the operation with an action and its operands; `yield*` it to perform it. */
  set<A, B, R>(kind: PointKind, what: string, action: Action<A, B, R>, a: A, b: B, obj?: unknown): Prim<R>;
}

/** The page-table SRCU domain (sync/srcu.ts): sleepable readers with their own grace periods. */
export interface Srcu {
  /** Whether `t` is inside an SRCU read-side section. */
  reading(t: Task): boolean;
  /** Readers inside a section now, with their exit counts. */
  readers(): { t: Task; exits: number }[];
  /** Has `t` left the section it was in when its exit count was `exits`? */
  left(t: Task, exits: number): boolean;
  enter(t: Task): void;
  exit(t: Task): void;
  /** call_srcu(): `cb` runs once every reader that exists now has left. */
  call_srcu(cb: () => void): void;
  /** Run the callbacks whose grace period has completed. */
  poll(): number;
  /** A grace period that starts now has completed (synchronize_srcu). */
  gp_ticket(): () => boolean;
}

/**
 * Preemption points. Every kernel path in mmsim is a generator (`KPath`) that
 * reaches its locks, atomics, RCU/IRQ transitions and page-table entry accesses
 * through the primitives in sync/ and pgtable/. A task that is `stepping` yields a
 * `Point` before each such operation, so a deterministic scheduler can run another
 * task there; a task that is not stepping never yields, and one `next()` drives the
 * whole path (see runner.ts). There is one copy of every path.
 */
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

export interface Point {
  kind: PointKind;
  /** Kernel name of the operation: "spin_lock", "ptep_get", "pmd_clear", ... */
  what: string;
  /** The lock, table entry index or object the operation is on. */
  obj: unknown;
}

export type KPath<T = void> = Generator<Point, T, undefined>;

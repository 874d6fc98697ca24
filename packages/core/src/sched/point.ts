/**
 * Preemption points. Every kernel path in mmsim is a generator (`KPath`) that
 * reaches its locks, atomics, RCU/IRQ transitions and page-table entry accesses
 * through the primitives in sync/ and pgtable/. A task that is `stepping` yields a
 * `Point` before each such operation, so a deterministic scheduler can run another
 * task there; a task that is not stepping never yields, and one `next()` drives the
 * whole path (see runner.ts). There is one copy of every path.
 */
export { PT } from "@mmsim/spec";
export type { Point, PointKind, KPath } from "@mmsim/spec";

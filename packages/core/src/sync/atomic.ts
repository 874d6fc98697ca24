import { PT } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import { sync_op } from "./op.js";
import { count_rmw } from "./rmw.js";

/** atomic_t / atomic_long_t. Every operation is one preemption point. */
export class Atomic {
  constructor(public counter = 0) {}
}

const read = (_t: Task, a: Atomic) => a.counter;
const set = (_t: Task, a: Atomic, v: number) => {
  a.counter = v;
};
const add_return = (_t: Task, a: Atomic, v: number) => {
  count_rmw(a, "atomic_t");
  return (a.counter += v);
};
const cmpxchg = (_t: Task, a: Atomic, ov: { old: number; new: number }) => {
  count_rmw(a, "atomic_t");
  const cur = a.counter;
  if (cur === ov.old) a.counter = ov.new;
  return cur;
};

export const atomic_read = (t: Task, a: Atomic) => t.op.set(PT.ATOMIC, "atomic_read", read, a, null);
export const atomic_set = (t: Task, a: Atomic, v: number) => t.op.set(PT.ATOMIC, "atomic_set", set, a, v);
export const atomic_add_return = (t: Task, a: Atomic, v: number) => t.op.set(PT.ATOMIC, "atomic_add_return", add_return, a, v);
export const atomic_cmpxchg = (t: Task, a: Atomic, old: number, nw: number) =>
  t.op.set(PT.ATOMIC, "atomic_cmpxchg", cmpxchg, a, { old, new: nw });

export const atomic_read$sync = sync_op("atomic_read", read);
export const atomic_set$sync = sync_op("atomic_set", set);
export const atomic_add_return$sync = sync_op("atomic_add_return", add_return);
export const atomic_cmpxchg$sync = (t: Task, a: Atomic, old: number, nw: number) => cmpxchg(t, a, { old, new: nw });

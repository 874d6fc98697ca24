import { PT } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import type * as types from "../types/sync.js";
import { BLOCKED, nonblocking_sync_op, sync_op } from "./op.js";
import { count_rmw } from "./rmw.js";
import { LockError } from "./spinlock.js";

/**
 * rw_semaphore, used for mmap_lock and (as a trylock-only reader lock) the per-VMA
 * lock. Writers are not starved-protected: the model has no fairness, like loom.
 */
export class RwSem implements types.RwSem {
  readers = 0;
  writer: Task | null = null;
  readonly readerTasks: Task[] = [];
  constructor(readonly name: string) {}
}

function read_acquire(t: Task, s: RwSem): void | typeof BLOCKED {
  t.k.sanitizer?.lock_acquire(t, s.name, false);
  if (s.writer !== null) {
    if (s.writer === t) throw new LockError(`${t.comm}/${t.pid}: down_read(${s.name}) while holding it for write`);
    return BLOCKED;
  }
  count_rmw(s, s.name);
  s.readers++;
  s.readerTasks.push(t);
  t.held.push(s);
}

function read_tryacquire(t: Task, s: RwSem): boolean {
  if (s.writer !== null) return false;
  count_rmw(s, s.name);
  s.readers++;
  s.readerTasks.push(t);
  t.held.push(s);
  return true;
}

function write_acquire(t: Task, s: RwSem): void | typeof BLOCKED {
  t.k.sanitizer?.lock_acquire(t, s.name, false);
  if (s.writer !== null || s.readers > 0) {
    if (s.writer === t || s.readerTasks.includes(t)) throw new LockError(`${t.comm}/${t.pid}: down_write(${s.name}) while holding it`);
    return BLOCKED;
  }
  count_rmw(s, s.name);
  s.writer = t;
  t.held.push(s);
}

function drop_held(t: Task, s: RwSem): void {
  const h = t.held;
  if (h[h.length - 1] === s) {
    h.pop();
    return;
  }
  const i = h.lastIndexOf(s);
  if (i < 0) throw new LockError(`${t.comm}/${t.pid}: ${s.name} released but not held`);
  t.held.splice(i, 1);
}

function read_release(t: Task, s: RwSem): void {
  const r = s.readerTasks;
  if (r[r.length - 1] === t) r.pop();
  else {
    const i = r.lastIndexOf(t);
    if (i < 0) throw new LockError(`${t.comm}/${t.pid}: up_read(${s.name}) not held for read`);
    r.splice(i, 1);
  }
  count_rmw(s, s.name);
  s.readers--;
  drop_held(t, s);
}

function write_release(t: Task, s: RwSem): void {
  if (s.writer !== t) throw new LockError(`${t.comm}/${t.pid}: up_write(${s.name}) not held for write`);
  count_rmw(s, s.name);
  s.writer = null;
  drop_held(t, s);
}

function downgrade(t: Task, s: RwSem): void {
  if (s.writer !== t) throw new LockError(`${t.comm}/${t.pid}: downgrade_write(${s.name}) not held for write`);
  count_rmw(s, s.name);
  s.writer = null;
  s.readers++;
  s.readerTasks.push(t);
}

export const down_read = (t: Task, s: RwSem) => t.op.set(PT.LOCK, "down_read", read_acquire, s, null);
export const down_read_trylock = (t: Task, s: RwSem) => t.op.set(PT.TRYLOCK, "down_read_trylock", read_tryacquire, s, null);
export const down_write = (t: Task, s: RwSem) => t.op.set(PT.LOCK, "down_write", write_acquire, s, null);
export const up_read = (t: Task, s: RwSem) => t.op.set(PT.UNLOCK, "up_read", read_release, s, null);
export const up_write = (t: Task, s: RwSem) => t.op.set(PT.UNLOCK, "up_write", write_release, s, null);
export const downgrade_write = (t: Task, s: RwSem) => t.op.set(PT.UNLOCK, "downgrade_write", downgrade, s, null);

export const down_read$sync = sync_op("down_read", read_acquire);
export const down_read_trylock$sync = nonblocking_sync_op(read_tryacquire);
export const down_write$sync = sync_op("down_write", write_acquire);
export const up_read$sync = nonblocking_sync_op(read_release);
export const up_write$sync = nonblocking_sync_op(write_release);
export const downgrade_write$sync = nonblocking_sync_op(downgrade);

export function rwsem_is_locked(s: RwSem): boolean {
  return s.writer !== null || s.readers > 0;
}

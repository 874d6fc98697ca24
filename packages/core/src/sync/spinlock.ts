import { MmsimError, PT } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import type * as types from "../types/sync.js";
import { BLOCKED, nonblocking_sync_op, sync_op } from "./op.js";
import { count_rmw } from "./rmw.js";

/** spinlock_t. `cls` groups locks for lock-order checks (e.g. "ptl", "pmd_lock"). */
export class SpinLock implements types.SpinLock {
  owner: Task | null = null;
  constructor(
    readonly name: string,
    readonly cls: string = name,
  ) {}
}

export class LockError extends MmsimError {
  constructor(message: string) {
    super("lock-error", message);
  }
}

function acquire(t: Task, l: SpinLock): void | typeof BLOCKED {
  const san = t.k.sanitizer;
  if (san !== null && l.owner !== t) san.lock_acquire(t, l.cls, false, l);
  if (l.owner !== null) {
    if (l.owner === t) throw new LockError(`${t.comm}/${t.pid}: recursive spin_lock(${l.name})`);
    return BLOCKED;
  }
  count_rmw(l, l.cls);
  l.owner = t;
  t.held.push(l);
}

function tryacquire(t: Task, l: SpinLock): boolean {
  t.k.sanitizer?.lock_acquire(t, l.cls, true, l);
  if (l.owner !== null) return false;
  count_rmw(l, l.cls);
  l.owner = t;
  t.held.push(l);
  return true;
}

function release(t: Task, l: SpinLock): void {
  if (l.owner !== t) throw new LockError(`${t.comm}/${t.pid}: spin_unlock(${l.name}) not held by this task`);
  l.owner = null;
  const h = t.held;
  if (h[h.length - 1] === l) h.pop();
  else h.splice(h.lastIndexOf(l), 1);
}

export function spin_lock(t: Task, l: SpinLock) {
  return t.op.set(PT.LOCK, "spin_lock", acquire, l, null);
}

export const spin_lock$sync = sync_op("spin_lock", acquire);
export const spin_lock_nested$sync = sync_op("spin_lock_nested", acquire);
export const spin_trylock$sync = nonblocking_sync_op(tryacquire);
export const spin_unlock$sync = nonblocking_sync_op(release);

/** spin_lock_nested(l, SINGLE_DEPTH_NESTING): the same lock operation, annotated for lockdep. */
export function spin_lock_nested(t: Task, l: SpinLock) {
  return t.op.set(PT.LOCK, "spin_lock_nested", acquire, l, null);
}

export function spin_trylock(t: Task, l: SpinLock) {
  return t.op.set(PT.TRYLOCK, "spin_trylock", tryacquire, l, null);
}

export function spin_unlock(t: Task, l: SpinLock) {
  return t.op.set(PT.UNLOCK, "spin_unlock", release, l, null);
}

export function spin_is_locked(l: SpinLock): boolean {
  return l.owner !== null;
}

/** lockdep_assert_held() */
export function lockdep_assert_held(t: Task, l: SpinLock): void {
  if (l.owner !== t) throw new LockError(`${t.comm}/${t.pid}: ${l.name} must be held here`);
}

// nonblocking_sync_op(): the bulk twin of a primitive whose action cannot block is
// the action itself (no wrapper call); an action whose type admits BLOCKED is refused
// by the type checker (`npx turbo typecheck` checks this file's @ts-expect-error), and
// a blocking action keeps sync_op()'s DeadlockError.
import { describe, expect, it } from "vitest";
import type { Task } from "../types/sched.js";
import { BLOCKED, DeadlockError, nonblocking_sync_op, sync_op } from "./op.js";
import { SpinLock, spin_lock$sync, spin_trylock$sync, spin_unlock$sync } from "./spinlock.js";

const task = () => ({ comm: "t", pid: 1, held: [], k: { sanitizer: null } }) as unknown as Task;

describe("nonblocking_sync_op", () => {
  it("is the action itself", () => {
    const action = (_t: Task, a: number, b: number) => a + b;
    expect(nonblocking_sync_op(action)).toBe(action);
  });

  it("refuses (types) an action that may return BLOCKED", () => {
    const may_block = (_t: Task, a: number): number | typeof BLOCKED => (a > 0 ? a : BLOCKED);
    // @ts-expect-error: the action's result admits BLOCKED
    nonblocking_sync_op(may_block);
    expect(() => sync_op("x", may_block)(task(), 0)).toThrow(DeadlockError);
  });

  it("the spinlock twins: trylock and unlock direct, a lock held elsewhere still a deadlock", () => {
    const a = task();
    const b = task();
    const l = new SpinLock("l");
    expect(spin_trylock$sync(a, l)).toBe(true);
    expect(spin_trylock$sync(b, l)).toBe(false);
    expect(() => spin_lock$sync(b, l)).toThrow(DeadlockError);
    spin_unlock$sync(a, l);
    expect(l.owner).toBe(null);
    expect(() => spin_unlock$sync(a, l)).toThrow(/not held/);
  });
});

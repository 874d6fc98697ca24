/**
 * percpu_ref (lib/percpu-refcount.c, v5.18 + seed 002's patches 02 and 03): each
 * operation, the switch that waits a grace period, R1 (patch 02 unfixed), and the
 * mutants the tests catch.
 */
import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel.js";
import { run_to_completion } from "../sched/runner.js";
import type { Task } from "../sched/task.js";
import { arch } from "../test/arch.js";
import {
  PERCPU_REF_ALLOW_REINIT,
  PercpuRef,
  percpu_ref_exit,
  percpu_ref_get,
  percpu_ref_is_zero,
  percpu_ref_kill,
  percpu_ref_lib,
  percpu_ref_put,
  percpu_ref_switch_to_atomic_sync,
  percpu_ref_switch_to_percpu,
  percpu_ref_tryget,
  percpu_ref_tryget_live,
} from "./percpu_ref.js";
import { rcu_read_lock, rcu_read_unlock } from "./rcu.js";
import { spin_lock, spin_unlock } from "./spinlock.js";

function machine() {
  const k = new Kernel({ arch });
  const a = k.new_task(null, 0, "a");
  const b = k.new_task(null, 1, "b");
  return { k, a, b, lib: percpu_ref_lib(k) };
}

/** pte_ref_init(): ALLOW_REINIT, then put at once so the count starts at zero. */
function zero_ref(k: Kernel, a: Task, released: { n: number } = { n: 0 }): PercpuRef {
  const r = new PercpuRef(2, () => released.n++, PERCPU_REF_ALLOW_REINIT, percpu_ref_lib(k));
  run_to_completion(percpu_ref_put(a, r));
  return r;
}

/** Step a stepping task's path until it blocks or returns; returns the last point's kind or "done". */
function stepUntilBlocked(t: Task, g: Iterator<unknown, unknown, undefined>, max = 100): "blocked" | "done" {
  t.stepping = true;
  for (let i = 0; i < max; i++) {
    const r = g.next();
    if (r.done) return "done";
    if ((r.value as { kind: number }).kind === 4) return "blocked";
  }
  throw new Error("no progress");
}

describe("percpu_ref", () => {
  it("kill: tryget_live fails at once; released after the grace period and the last put", () => {
    const { k, a, b } = machine();
    let released = 0;
    const r = new PercpuRef(2, () => released++);
    run_to_completion(percpu_ref_get(a, r));
    run_to_completion(percpu_ref_get(b, r));
    run_to_completion(percpu_ref_put(a, r)); // per-CPU counts may go negative; only the sum matters
    expect(r.sum).toBe(2);
    b.rcu_read_depth = 1; // a reader on the percpu fast path
    percpu_ref_kill(a, r);
    expect(r.mode).toBe("atomic"); // the flag flips at once ...
    expect(run_to_completion(percpu_ref_tryget_live(a, r))).toBe(false);
    k.rcu.rcu_poll();
    expect(r.biased).toBe(true); // ... the sum waits for the reader
    b.rcu_read_depth = 0;
    k.rcu.reader_exit(b);
    k.rcu.rcu_poll();
    expect(r.biased).toBe(false);
    expect(released).toBe(0);
    run_to_completion(percpu_ref_put(b, r));
    expect(released).toBe(1);
    expect(() => run_to_completion(percpu_ref_get(a, r))).toThrow(/released/);
  });

  it("is_zero is false in percpu mode, whatever the sum; tryget always succeeds there", () => {
    const { k, a } = machine();
    const r = zero_ref(k, a);
    expect(r.sum).toBe(0);
    expect(run_to_completion(percpu_ref_is_zero(a, r))).toBe(false);
    expect(run_to_completion(percpu_ref_tryget(a, r))).toBe(true);
    expect(r.sum).toBe(1);
  });

  it("switch_to_atomic_sync waits a grace period; then is_zero reads the count and tryget is inc_not_zero", () => {
    const { k, a, lib } = machine();
    const r = zero_ref(k, a);
    run_to_completion(percpu_ref_switch_to_atomic_sync(a, r));
    expect(lib.switches_to_atomic).toBe(1);
    expect(lib.sync_waits).toBe(1);
    expect(r.mode).toBe("atomic");
    expect(run_to_completion(percpu_ref_is_zero(a, r))).toBe(true);
    expect(run_to_completion(percpu_ref_tryget(a, r))).toBe(false); // a zero atomic ref cannot be revived
    // A second sync switch on an atomic ref starts no grace period.
    run_to_completion(percpu_ref_switch_to_atomic_sync(a, r));
    expect(lib.switches_to_atomic).toBe(1);
    expect(run_to_completion(percpu_ref_is_zero(a, r))).toBe(true);
  });

  it("the sync switch sleeps while a reader of before the switch is in its read-side section", () => {
    const { k, a, b, lib } = machine();
    const r = zero_ref(k, a);
    run_to_completion(rcu_read_lock(b));
    const g = percpu_ref_switch_to_atomic_sync(a, r);
    expect(stepUntilBlocked(a, g)).toBe("blocked");
    expect(lib.waiters.has(a)).toBe(true);
    expect(r.switch_wait.owner).not.toBeNull(); // the explorer keeps the sleeper off the run queue ...
    expect(r.biased).toBe(true); // not summed yet: tryget still succeeds on the biased count
    expect(run_to_completion(percpu_ref_tryget(b, r))).toBe(true);
    run_to_completion(percpu_ref_put(b, r));
    run_to_completion(rcu_read_unlock(b, k.rcu));
    expect(r.switch_wait.owner).toBeNull(); // ... until the grace period has ended (it then runs the confirmation)
    expect(stepUntilBlocked(a, g)).toBe("done");
    a.stepping = false;
    expect(lib.waiters.size).toBe(0);
    expect(run_to_completion(percpu_ref_is_zero(a, r))).toBe(true);
  });

  it("switch_to_percpu restores the per-CPU fast path with the count kept", () => {
    const { k, a, lib } = machine();
    const r = zero_ref(k, a);
    run_to_completion(percpu_ref_tryget(a, r));
    run_to_completion(percpu_ref_switch_to_atomic_sync(a, r));
    expect(r.count).toBe(1);
    run_to_completion(percpu_ref_switch_to_percpu(a, r));
    expect(lib.switches_to_percpu).toBe(1);
    expect(r.mode).toBe("percpu");
    expect(r.sum).toBe(1);
    run_to_completion(percpu_ref_put(a, r));
    expect(r.sum).toBe(0);
    expect(run_to_completion(percpu_ref_is_zero(a, r))).toBe(false);
  });

  it("patch 02 fixed: the count is stable when switch_to_atomic_sync returns", () => {
    const { k, a } = machine();
    const r = zero_ref(k, a);
    run_to_completion(percpu_ref_switch_to_atomic_sync(a, r));
    expect(r.count).toBe(0);
    expect(r.late_puts).toBe(0);
    expect(k.rcu.nr_pending_callbacks).toBe(0);
  });

  it("R1, patch 02 unfixed: the confirmation's put lands after the waiter's is_zero (case B)", () => {
    const { k, a, lib } = machine();
    lib.patch02 = false;
    const r = zero_ref(k, a);
    run_to_completion(percpu_ref_switch_to_atomic_sync(a, r));
    expect(run_to_completion(percpu_ref_is_zero(a, r))).toBe(false); // the switch's own reference is still there
    expect(r.count).toBe(1);
    k.rcu.rcu_poll(); // the next quiescent point
    expect(r.count).toBe(0);
    expect(run_to_completion(percpu_ref_is_zero(a, r))).toBe(true);
  });

  it("one global wait queue: a confirmation wakes every waiter, whatever ref it waits for (R2)", () => {
    const { k, a, b, lib } = machine();
    const r1 = zero_ref(k, a);
    const r2 = zero_ref(k, a);
    const c = k.new_task(null, 1, "c");
    run_to_completion(rcu_read_lock(c)); // holds both grace periods back
    const ga = percpu_ref_switch_to_atomic_sync(a, r1);
    const gb = percpu_ref_switch_to_atomic_sync(b, r2);
    expect(stepUntilBlocked(a, ga)).toBe("blocked");
    expect(stepUntilBlocked(b, gb)).toBe("blocked");
    run_to_completion(rcu_read_unlock(c, k.rcu));
    k.rcu.rcu_poll(); // both callbacks: two wake_up_all(), each waking both sleepers
    expect(lib.wake_up_all).toBe(2);
    expect(lib.woken).toBe(4);
    expect(stepUntilBlocked(a, ga)).toBe("done");
    expect(stepUntilBlocked(b, gb)).toBe("done");
  });

  it("patch 03: is_zero spins on the ref's own switch lock, not a global one", () => {
    const { k, a, b } = machine();
    const r1 = zero_ref(k, a);
    const r2 = zero_ref(k, a);
    run_to_completion(percpu_ref_switch_to_atomic_sync(a, r1));
    run_to_completion(percpu_ref_switch_to_atomic_sync(a, r2));
    run_to_completion(spin_lock(a, r1.percpu_ref_switch_lock));
    expect(run_to_completion(percpu_ref_is_zero(b, r2))).toBe(true);
    b.stepping = true;
    const g = percpu_ref_is_zero(b, r1);
    g.next();
    expect((g.next().value as { kind: number }).kind).toBe(4); // spins
    b.stepping = false;
    run_to_completion(spin_unlock(a, r1.percpu_ref_switch_lock));
  });

  it("exit: any use afterwards is a bug; a switch still in flight is a bug", () => {
    const { k, a, b } = machine();
    const r = zero_ref(k, a);
    run_to_completion(rcu_read_lock(b));
    const g = percpu_ref_switch_to_atomic_sync(a, r);
    expect(stepUntilBlocked(a, g)).toBe("blocked");
    expect(() => percpu_ref_exit(r)).toThrow(/in progress/);
    run_to_completion(rcu_read_unlock(b, k.rcu));
    expect(stepUntilBlocked(a, g)).toBe("done");
    a.stepping = false;
    percpu_ref_exit(r);
    expect(() => run_to_completion(percpu_ref_get(a, r))).toThrow(/after percpu_ref_exit/);
  });

  it("a sync switch inside an RCU read-side section is a bug (it sleeps)", () => {
    const { k, a } = machine();
    const r = zero_ref(k, a);
    run_to_completion(rcu_read_lock(a));
    expect(() => run_to_completion(percpu_ref_switch_to_atomic_sync(a, r))).toThrow(/RCU read-side/);
  });
});

/* ---- each property against the library and against a broken variant (a mutant) ---- */

type Impl = {
  is_zero: (t: Task, r: PercpuRef) => boolean;
  tryget: (t: Task, r: PercpuRef) => boolean;
  switch_sync: (t: Task, r: PercpuRef) => Iterator<unknown, unknown, undefined>;
  patch02: boolean;
};
const real: Impl = {
  is_zero: (t, r) => run_to_completion(percpu_ref_is_zero(t, r)),
  tryget: (t, r) => run_to_completion(percpu_ref_tryget(t, r)),
  switch_sync: (t, r) => percpu_ref_switch_to_atomic_sync(t, r),
  patch02: true,
};

/** is_zero must be false in percpu mode (the count cannot be read there). */
function is_zero_false_in_percpu_mode(impl: Impl): boolean {
  const { k, a } = machine();
  return impl.is_zero(a, zero_ref(k, a)) === false;
}
/** A zero atomic-mode ref cannot be revived by tryget. */
function tryget_fails_on_zero_atomic(impl: Impl): boolean {
  const { k, a } = machine();
  const r = zero_ref(k, a);
  run_to_completion(percpu_ref_switch_to_atomic_sync(a, r));
  return impl.tryget(a, r) === false;
}
/** The sync switch does not return while a reader of before the switch is in its section. */
function switch_waits_for_readers(impl: Impl): boolean {
  const { k, a, b } = machine();
  const r = zero_ref(k, a);
  run_to_completion(rcu_read_lock(b));
  const blocked = stepUntilBlocked(a, impl.switch_sync(a, r)) === "blocked";
  a.stepping = false;
  return blocked;
}
/** The count is stable when the sync switch returns: a zero ref reads zero at once. */
function stable_after_sync(impl: Impl): boolean {
  const { k, a, lib } = machine();
  lib.patch02 = impl.patch02;
  const r = zero_ref(k, a);
  run_to_completion(impl.switch_sync(a, r) as never);
  return impl.is_zero(a, r);
}

describe("the tests catch the mutants", () => {
  const props: [string, (i: Impl) => boolean, Partial<Impl>][] = [
    ["is_zero false in percpu mode / an is_zero that reads the per-CPU sum", is_zero_false_in_percpu_mode, { is_zero: (_t, r) => r.sum === 0 }],
    ["tryget is inc_not_zero in atomic mode / a tryget that is a plain get", tryget_fails_on_zero_atomic, { tryget: (_t, r) => (r.count++, true) }],
    [
      "the sync switch waits a grace period / a switch that sums at once",
      switch_waits_for_readers,
      {
        switch_sync: function* (_t: Task, r: PercpuRef) {
          r.count += r.percpu.reduce((x, y) => x + y, 0);
          r.percpu.fill(0);
          r.biased = false;
          r.mode = "atomic";
          yield* [];
        },
      },
    ],
    ["stable count after the sync switch / v5.18 without patch 02 (R1)", stable_after_sync, { patch02: false }],
  ];
  for (const [name, prop, broken] of props) {
    it(name, () => {
      expect(prop(real)).toBe(true);
      expect(prop({ ...real, ...broken })).toBe(false);
    });
  }
});

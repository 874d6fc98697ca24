/**
 * The RMW counters: what counts as an atomic read-modify-write on a shared line,
 * what counts as a per-CPU op, what does not count; and a fault's RMWs, the same
 * in bulk and stepped runs. Mutant: a spin_lock that does not count is caught by
 * the first test (the PTE lock's RMW would be missing from the fault's lines).
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import { Kernel } from "../kernel.js";
import { run_to_completion } from "../sched/runner.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { Atomic, atomic_add_return, atomic_cmpxchg, atomic_read } from "./atomic.js";
import { PERCPU_REF_ALLOW_REINIT, PercpuRef, percpu_ref_get, percpu_ref_lib, percpu_ref_put, percpu_ref_switch_to_atomic_sync } from "./percpu_ref.js";
import { rmw_counters, rmw_lines_start, rmw_lines_stop } from "./rmw.js";
import { RwSem, down_read, up_read } from "./rwsem.js";
import { SpinLock, spin_lock, spin_trylock, spin_unlock } from "./spinlock.js";

const delta = (fn: () => void) => {
  const a = rmw_counters();
  fn();
  const b = rmw_counters();
  return { rmw: b.rmw - a.rmw, percpu: b.percpu - a.percpu };
};

describe("RMW counters", () => {
  it("count lock acquisitions, rwsem operations and atomic RMWs, not unlocks or reads", () => {
    const k = new Kernel({ arch });
    const t = k.new_task(null, 0, "t");
    const l = new SpinLock("l", "ptl");
    const s = new RwSem("mmap_lock");
    const v = new Atomic(1);
    expect(delta(() => run_to_completion(spin_lock(t, l)))).toEqual({ rmw: 1, percpu: 0 });
    expect(delta(() => run_to_completion(spin_trylock(t, new SpinLock("x"))))).toEqual({ rmw: 1, percpu: 0 });
    expect(delta(() => run_to_completion(spin_unlock(t, l)))).toEqual({ rmw: 0, percpu: 0 });
    expect(delta(() => run_to_completion(down_read(t, s)))).toEqual({ rmw: 1, percpu: 0 });
    expect(delta(() => run_to_completion(up_read(t, s)))).toEqual({ rmw: 1, percpu: 0 });
    expect(delta(() => run_to_completion(atomic_read(t, v)))).toEqual({ rmw: 0, percpu: 0 });
    expect(delta(() => run_to_completion(atomic_add_return(t, v, 1)))).toEqual({ rmw: 1, percpu: 0 });
    expect(delta(() => run_to_completion(atomic_cmpxchg(t, v, 7, 8)))).toEqual({ rmw: 1, percpu: 0 }); // a failed cmpxchg still locks the line
  });

  it("percpu_ref: per-CPU ops in percpu mode, RMWs on the atomic count after the switch", () => {
    const k = new Kernel({ arch });
    const t = k.new_task(null, 0, "t");
    const r = new PercpuRef(2, () => {}, PERCPU_REF_ALLOW_REINIT, percpu_ref_lib(k));
    expect(delta(() => run_to_completion(percpu_ref_get(t, r)))).toEqual({ rmw: 0, percpu: 1 });
    run_to_completion(percpu_ref_switch_to_atomic_sync(t, r));
    expect(delta(() => run_to_completion(percpu_ref_put(t, r)))).toEqual({ rmw: 1, percpu: 0 });
  });

  it("records the distinct lines a fault writes atomically, the same in bulk and stepped runs", () => {
    const out: string[] = [];
    for (const stepped of [false, true]) {
      const e = new Engine({ arch, stepped });
      const p = e.spawn();
      mmapFixed(p, SLOT, 2 * M);
      p.touch(SLOT, 4096, true); // the table exists now
      const lines = rmw_lines_start();
      const d = delta(() => p.touch(SLOT + 4096, 4096, true));
      rmw_lines_stop();
      expect(d.rmw).toBeGreaterThan(0);
      expect([...lines.values()]).toContain("ptl");
      out.push(JSON.stringify([d, [...lines.values()].sort()]));
    }
    expect(out[0]).toBe(out[1]);
  });
});

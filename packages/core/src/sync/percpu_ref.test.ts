import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel.js";
import { run_to_completion } from "../sched/runner.js";
import { arch } from "../test/arch.js";
import { PercpuRef, percpu_ref_get, percpu_ref_kill, percpu_ref_put, percpu_ref_tryget_live } from "./percpu_ref.js";

describe("percpu_ref", () => {
  it("is released only after kill, the grace period, and the last put", () => {
    const k = new Kernel({ arch });
    const a = k.new_task(null, 0);
    const b = k.new_task(null, 1);
    let released = 0;
    const r = new PercpuRef(2, () => released++);
    run_to_completion(percpu_ref_get(a, r));
    run_to_completion(percpu_ref_get(b, r));
    run_to_completion(percpu_ref_put(a, r)); // per-CPU counts may go negative; only the sum matters
    expect(r.sum).toBe(2);
    b.rcu_read_depth = 1; // a reader on the percpu fast path
    percpu_ref_kill(r, k.rcu);
    expect(run_to_completion(percpu_ref_tryget_live(a, r))).toBe(false);
    k.rcu.rcu_poll();
    expect(r.mode).toBe("percpu"); // the switch waits for the reader
    b.rcu_read_depth = 0;
    k.rcu.reader_exit(b);
    k.rcu.rcu_poll();
    expect(r.mode).toBe("atomic");
    expect(released).toBe(0);
    run_to_completion(percpu_ref_put(b, r));
    expect(released).toBe(1);
    expect(() => run_to_completion(percpu_ref_get(a, r))).toThrow(/released/);
  });
});

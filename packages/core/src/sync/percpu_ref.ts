/**
 * percpu_ref (lib/percpu-refcount.c), as the 2022 design (seed 002) uses it per
 * PTE table: gets and puts hit a per-CPU counter while the ref is in percpu mode;
 * percpu_ref_kill() switches it to atomic mode — the per-CPU counts are summed
 * into the atomic count after an RCU grace period (no reader can still be using
 * the per-CPU fast path) — and drops the initial reference; the release callback
 * runs when the atomic count reaches zero. tryget fails once the ref is dead.
 */
import { PT } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import { sync_op } from "./op.js";
import type { Rcu } from "../types/sync.js";

export class PercpuRef {
  /** Per-CPU counts, meaningful in percpu mode. */
  readonly percpu: number[];
  /** The atomic count (with the PERCPU_COUNT_BIAS folded out). */
  count = 0;
  mode: "percpu" | "atomic" = "percpu";
  dead = false;
  released = false;

  constructor(
    nr_cpus: number,
    readonly release: () => void,
  ) {
    this.percpu = new Array(nr_cpus).fill(0);
    this.percpu[0] = 1; // the initial reference
  }

  /** The true count: only exact in atomic mode (the kernel cannot read it in percpu mode). */
  get sum(): number {
    return this.mode === "atomic" ? this.count : this.count + this.percpu.reduce((a, b) => a + b, 0);
  }
}

function do_get(t: Task, r: PercpuRef): void {
  if (r.released) throw new Error(`${t.comm}: percpu_ref_get on a released ref`);
  if (r.mode === "percpu") r.percpu[t.cpu]++;
  else r.count++;
}

function do_tryget_live(t: Task, r: PercpuRef): boolean {
  if (r.dead) return false;
  do_get(t, r);
  return true;
}

function do_put(t: Task, r: PercpuRef): void {
  if (r.mode === "percpu") {
    r.percpu[t.cpu]--;
    return;
  }
  if (--r.count === 0) {
    r.released = true;
    r.release();
  } else if (r.count < 0) throw new Error(`${t.comm}: percpu_ref underflow`);
}

export const percpu_ref_get = (t: Task, r: PercpuRef) => t.op.set(PT.ATOMIC, "percpu_ref_get", do_get, r, null);
export const percpu_ref_get$sync = sync_op("percpu_ref_get", do_get);
/** percpu_ref_tryget_live() */
export const percpu_ref_tryget_live = (t: Task, r: PercpuRef) => t.op.set(PT.ATOMIC, "percpu_ref_tryget_live", do_tryget_live, r, null);
export const percpu_ref_tryget_live$sync = sync_op("percpu_ref_tryget_live", do_tryget_live);
export const percpu_ref_put = (t: Task, r: PercpuRef) => t.op.set(PT.ATOMIC, "percpu_ref_put", do_put, r, null);
export const percpu_ref_put$sync = sync_op("percpu_ref_put", do_put);

/**
 * percpu_ref_kill(): mark dead (tryget_live fails from now on), switch to atomic
 * mode after an RCU grace period, then drop the initial reference.
 */
export function percpu_ref_kill(r: PercpuRef, rcu: Rcu): void {
  r.dead = true;
  rcu.call_rcu(() => {
    r.count += r.percpu.reduce((a, b) => a + b, 0);
    r.percpu.fill(0);
    r.mode = "atomic";
    if (--r.count === 0) {
      r.released = true;
      r.release();
    }
  });
}

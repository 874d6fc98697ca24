import { PT } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import type * as types from "../types/sync.js";
import { BLOCKED, sync_op } from "./op.js";

/**
 * SRCU (kernel/rcu/srcutree.c), one srcu_struct: sleepable read-side sections
 * (srcu_read_lock / srcu_read_unlock) with their own grace periods, independent
 * of RCU's: an SRCU reader does not hold up an RCU grace period, nor an RCU
 * reader an SRCU one. Used by the "srcu" option for sleeping `.pmd_entry`
 * callbacks (seed 001's open question, pgtable/upper_map.ts). Model
 * differences: one srcu_struct per machine (the page-table one); the index
 * srcu_read_lock() returns is not modelled (nesting is a depth, per task);
 * callbacks run at the same quiescent points as RCU's (Rcu.rcu_poll).
 */
interface SrcuGp {
  readonly waitFor: { t: Task; exits: number }[];
  readonly callbacks: (() => void)[];
}

export class Srcu implements types.Srcu {
  /** srcu_read_lock() nesting depth, per task. */
  readonly depth = new Map<Task, number>();
  /** Outermost SRCU sections left, per task. */
  private readonly exits = new Map<Task, number>();
  private readonly pending: SrcuGp[] = [];
  /** Grace periods completed. */
  completed = 0;

  private snapshot(): { t: Task; exits: number }[] {
    const w: { t: Task; exits: number }[] = [];
    for (const [t, d] of this.depth) if (d > 0) w.push({ t, exits: this.exits.get(t) ?? 0 });
    return w;
  }

  private gp_done(gp: SrcuGp): boolean {
    for (const w of gp.waitFor) if ((this.exits.get(w.t) ?? 0) <= w.exits) return false;
    return true;
  }

  /** Whether `t` is inside an SRCU read-side section. */
  reading(t: Task): boolean {
    return (this.depth.get(t) ?? 0) > 0;
  }

  /** Readers inside a section now, with their exit counts (for the sanitizer's grace-period rule). */
  readers(): { t: Task; exits: number }[] {
    return this.snapshot();
  }

  /** Has `t` left the section it was in when its exit count was `exits`? */
  left(t: Task, exits: number): boolean {
    return (this.exits.get(t) ?? 0) > exits;
  }

  enter(t: Task): void {
    this.depth.set(t, (this.depth.get(t) ?? 0) + 1);
  }

  exit(t: Task): void {
    const d = this.depth.get(t) ?? 0;
    if (d <= 0) throw new Error(`${t.comm}/${t.pid}: srcu_read_unlock() without srcu_read_lock()`);
    this.depth.set(t, d - 1);
    if (d === 1) this.exits.set(t, (this.exits.get(t) ?? 0) + 1);
  }

  /** call_srcu(): `cb` runs once every reader that exists now has left its section. */
  call_srcu(cb: () => void): void {
    this.pending.push({ waitFor: this.snapshot(), callbacks: [cb] });
  }

  /** Run the callbacks whose grace period has completed, in order. */
  poll(): number {
    let n = 0;
    while (this.pending.length > 0 && this.gp_done(this.pending[0])) {
      const gp = this.pending.shift()!;
      this.completed++;
      for (const cb of gp.callbacks) {
        cb();
        n++;
      }
    }
    return n;
  }

  gp_ticket(): () => boolean {
    const gp: SrcuGp = { waitFor: this.snapshot(), callbacks: [] };
    return () => this.gp_done(gp);
  }

  get nr_pending_callbacks(): number {
    return this.pending.length;
  }
}

const do_srcu_read_lock = (t: Task): void => t.k.srcu.enter(t);
const do_srcu_read_unlock = (t: Task): void => t.k.srcu.exit(t);

/** srcu_read_lock(&pgtable_srcu) */
export const srcu_read_lock = (t: Task) => t.op.set(PT.RCU_LOCK, "srcu_read_lock", do_srcu_read_lock, null, null);
export const srcu_read_lock$sync = sync_op("srcu_read_lock", do_srcu_read_lock);
/** srcu_read_unlock(&pgtable_srcu, idx) */
export const srcu_read_unlock = (t: Task) => t.op.set(PT.RCU_UNLOCK, "srcu_read_unlock", do_srcu_read_unlock, null, null);
export const srcu_read_unlock$sync = sync_op("srcu_read_unlock", do_srcu_read_unlock);

function wait_srcu_gp(t: Task, done: () => boolean): void | typeof BLOCKED {
  t.k.sanitizer?.might_sleep(t, "synchronize_srcu");
  if (t.k.srcu.reading(t)) throw new Error(`${t.comm}/${t.pid}: synchronize_srcu() inside its own SRCU read-side section`);
  if (!done()) return BLOCKED;
}

/** synchronize_srcu(&pgtable_srcu): sleeps until every SRCU reader that exists now has finished. */
export function synchronize_srcu(t: Task) {
  return t.op.set(PT.SCHED, "synchronize_srcu", wait_srcu_gp, t.k.srcu.gp_ticket(), null);
}

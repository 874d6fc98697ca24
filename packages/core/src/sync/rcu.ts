import { PT } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import type * as types from "../types/sync.js";
import { BLOCKED, sync_op } from "./op.js";

/**
 * RCU: read-side sections (rcu_read_lock and IRQ-disabled regions) and grace
 * periods. A grace period started at time T completes once every task that was
 * inside a read-side section at T has left it; callbacks queued by call_rcu() run
 * at the next quiescent point after that (rcu_poll(), called at return to user and
 * on scheduler ticks). Model difference from Linux: there is no per-CPU quiescent
 * state machinery; "every pre-existing reader has finished" is the whole contract.
 */
interface GracePeriod {
  /** Tasks that were readers when the grace period started, with their exit count then. */
  readonly waitFor: { t: Task; exits: number }[];
  readonly callbacks: (() => void)[];
}

export class Rcu implements types.Rcu {
  /** Tasks currently known to the RCU model (registered by the engine). */
  readonly tasks = new Set<Task>();
  private readonly pending: GracePeriod[] = [];
  /** Grace periods completed so far. */
  completed = 0;
  /** Callbacks invoked so far. */
  invoked = 0;
  /** The page-table SRCU domain, polled at the same quiescent points (set only with Kernel.rcu_upper). */
  srcu: { poll(): number } | null = null;

  /** Note that `t` left its outermost read-side section. */
  reader_exit(t: Task): void {
    t.rcu_exits++;
  }

  private snapshot(): { t: Task; exits: number }[] {
    const w: { t: Task; exits: number }[] = [];
    for (const t of this.tasks) if (t.rcu_read_depth > 0 || t.irq_disabled > 0) w.push({ t, exits: t.rcu_exits });
    return w;
  }

  /** Start (or join) a grace period for `cb`. */
  call_rcu(cb: () => void): void {
    const last = this.pending[this.pending.length - 1];
    const waitFor = this.snapshot();
    if (last && sameReaders(last.waitFor, waitFor)) last.callbacks.push(cb);
    else this.pending.push({ waitFor, callbacks: [cb] });
  }

  private gp_done(gp: GracePeriod): boolean {
    for (const w of gp.waitFor) if (w.t.rcu_exits <= w.exits) return false;
    return true;
  }

  /** Complete the grace periods whose readers have all finished and invoke their callbacks, in order. */
  rcu_poll(): number {
    let n = 0;
    while (this.pending.length > 0 && this.gp_done(this.pending[0])) {
      const gp = this.pending.shift()!;
      this.completed++;
      for (const cb of gp.callbacks) {
        cb();
        n++;
      }
    }
    this.invoked += n;
    this.srcu?.poll();
    return n;
  }

  /** A grace period that starts now has completed (for synchronize_rcu). */
  gp_ticket(): () => boolean {
    const gp: GracePeriod = { waitFor: this.snapshot(), callbacks: [] };
    return () => this.gp_done(gp);
  }

  get nr_pending_callbacks(): number {
    let n = 0;
    for (const gp of this.pending) n += gp.callbacks.length;
    return n;
  }
}

function sameReaders(a: readonly { t: Task; exits: number }[], b: readonly { t: Task; exits: number }[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].t !== b[i].t || a[i].exits !== b[i].exits) return false;
  return true;
}

function do_rcu_read_lock(t: Task): void {
  t.rcu_read_depth++;
}

function do_rcu_read_unlock(t: Task, rcu: types.Rcu): void {
  if (t.rcu_read_depth <= 0) throw new Error(`${t.comm}/${t.pid}: rcu_read_unlock() without rcu_read_lock()`);
  if (--t.rcu_read_depth === 0 && t.irq_disabled === 0) rcu.reader_exit(t);
}

export const rcu_read_lock = (t: Task) => t.op.set(PT.RCU_LOCK, "rcu_read_lock", do_rcu_read_lock, null, null);
export const rcu_read_unlock = (t: Task, rcu: types.Rcu) => t.op.set(PT.RCU_UNLOCK, "rcu_read_unlock", do_rcu_read_unlock, rcu, null);

export const rcu_read_lock$sync = sync_op("rcu_read_lock", do_rcu_read_lock);
export const rcu_read_unlock$sync = sync_op("rcu_read_unlock", do_rcu_read_unlock);

function do_irq_save(t: Task): void {
  t.irq_disabled++;
}
function do_irq_restore(t: Task, rcu: types.Rcu): void {
  if (t.irq_disabled <= 0) throw new Error(`${t.comm}/${t.pid}: local_irq_restore() with IRQs on`);
  if (--t.irq_disabled === 0 && t.rcu_read_depth === 0) rcu.reader_exit(t);
}

/** local_irq_save(): an IRQ-disabled region is an RCU read-side section and defers IPIs. */
export const local_irq_save = (t: Task) => t.op.set(PT.IRQ_OFF, "local_irq_save", do_irq_save, null, null);
export const local_irq_restore = (t: Task, rcu: types.Rcu) => t.op.set(PT.IRQ_ON, "local_irq_restore", do_irq_restore, rcu, null);

export const local_irq_save$sync = sync_op("local_irq_save", do_irq_save);
export const local_irq_restore$sync = sync_op("local_irq_restore", do_irq_restore);

function wait_gp(t: Task, done: () => boolean): void | typeof BLOCKED {
  if (t.rcu_read_depth > 0 || t.irq_disabled > 0) throw new Error(`${t.comm}/${t.pid}: synchronize_rcu() inside an RCU read-side section`);
  if (!done()) return BLOCKED;
}

/** synchronize_rcu(): wait until every reader that exists now has finished. */
export function synchronize_rcu(t: Task, rcu: types.Rcu) {
  return t.op.set(PT.SCHED, "synchronize_rcu", wait_gp, rcu.gp_ticket(), null, rcu);
}

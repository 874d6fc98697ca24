import { PT } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import type * as types from "../types/sync.js";
import { BLOCKED, nonblocking_sync_op } from "./op.js";

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
  waitFor: readonly { t: Task; exits: number }[];
  readonly callbacks: RcuCallback[];
}

/**
 * What frees a page-table page after a grace period (the Kernel's
 * __tlb_remove_table(), which tlb_remove_table_rcu() calls for each page of a batch).
 */
export interface RcuTableFreer {
  __tlb_remove_table(mm: never, pfn: number): void;
}

/** One call_rcu(&batch->rcu, tlb_remove_table_rcu): entries [from, to) of the RCU's table queue. */
interface TableBatch {
  freer: RcuTableFreer;
  mm: unknown;
  from: number;
  to: number;
}

/**
 * Host objects a grace period and a table batch left when their callbacks ran,
 * reused by the next call_rcu_tables() (issue #10: the seed loop queues one
 * table batch per madvise(), a new grace period each, and these three objects
 * were ~100 bytes of garbage per madvise()). Not simulated state, and reachable
 * from no kernel (a deep copy of a kernel has its own pending ones): a reused
 * object has every field set anew. Only a grace period with one callback is
 * kept (its list reused with that length), so that a pending grace period's
 * list is the same whether or not it was reused (the bench's state digest).
 */
const spare_batches: TableBatch[] = [];
const spare_gps: GracePeriod[] = [];

/**
 * The table queue's chunks: 2^TQ_SHIFT PFNs each (8 KiB). Small: every explored
 * execution starts from a copy of a kernel whose queue is empty and frees a few
 * tables, so its first chunk is allocated anew each time (a 128 KiB one cost
 * ~2 % of the explorer's time); a bulk run needs more chunks of the same total.
 */
const TQ_SHIFT = 10;
const TQ_CHUNK = 1 << TQ_SHIFT;

/** A grace period's readers when there are none (frozen: shared). */
const NO_READERS: readonly { t: Task; exits: number }[] = Object.freeze([]);

type RcuCallback = (() => void) | TableBatch;
/** What a spare grace period's and table batch's fields hold (nothing of a kernel). */
const NO_CALLBACK: RcuCallback = () => {};
const NO_FREER: RcuTableFreer = { __tlb_remove_table() {} };

/**
 * A deliberately wrong table queue, for rcu_tables.test.ts: "drop-chunk-early"
 * drops a queue chunk one entry before its last has run, so the batch that frees
 * that entry later does not find it. A wrong idle poll (rcu_poll()'s early
 * return), for rcu_poll.test.ts: "poll-idle-srcu" returns early while the SRCU
 * domain may have work, when RCU has none. Wrong reuse of spare objects, for
 * rcu_tables.test.ts: "reuse-gp-readers" keeps a reused grace period's old
 * (empty) reader list, "reuse-batch-range" a reused table batch's old range.
 */
export type RcuMutant = "drop-chunk-early" | "poll-idle-srcu" | "reuse-gp-readers" | "reuse-batch-range";

export class Rcu implements types.Rcu {
  constructor(private readonly mutant: RcuMutant | null = null) {}

  /** Tasks currently known to the RCU model (registered by the engine). */
  readonly tasks = new Set<Task>();
  private readonly pending: GracePeriod[] = [];
  /** Grace periods completed so far. */
  completed = 0;
  /** Callbacks invoked so far. */
  invoked = 0;
  /** The page-table SRCU domain, polled at the same quiescent points (set only with Kernel.rcu_upper). */
  srcu: { poll(): number } | null = null;
  /**
   * The PFNs of the table batches queued with call_rcu_tables(), in queue order
   * (issue #10: 8 bytes a table, no closure or JS array per batch): entry g
   * (counted since the queue was last empty) is in chunk (g - tq_base) >> TQ_SHIFT;
   * [tq_head, tq_tail) are pending. A chunk goes when all its entries have run.
   */
  // The first chunk from the start: a copy of a kernel (the explorer's snapshot) then has it, and a restore
  // reuses the previous copy's buffer instead of every execution allocating one.
  private tq: Float64Array[] = [new Float64Array(TQ_CHUNK)];
  private tq_base = 0;
  private tq_head = 0;
  private tq_tail = 0;

  /** Note that `t` left its outermost read-side section. */
  reader_exit(t: Task): void {
    t.rcu_exits++;
  }

  private snapshot(): readonly { t: Task; exits: number }[] {
    let w: { t: Task; exits: number }[] | null = null;
    for (const t of this.tasks) if (t.rcu_read_depth > 0 || t.irq_disabled > 0) (w ??= []).push({ t, exits: t.rcu_exits });
    // No reader (the bulk runs' every call_rcu): the one frozen empty list, no array per grace period.
    return w ?? NO_READERS;
  }

  /** Start (or join) a grace period for `cb`. */
  call_rcu(cb: () => void): void {
    this.enqueue(cb);
  }

  /**
   * call_rcu(&batch->rcu, tlb_remove_table_rcu) for the page-table pages
   * pfns[0 .. n): one callback, as call_rcu() of a closure freeing them would be
   * (same grace period, same place among the callbacks, counted once), whose
   * PFNs wait in the typed-array queue; freer.__tlb_remove_table() frees each, in
   * that order, when it runs.
   */
  call_rcu_tables(freer: RcuTableFreer, mm: unknown, pfns: ArrayLike<number>, n: number): void {
    const from = this.tq_tail;
    for (let i = 0; i < n; i++) {
      const g = from + i - this.tq_base;
      const c = g >>> TQ_SHIFT;
      if (c === this.tq.length) this.tq.push(new Float64Array(TQ_CHUNK));
      this.tq[c][g & (TQ_CHUNK - 1)] = pfns[i];
    }
    this.tq_tail = from + n;
    let b = spare_batches.pop();
    if (b === undefined) b = { freer, mm, from, to: from + n };
    else if (this.mutant !== "reuse-batch-range") {
      b.freer = freer;
      b.mm = mm;
      b.from = from;
      b.to = from + n;
    }
    this.enqueue(b);
  }

  /** tlb_remove_table_rcu(): free the batch's pages in order, dropping the chunks it used up. */
  private tlb_remove_table_rcu(b: TableBatch): void {
    const free = b.freer;
    const mm = b.mm as never;
    for (let g = b.from; g < b.to; g++) {
      this.tq_head = g + 1;
      const o = g - this.tq_base;
      free.__tlb_remove_table(mm, this.tq[o >>> TQ_SHIFT][o & (TQ_CHUNK - 1)]);
    }
    const used = this.mutant === "drop-chunk-early" ? TQ_CHUNK - 1 : TQ_CHUNK;
    while (this.tq_head - this.tq_base >= used) {
      this.tq.shift();
      this.tq_base += TQ_CHUNK;
    }
    b.freer = NO_FREER;
    b.mm = null;
    spare_batches.push(b);
  }

  private enqueue(cb: RcuCallback): void {
    const last = this.pending[this.pending.length - 1];
    const waitFor = this.snapshot();
    if (last && sameReaders(last.waitFor, waitFor)) last.callbacks.push(cb);
    else {
      const gp = spare_gps.pop();
      if (gp === undefined) this.pending.push({ waitFor, callbacks: [cb] });
      else {
        if (this.mutant !== "reuse-gp-readers") gp.waitFor = waitFor;
        gp.callbacks[0] = cb;
        this.pending.push(gp);
      }
    }
  }

  private gp_done(gp: GracePeriod): boolean {
    // Indexed loops here and in rcu_poll_slow(), not for...of: the list is mostly the frozen
    // NO_READERS, whose iterator V8 does not optimise away (issue #10: garbage per poll).
    const w = gp.waitFor;
    for (let i = 0; i < w.length; i++) if (w[i].t.rcu_exits <= w[i].exits) return false;
    return true;
  }

  /**
   * Complete the grace periods whose readers have all finished and invoke their callbacks, in order.
   * Nothing to do when no grace period is pending, the table queue is empty and there is no SRCU
   * domain: the explorer polls at every step (explore6), so that case is a small function V8
   * inlines, the rest rcu_poll_slow().
   */
  rcu_poll(): number {
    if (this.pending.length === 0 && this.tq_tail === 0 && this.srcu === null && this.mutant !== "poll-idle-srcu") return 0;
    return this.rcu_poll_slow();
  }

  private rcu_poll_slow(): number {
    if (this.mutant === "poll-idle-srcu" && this.pending.length === 0 && this.tq_tail === 0) return 0;
    let n = 0;
    while (this.pending.length > 0 && this.gp_done(this.pending[0])) {
      const gp = this.pending.shift()!;
      this.completed++;
      const cbs = gp.callbacks;
      for (let i = 0; i < cbs.length; i++) {
        const cb = cbs[i];
        if (typeof cb === "function") cb();
        else this.tlb_remove_table_rcu(cb);
        n++;
      }
      if (cbs.length === 1) {
        gp.waitFor = NO_READERS;
        cbs[0] = NO_CALLBACK;
        spare_gps.push(gp);
      }
    }
    if (this.pending.length === 0 && this.tq_tail !== 0) {
      // Empty: start counting again (one chunk kept; `length` set only when it changes: a runtime call).
      if (this.tq.length > 1) this.tq.length = 1;
      this.tq_base = this.tq_head = this.tq_tail = 0;
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

export const rcu_read_lock$sync = nonblocking_sync_op(do_rcu_read_lock);
export const rcu_read_unlock$sync = nonblocking_sync_op(do_rcu_read_unlock);

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

export const local_irq_save$sync = nonblocking_sync_op(do_irq_save);
export const local_irq_restore$sync = nonblocking_sync_op(do_irq_restore);

function wait_gp(t: Task, done: () => boolean): void | typeof BLOCKED {
  if (t.rcu_read_depth > 0 || t.irq_disabled > 0) throw new Error(`${t.comm}/${t.pid}: synchronize_rcu() inside an RCU read-side section`);
  if (!done()) return BLOCKED;
}

/** synchronize_rcu(): wait until every reader that exists now has finished. */
export function synchronize_rcu(t: Task, rcu: types.Rcu) {
  return t.op.set(PT.SCHED, "synchronize_rcu", wait_gp, rcu.gp_ticket(), null, rcu);
}

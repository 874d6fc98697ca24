import { MmsimError, type Point, type PointKind } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import type * as types from "../types/sync.js";

/** Returned by an action that cannot proceed yet (a held lock). */
export const BLOCKED = Symbol("BLOCKED") as types.Blocked;

/** Thrown when a non-stepping task would block: in a single-threaded run that is a deadlock. */
export class DeadlockError extends MmsimError {
  constructor(message: string) {
    super("deadlock", message);
  }
}

/**
 * One primitive operation as an iterator, reused by its task. `yield* op` performs
 * the action; a stepping task first yields the operation's `Point`, and yields
 * again while the action reports BLOCKED. A primitive never starts another one,
 * so one object per task suffices and the bulk path allocates nothing.
 */
export class Op implements types.Op, Iterator<Point, unknown, undefined> {
  private action: types.Action<unknown, unknown, unknown> = () => undefined;
  private a: unknown = null;
  private b: unknown = null;
  private pending = false;
  readonly point: { kind: PointKind; what: string; obj: unknown } = { kind: 1, what: "", obj: null };
  private readonly yielded: IteratorYieldResult<Point> = { done: false, value: this.point };
  private readonly result: IteratorReturnResult<unknown> = { done: true, value: undefined };

  constructor(private readonly t: Task) {}

  set<A, B, R>(kind: PointKind, what: string, action: types.Action<A, B, R>, a: A, b: B, obj: unknown = a): Iterable<Point, R, undefined> & Iterator<Point, R, undefined> {
    this.action = action as types.Action<unknown, unknown, unknown>;
    this.a = a;
    this.b = b;
    const p = this.point;
    p.kind = kind;
    p.what = what;
    p.obj = obj;
    return this as unknown as Iterable<Point, R, undefined> & Iterator<Point, R, undefined>;
  }

  [Symbol.iterator](): this {
    return this;
  }

  /**
   * The Op's simulated state, for a whole-state digest (packages/bench's
   * stateDigest, which prefers `digest_into` to a walk of the fields): whether an
   * operation is pending (a stepping task stopped at its point), and which. An
   * idle Op's fields are the last operation's leftovers, host scratch: a bulk twin
   * that calls a primitive's `$sync` (core's, and since the plugin API has them
   * too, a plugin's derived twins) never sets them, the generator path does, and
   * nothing reads them before the next set().
   */
  digest_into(update: (bytes: Uint8Array) => void): void {
    update(new TextEncoder().encode(this.pending ? `pending ${this.point.kind} ${this.point.what}` : "idle"));
  }

  next(): IteratorResult<Point, unknown> {
    const t = this.t;
    if (t.stepping && !this.pending) {
      this.pending = true;
      if (t.trace_stack) (this.point as { stack?: string }).stack = new Error().stack;
      // The scheduler may take this step in place (a task alone: check/execution.ts); then go on as if resumed.
      if (t.on_point === null || !t.on_point(this.point)) return this.yielded;
    }
    let v = this.action(t, this.a, this.b);
    while (v === BLOCKED) {
      if (!t.stepping) throw new DeadlockError(`${t.comm}/${t.pid}: ${this.point.what} would block forever`);
      this.point.kind = 4; // PT.SPIN
      // A task left alone (check/execution.ts, lone runs) takes the blocked step in place too, then retries.
      if (t.on_point === null || !t.on_point(this.point)) return this.yielded;
      v = this.action(t, this.a, this.b);
    }
    this.pending = false;
    this.result.value = v;
    return this.result;
  }
}

/**
 * The bulk-run twin of a primitive: the action itself, called directly. A
 * non-stepping task that would block is a deadlock in a single-threaded run.
 * (desync turns `yield* prim(t, a)` into `prim$sync(t, a)` in kernel-path twins.)
 */
export function sync_op<A, B, R>(what: string, action: types.Action<A, B, R>): (t: Task, a: A, b?: B) => R {
  return (t, a, b) => {
    const v = action(t, a, b as B);
    if (v === BLOCKED) throw new DeadlockError(`${t.comm}/${t.pid}: ${what} would block forever`);
    return v as R;
  };
}

/**
 * sync_op() of an action that never blocks (its result type has no BLOCKED: a
 * trylock, an unlock, an RCU read-side or IRQ mark): the twin is the action
 * itself, sync_op()'s check could never fire. One JS call fewer per primitive
 * (issue #10: ~5 per 2 MiB chunk of the seed loop, which the interpreter runs
 * until the JIT has warmed up). An action whose type admits BLOCKED does not
 * compile here (the second parameter is then required, of type never).
 */
export function nonblocking_sync_op<A, B, R>(action: (t: Task, a: A, b: B) => R, ..._never_blocks: types.Blocked extends R ? [never] : []): (t: Task, a: A, b?: B) => R {
  return action as (t: Task, a: A, b?: B) => R;
}

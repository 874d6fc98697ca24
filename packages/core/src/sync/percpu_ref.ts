/**
 * percpu_ref (lib/percpu-refcount.c, include/linux/percpu-refcount.h), as Linux
 * v5.18 has it, with the two library patches of the 2022 design (seed 002):
 *   - patch 02/18 "make ref stable after percpu_ref_switch_to_atomic_sync()
 *     returns" — an option of the library (`percpu_ref_config(k, { patch02 })`,
 *     default applied): the put of the switch's own reference moves out of the
 *     RCU callback into percpu_ref_switch_to_atomic_sync(), after wait_event();
 *   - patch 03/18 "make percpu_ref_switch_lock per percpu_ref" — always: the
 *     switch lock is the ref's own; the wait queue stays global.
 *
 * State (the kernel's in brackets):
 *   - `percpu` [the per-CPU counters], meaningful in percpu mode;
 *   - `count` [data->count] without PERCPU_COUNT_BIAS; `biased` says the bias is
 *     in it (percpu mode, and a switch to atomic whose grace period has not yet
 *     ended): then the atomic count cannot reach zero;
 *   - `mode` [__PERCPU_REF_ATOMIC], `dead` [__PERCPU_REF_DEAD], `force_atomic`,
 *     `allow_reinit`, `confirm_switch` (non-null: a switch to atomic is in
 *     progress), `sync` [data->sync, patch 02].
 * Gets and puts in percpu mode touch one CPU's counter; in atomic mode the
 * atomic count (the release callback runs when it reaches zero). Switching to
 * atomic sets the flag at once (gets and puts go to the biased atomic count from
 * then on) and sums the per-CPU counters into the atomic count in an RCU callback
 * after a grace period, when no CPU can still be on the per-CPU fast path.
 *
 * Model differences: a get/put is one step, so no CPU is ever midway through the
 * per-CPU fast path when the flag flips (the grace period is still waited for, and
 * counted). wait_event() sleeps as a blocked preemption point that, when retried,
 * lets RCU run the callbacks of grace periods that have ended (the waiter's CPU is
 * quiescent). Unfixed patch 02 (R1): percpu_ref_call_confirm_rcu() wakes the
 * waiter before it drops the switch's reference; the model lets the woken waiter
 * run first and lands that put at the next quiescent point — case (B) of the
 * patch's commit message, after the waiter's percpu_ref_is_zero() in a bulk or
 * stepped run (the explorer polls RCU after every step, so there it lands at once:
 * case (A)).
 */
import { PT, type KPath } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import { BLOCKED, sync_op } from "./op.js";
import { count_percpu_op, count_rmw } from "./rmw.js";
import { SpinLock, spin_lock, spin_unlock } from "./spinlock.js";

/** percpu_ref_init() flags. */
export const PERCPU_REF_INIT_ATOMIC = 1 << 0;
export const PERCPU_REF_INIT_DEAD = 1 << 1;
export const PERCPU_REF_ALLOW_REINIT = 1 << 2;

/**
 * The library's global state in one kernel: percpu_ref_switch_waitq (every
 * waiter is woken by every confirmation, R2) with what it counts, and whether
 * patch 02 is applied.
 */
export class PercpuRefLib {
  /** Patch 02/18 applied (the switch's own put after wait_event()). */
  patch02 = true;
  /** Tasks sleeping on percpu_ref_switch_waitq. */
  readonly waiters = new Set<Task>();
  /** Switches from percpu to atomic mode started (each waits an RCU grace period). */
  switches_to_atomic = 0;
  /** Switches back to percpu mode. */
  switches_to_percpu = 0;
  /** percpu_ref_switch_to_atomic_sync() calls that slept until a grace period and the confirmation. */
  sync_waits = 0;
  /** wake_up_all(&percpu_ref_switch_waitq) calls. */
  wake_up_all = 0;
  /** Waiters woken by them (all of them, whatever ref each waits for). */
  woken = 0;
}

const libs = new WeakMap<object, PercpuRefLib>();

/** The percpu_ref library state of kernel `k` (one per machine, created on first use). */
export function percpu_ref_lib(k: object): PercpuRefLib {
  let l = libs.get(k);
  if (!l) libs.set(k, (l = new PercpuRefLib()));
  return l;
}

export class PercpuRef {
  /** Per-CPU counts, meaningful in percpu mode (each may go negative; only the sum matters). */
  readonly percpu: number[];
  /** data->count without PERCPU_COUNT_BIAS. */
  count: number;
  /** PERCPU_COUNT_BIAS is in data->count. */
  biased: boolean;
  mode: "percpu" | "atomic";
  dead: boolean;
  force_atomic: boolean;
  allow_reinit: boolean;
  /** data->confirm_switch: non-null while a switch to atomic waits for its grace period. */
  confirm_switch: (() => void) | null = null;
  /** Whether the grace period of the switch in flight has ended (its callback may not have run yet). */
  switch_gp_done: () => boolean = () => true;
  /** data->sync (patch 02): the switch in flight was started by percpu_ref_switch_to_atomic_sync(). */
  sync = false;
  /** The release callback ran (the atomic count reached zero) at least once. */
  released = false;
  /** percpu_ref_exit() was called. */
  exited = false;
  /** Tasks sleeping in percpu_ref_switch_to_atomic_sync() on this ref. */
  readonly sync_waiters = new Set<Task>();
  /** Unfixed patch 02: confirmation puts not yet landed (case B). */
  late_puts = 0;
  /** ref->percpu_ref_switch_lock (patch 03). */
  readonly percpu_ref_switch_lock = new SpinLock("percpu_ref_switch_lock");
  /**
   * What a task sleeping in wait_event() on this ref waits for, shown to the
   * explorer the way a held lock is: `owner` is non-null while the switch's grace
   * period has not ended, so a sleeper is not scheduled again before it can
   * proceed (when it runs, RCU runs the confirmation).
   */
  readonly switch_wait: { readonly name: string; readonly owner: unknown };

  constructor(
    nr_cpus: number,
    readonly release: () => void,
    flags = 0,
    readonly lib: PercpuRefLib = new PercpuRefLib(),
  ) {
    this.percpu = new Array<number>(nr_cpus).fill(0);
    this.force_atomic = (flags & PERCPU_REF_INIT_ATOMIC) !== 0;
    this.allow_reinit = (flags & PERCPU_REF_ALLOW_REINIT) !== 0;
    if (flags & (PERCPU_REF_INIT_ATOMIC | PERCPU_REF_INIT_DEAD)) {
      this.mode = "atomic";
      this.allow_reinit = true;
      this.biased = false;
    } else {
      this.mode = "percpu";
      this.biased = true;
    }
    this.dead = (flags & PERCPU_REF_INIT_DEAD) !== 0;
    this.count = this.dead ? 0 : 1;
    this.switch_wait = switch_wait_of(this);
  }

  /** The true count (the kernel cannot read it in percpu mode; percpu_ref_is_zero() is false there). */
  get sum(): number {
    return this.biased ? this.count + this.percpu.reduce((a, b) => a + b, 0) : this.count;
  }
}

function switch_wait_of(ref: PercpuRef): { readonly name: string; readonly owner: unknown } {
  return {
    name: "percpu_ref_switch_waitq",
    get owner() {
      return ref.confirm_switch !== null && !ref.switch_gp_done() ? ref : null;
    },
  };
}

function bug(t: Task | null, m: string): never {
  throw new Error(`kernel BUG: ${t ? `${t.comm}/${t.pid}: ` : ""}${m}`);
}

function check_live(t: Task | null, r: PercpuRef, what: string): void {
  if (r.exited) bug(t, `${what} after percpu_ref_exit()`);
  if (r.dead && r.released && !r.allow_reinit) bug(t, `${what} on a released ref`);
}

/** A get or put: this_cpu_add() in percpu mode, an atomic RMW on the count in atomic mode. */
function count_op(r: PercpuRef): void {
  if (r.mode === "percpu") count_percpu_op();
  else count_rmw(r, "percpu_ref");
}

/** percpu_ref_get_many(ref, nr) */
function get_many(t: Task | null, r: PercpuRef, nr: number, cpu: number): void {
  check_live(t, r, "percpu_ref_get");
  count_op(r);
  if (r.mode === "percpu") r.percpu[cpu] += nr;
  else r.count += nr;
}

/** percpu_ref_put_many(ref, nr): the release callback when the atomic count reaches zero. */
function put_many(t: Task | null, r: PercpuRef, nr: number, cpu: number): void {
  check_live(t, r, "percpu_ref_put");
  count_op(r);
  if (r.mode === "percpu") {
    r.percpu[cpu] -= nr;
    return;
  }
  r.count -= nr;
  if (r.biased) return;
  if (r.count === 0) {
    r.released = true;
    r.release();
  } else if (r.count < 0) bug(t, `percpu_ref underflow (${r.count})`);
}

/** atomic_long_inc_not_zero(&data->count): the biased count is never zero. */
function inc_not_zero(r: PercpuRef): boolean {
  count_rmw(r, "percpu_ref");
  if (!r.biased && r.count === 0) return false;
  r.count++;
  return true;
}

function do_get(t: Task, r: PercpuRef): void {
  get_many(t, r, 1, t.cpu);
}
function do_put(t: Task, r: PercpuRef): void {
  put_many(t, r, 1, t.cpu);
}
/** percpu_ref_tryget(): percpu mode always succeeds; atomic mode is inc_not_zero. */
function do_tryget(t: Task, r: PercpuRef): boolean {
  check_live(t, r, "percpu_ref_tryget");
  if (r.mode === "percpu") {
    count_percpu_op();
    r.percpu[t.cpu]++;
    return true;
  }
  return inc_not_zero(r);
}
/** percpu_ref_tryget_live(): as tryget, and fails once the ref is dead. */
function do_tryget_live(t: Task, r: PercpuRef): boolean {
  check_live(t, r, "percpu_ref_tryget_live");
  if (r.mode === "percpu") {
    count_percpu_op();
    r.percpu[t.cpu]++;
    return true;
  }
  if (r.dead) return false;
  return inc_not_zero(r);
}

function is_zero(r: PercpuRef): boolean {
  if (r.mode === "percpu") return false;
  return !r.biased && r.count === 0;
}

/** percpu_ref_is_zero(): false in percpu mode; else reads the atomic count under the ref's switch lock. */
function do_is_zero(t: Task, r: PercpuRef): boolean | typeof BLOCKED {
  if (r.mode === "percpu") return false;
  const l = r.percpu_ref_switch_lock;
  if (l.owner !== null && l.owner !== t) return BLOCKED; // spin_lock_irqsave(&ref->percpu_ref_switch_lock)
  return is_zero(r);
}

export const percpu_ref_get = (t: Task, r: PercpuRef) => t.op.set(PT.ATOMIC, "percpu_ref_get", do_get, r, null);
export const percpu_ref_get$sync = sync_op("percpu_ref_get", do_get);
export const percpu_ref_put = (t: Task, r: PercpuRef) => t.op.set(PT.ATOMIC, "percpu_ref_put", do_put, r, null);
export const percpu_ref_put$sync = sync_op("percpu_ref_put", do_put);
/** percpu_ref_tryget() */
export const percpu_ref_tryget = (t: Task, r: PercpuRef) => t.op.set(PT.ATOMIC, "percpu_ref_tryget", do_tryget, r, null);
export const percpu_ref_tryget$sync = sync_op("percpu_ref_tryget", do_tryget);
/** percpu_ref_tryget_live() */
export const percpu_ref_tryget_live = (t: Task, r: PercpuRef) => t.op.set(PT.ATOMIC, "percpu_ref_tryget_live", do_tryget_live, r, null);
export const percpu_ref_tryget_live$sync = sync_op("percpu_ref_tryget_live", do_tryget_live);
/** percpu_ref_is_zero() */
export const percpu_ref_is_zero = (t: Task, r: PercpuRef) => t.op.set(PT.ATOMIC, "percpu_ref_is_zero", do_is_zero, r, null);
export const percpu_ref_is_zero$sync = sync_op("percpu_ref_is_zero", do_is_zero);

/**
 * The same operations where the kernel runs them inside another primitive and
 * the model has no task: the track_pte_set/clear hooks, inside set_pte_at() /
 * ptep_get_and_clear() under the PTE lock (no preemption point). In percpu mode
 * they count on CPU 0 (only the sum of the per-CPU counters means anything).
 */
export function percpu_ref_get_many(r: PercpuRef, nr = 1): void {
  get_many(null, r, nr, 0);
}
export function percpu_ref_put_many(r: PercpuRef, nr = 1): void {
  put_many(null, r, nr, 0);
}
/** percpu_ref_is_zero() read where a plain hook runs (the switch lock is not modelled there). */
export function percpu_ref_is_zero_nolock(r: PercpuRef): boolean {
  return is_zero(r);
}

/* ---- mode switching ---- */

function wake_up_all(lib: PercpuRefLib): void {
  lib.wake_up_all++;
  lib.woken += lib.waiters.size;
}

/** percpu_ref_switch_to_atomic_post() (patch 02); before it, the tail of percpu_ref_call_confirm_rcu(). */
function switch_to_atomic_post(r: PercpuRef, cpu: number): void {
  // if (!data->allow_reinit) __percpu_ref_exit(ref): the per-CPU counters are freed; the
  // model keeps the array (a ref that may not reinit never goes back to percpu mode).
  /* drop ref from percpu_ref_switch_to_atomic() */
  put_many(null, r, 1, cpu);
}

/** percpu_ref_call_confirm_rcu() */
function percpu_ref_call_confirm_rcu(r: PercpuRef): void {
  let need_put = true;
  if (r.lib.patch02 && r.sync) need_put = r.sync = false;
  const confirm = r.confirm_switch!;
  confirm();
  r.confirm_switch = null;
  wake_up_all(r.lib);
  if (!need_put) return;
  // Unfixed patch 02, a waiter sleeping on this ref: it is woken first and the put lands later (case B).
  if (!r.lib.patch02 && r.sync_waiters.size > 0) r.late_puts++;
  else switch_to_atomic_post(r, 0);
}

/** percpu_ref_switch_to_atomic_rcu(): after the grace period, sum the per-CPU counts into the atomic count. */
function percpu_ref_switch_to_atomic_rcu(r: PercpuRef): void {
  let count = 0;
  for (let cpu = 0; cpu < r.percpu.length; cpu++) count += r.percpu[cpu];
  r.count += count; // atomic_long_add((long)count - PERCPU_COUNT_BIAS, &ref->data->count)
  r.percpu.fill(0);
  r.biased = false;
  if (r.count <= 0) bug(null, `percpu ref <= 0 (${r.count}) after switching to atomic`);
  /* @ref is viewed as dead on all CPUs, send out switch confirmation */
  percpu_ref_call_confirm_rcu(r);
}

const percpu_ref_noop_confirm_switch = (): void => {};

/** __percpu_ref_switch_to_atomic(ref, confirm_switch, sync) */
function __percpu_ref_switch_to_atomic(t: Task, r: PercpuRef, confirm: (() => void) | null, sync: boolean): void {
  if (r.mode === "atomic") {
    confirm?.();
    if (r.lib.patch02 && sync) get_many(t, r, 1, t.cpu);
    return;
  }
  if (r.lib.patch02) r.sync = sync;
  /* switching from percpu to atomic */
  r.mode = "atomic";
  /* Non-NULL ->confirm_switch is used to indicate that switching is in progress. */
  r.confirm_switch = confirm ?? percpu_ref_noop_confirm_switch;
  get_many(t, r, 1, t.cpu); /* put after confirmation */
  r.lib.switches_to_atomic++;
  r.switch_gp_done = t.k.rcu.gp_ticket();
  t.k.rcu.call_rcu(() => percpu_ref_switch_to_atomic_rcu(r));
}

/** __percpu_ref_switch_to_percpu(ref) */
function __percpu_ref_switch_to_percpu(t: Task, r: PercpuRef): void {
  if (r.exited) bug(t, "percpu_ref_switch_to_percpu() after percpu_ref_exit()");
  if (r.mode === "percpu") return;
  if (!r.allow_reinit) return; // WARN_ON_ONCE(!ref->data->allow_reinit)
  r.biased = true; // atomic_long_add(PERCPU_COUNT_BIAS, &ref->data->count)
  r.percpu.fill(0);
  r.mode = "percpu";
  r.lib.switches_to_percpu++;
}

/** One step of __percpu_ref_switch_mode() after the wait: the switch itself. */
function do_switch_mode(t: Task, r: PercpuRef, a: { confirm: (() => void) | null; sync: boolean }): void {
  if (r.force_atomic || r.dead) __percpu_ref_switch_to_atomic(t, r, a.confirm, a.sync);
  else __percpu_ref_switch_to_percpu(t, r);
}

/** Whether the task may sleep here (wait_event in an RCU read-side section is a bug). */
function might_sleep(t: Task, what: string): void {
  if (t.rcu_read_depth > 0 || t.irq_disabled > 0) bug(t, `${what}: sleeping inside an RCU read-side section or with IRQs off`);
}

/**
 * wait_event(percpu_ref_switch_waitq, !ref->data->confirm_switch): sleep until the
 * switch in flight on `r` is confirmed. The waiter's CPU is quiescent, so RCU runs
 * the callbacks of the grace periods that have ended.
 */
function do_wait_confirm(t: Task, r: PercpuRef, sync: boolean): void | typeof BLOCKED {
  might_sleep(t, "wait_event(percpu_ref_switch_waitq)");
  const lib = r.lib;
  if (r.confirm_switch !== null) {
    if (!lib.waiters.has(t)) {
      lib.waiters.add(t);
      if (sync) {
        r.sync_waiters.add(t);
        lib.sync_waits++;
      }
    }
    t.k.rcu.rcu_poll();
    if (r.confirm_switch !== null) return BLOCKED;
  }
  lib.waiters.delete(t);
  r.sync_waiters.delete(t);
  // Unfixed patch 02: the confirmation's put runs on its CPU after this waiter has run on (case B).
  for (; r.late_puts > 0; r.late_puts--) t.k.rcu.call_rcu(() => switch_to_atomic_post(r, t.cpu));
}

const wait_confirm = (t: Task, r: PercpuRef, sync: boolean) => t.op.set(PT.SCHED, "wait_event(percpu_ref_switch_waitq)", do_wait_confirm, r, sync, r.switch_wait);

/**
 * __percpu_ref_switch_mode(): called with the ref's switch lock held; if a switch
 * to atomic is in progress, wait for its confirmation with the lock dropped
 * (wait_event_lock_irq), then switch.
 */
function* __percpu_ref_switch_mode(t: Task, r: PercpuRef, confirm: (() => void) | null, sync: boolean): KPath {
  const l = r.percpu_ref_switch_lock;
  while (r.confirm_switch !== null) {
    yield* spin_unlock(t, l);
    yield* wait_confirm(t, r, false);
    yield* spin_lock(t, l);
  }
  yield* t.op.set(PT.ATOMIC, "__percpu_ref_switch_mode", do_switch_mode, r, { confirm, sync });
}

/**
 * percpu_ref_switch_to_atomic(ref, confirm_switch[, sync]): schedule the switch to
 * atomic mode (sticky: force_atomic). May sleep while a previous switch is in
 * progress.
 */
export function* percpu_ref_switch_to_atomic(t: Task, r: PercpuRef, confirm: (() => void) | null = null, sync = false): KPath {
  const l = r.percpu_ref_switch_lock;
  yield* spin_lock(t, l);
  r.force_atomic = true;
  yield* __percpu_ref_switch_mode(t, r, confirm, sync);
  yield* spin_unlock(t, l);
}

function do_post(t: Task, r: PercpuRef): void {
  switch_to_atomic_post(r, t.cpu);
}

/**
 * percpu_ref_switch_to_atomic_sync(ref): switch to atomic mode and sleep until the
 * switch is confirmed (an RCU grace period). With patch 02 the switch's own
 * reference is dropped here, after the wait, so the count is stable on return.
 */
export function* percpu_ref_switch_to_atomic_sync(t: Task, r: PercpuRef): KPath {
  might_sleep(t, "percpu_ref_switch_to_atomic_sync()");
  yield* percpu_ref_switch_to_atomic(t, r, null, true);
  yield* wait_confirm(t, r, true);
  if (r.lib.patch02) yield* t.op.set(PT.ATOMIC, "percpu_ref_switch_to_atomic_post", do_post, r, null);
}

/** percpu_ref_switch_to_percpu(ref): back to percpu mode (a dying or dead ref stays atomic). */
export function* percpu_ref_switch_to_percpu(t: Task, r: PercpuRef): KPath {
  const l = r.percpu_ref_switch_lock;
  yield* spin_lock(t, l);
  r.force_atomic = false;
  yield* __percpu_ref_switch_mode(t, r, null, false);
  yield* spin_unlock(t, l);
}

/**
 * percpu_ref_kill(ref): mark dead (tryget_live fails from now on), switch to atomic
 * mode (the sum after an RCU grace period), drop the initial reference. The model
 * runs it without sleeping: a switch already in flight goes to atomic anyway.
 */
export function percpu_ref_kill(t: Task, r: PercpuRef): void {
  if (r.dead) bug(t, "percpu_ref_kill() called more than once");
  r.dead = true;
  if (r.confirm_switch === null) __percpu_ref_switch_to_atomic(t, r, null, false);
  put_many(t, r, 1, t.cpu);
}

/**
 * percpu_ref_exit(ref): undo percpu_ref_init() (the per-CPU counters are freed);
 * the caller ensures the ref is no longer in use. A switch still in progress is
 * the kernel's WARN_ON_ONCE(ref->data->confirm_switch): a bug here.
 */
export function percpu_ref_exit(r: PercpuRef): void {
  if (r.confirm_switch !== null) bug(null, "percpu_ref_exit() while a switch to atomic is in progress");
  r.exited = true;
}

/** Per-kernel state kept outside the Kernel object: the explorer's post-setup snapshot copies it with the kernel (check/setup_snapshot.ts). */
export const PERCPU_REF_LIBS_SIDE_TABLE: WeakMap<object, unknown> = libs;

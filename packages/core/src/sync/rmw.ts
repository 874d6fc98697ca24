/**
 * Atomic read-modify-write accounting (issue #8 §3, the fault-path cost the
 * 2021 thread measured): how many LOCK-prefixed read-modify-writes (on x86) the
 * modelled kernel paths execute, and on which objects, each standing for one
 * cache line. Counted where the primitive's action runs, so bulk and stepped runs
 * count the same:
 *
 *   spin_lock / spin_trylock that takes the lock   one RMW (queued_spin_lock's cmpxchg)
 *   down_read / down_write / up_* / downgrade       one RMW each (atomic_long_add_return / cmpxchg)
 *   atomic_add_return / atomic_cmpxchg / atomic_add one RMW
 *   percpu_ref get/put/tryget in atomic mode        one RMW on the ref's atomic count
 *   percpu_ref get/put/tryget in percpu mode        a per-CPU op (this_cpu_add), counted apart: no shared line
 *
 * Not counted: spin_unlock (a release store, not an RMW), rcu_read_lock (a
 * preempt count), reads. Model differences: folio refcounts and mapcounts, the
 * LRU, memcg charging and the per-CPU RSS counters are not modelled; a failed or
 * contended cmpxchg counts once, however long the kernel would spin. Counters are
 * per process (module state), not per kernel: the plain hooks that count here
 * have no kernel at hand. Deterministic for a given run.
 */

export interface RmwCounters {
  /** Atomic read-modify-writes on shared memory. */
  rmw: number;
  /** Per-CPU operations (this_cpu_*): no cache line shared between CPUs. */
  percpu: number;
}

const counters: RmwCounters = { rmw: 0, percpu: 0 };
let lines: Map<object, string> | null = null;

/** One atomic RMW on `obj`'s cache line; `kind` names the line for reports (its lock class, "atomic_t", ...). */
export function count_rmw(obj: object, kind: string): void {
  counters.rmw++;
  if (lines !== null && !lines.has(obj)) lines.set(obj, kind);
}

/** `n` count_rmw(obj, kind) calls at once (the batch paths, issue #10 §1). */
export function count_rmw_n(obj: object, kind: string, n: number): void {
  if (n <= 0) return;
  counters.rmw += n;
  if (lines !== null && !lines.has(obj)) lines.set(obj, kind);
}

/** Are the objects RMW'd being recorded (rmw_lines_start())? Else count_rmw() uses its object for nothing. */
export function rmw_lines_on(): boolean {
  return lines !== null;
}

/** One per-CPU operation (percpu_ref in percpu mode). */
export function count_percpu_op(): void {
  counters.percpu++;
}

/** The counts so far (a copy). */
export function rmw_counters(): RmwCounters {
  return { ...counters };
}

/**
 * Start recording the distinct objects RMW'd (their kinds), until
 * rmw_lines_stop(); returns the live map. Used around one fault to count the
 * cache lines it writes atomically.
 */
export function rmw_lines_start(): ReadonlyMap<object, string> {
  lines = new Map();
  return lines;
}

export function rmw_lines_stop(): void {
  lines = null;
}

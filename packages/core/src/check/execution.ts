/**
 * One execution of a scenario under a strategy: a fresh kernel with the sanitizers
 * on, the setup run single-threaded, then the actors stepped one preemption point
 * at a time in the order the strategy picks. CPUs listed as hardware walkers are
 * extra "actors" whose every step is one speculative MMU walk.
 */
import { Engine } from "../engine.js";
import type { Arch } from "../pgtable/arch.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { isMmsimError, type MmsimError } from "@mmsim/spec";
import type { Point } from "../sched/point.js";
import { run_to_completion } from "../sched/runner.js";
import { LONE } from "../sched/lone.js";
import { flat_path } from "../sched/trampoline.js";
import { PreemptionCounter, ScheduleDivergenceError } from "../sched/schedule.js";
import type { Strategy } from "../sched/strategy.js";
import type { Task } from "../sched/task.js";
import { DeadlockError } from "../sync/op.js";
import { hw_walk } from "../tlb/hw_walker.js";
import { actor_op, FAULT_RETRY_WAIT, type OpResult } from "./actors.js";
import { check_exit, check_mm } from "./invariants.js";
import { Oracle } from "./oracle.js";
import { Sanitizer, SanitizerViolation } from "./sanitizer.js";
import { SCENARIO_BASE, size, type Scenario, type ScenarioOp } from "./scenario.js";
import { HookCounter, type PostSetup, type SetupCache } from "./setup_snapshot.js";
import type { Hooks } from "../types/kernel.js";
import type { MmStruct } from "../mm/mm_struct.js";
import type { KPath } from "../sched/point.js";

export interface Violation {
  rule: string;
  detail: string;
  /** The actor that was running when the rule broke ("setup" during setup; absent for the checks after every actor finished). */
  actor?: string;
}

export interface StepRecord {
  actor: number;
  what: string;
  /** Kernel functions on the stack at the point (innermost last), when tracing. */
  stack?: string[];
}

export interface ExecutionResult {
  violation: Violation | null;
  choices: number[];
  /** The actors runnable at each step. */
  runnable: number[][];
  /** Preemptions of `choices` (countPreemptions), counted as the steps ran. */
  preemptions: number;
  steps: StepRecord[];
  results: OpResult[][];
}

interface Actor {
  name: string;
  cpu: number;
  task: Task | null;
  path: Iterator<Point, unknown, undefined> | null;
  done: boolean;
  blocked: boolean;
  /** What a blocked actor waits for (its last Point). */
  waiting: Point | null;
  /** Hardware walker: addresses to walk in turn. */
  walk?: { addrs: number[]; i: number };
}

export interface ExecOptions {
  plugin: ReclaimPlugin | null;
  arch: Arch;
  /** Record kernel function stacks at every step (for printing a failure). */
  trace?: boolean;
  /** Upper bound on steps, to catch livelock. */
  max_steps?: number;
  /**
   * The exploration's post-setup snapshots (check/setup_snapshot.ts): start from
   * a copy of the state the scenario's setup leaves instead of running it again.
   * Same results; absent: every execution runs the setup.
   */
  setup_cache?: SetupCache;
  /**
   * Fill ExecutionResult.steps (default true; always with `trace`). The explorer
   * turns it off for the executions whose steps nobody reads (all but a
   * failure's traced replay): one object less per step.
   */
  record_steps?: boolean;
  /**
   * Deliberately broken (or disabled) steps in place, for the tests
   * (execution_solo.test.ts): "off" yields every point to the loop; the
   * broken ones, taking steps in place, "skip-rcu-poll" forget the RCU poll,
   * "skip-unblock" do not wake actors blocked on a lock just freed,
   * "skip-choose" do not ask the strategy when one actor can run,
   * "skip-record" leave the steps out of `runnable`; "hand-back" returns every
   * step to the loop (the same results, only slower). "no-lone" takes steps in
   * place but runs no task on its kernel paths' lone variants (the same
   * results, only slower); the broken lone runs (LONE_MUTANTS):
   * "lone-resume-early" goes back to the bottom task without recording the
   * step that picked it, "lone-skip-blocked" retries a blocked point of the
   * bottom task without taking the step, "lone-nested-lone" leaves the lone
   * variants on for the actors run nested (which then cannot yield).
   */
  solo_mutant?: SoloMutant;
  /**
   * How the actors' kernel paths are stepped: "nested" (default) resumes the
   * `yield*` chain of generators at a yielded point; "trampoline" runs the build's
   * `$step` variants on sched/trampoline.ts (one generator per point, but two
   * iterator results and a stack push/pop more per kernel-path call). The same
   * results either way (execution_solo.test.ts); only the cost differs.
   */
  stepping?: "nested" | "trampoline";
}

export type SoloMutant = "off" | "skip-rcu-poll" | "skip-unblock" | "skip-choose" | "skip-record" | "hand-back" | "no-lone" | LoneMutant;
export type LoneMutant = "lone-resume-early" | "lone-skip-blocked" | "lone-nested-lone";
export const SOLO_MUTANTS: readonly SoloMutant[] = ["skip-rcu-poll", "skip-unblock", "skip-choose", "skip-record"];
export const LONE_MUTANTS: readonly LoneMutant[] = ["lone-resume-early", "lone-skip-blocked", "lone-nested-lone"];

/**
 * The steps of the last execution: the next one's choices and runnable sets are
 * allocated that long (a capacity only; cut to the steps it takes), not grown
 * one push at a time. Module state that changes no result.
 */
let stepsHint = 0;

/** Actor names: the scenario's, then "hw<cpu>" for hardware walkers. */
export function actorNames(s: Scenario): string[] {
  return [...s.actors.map((a) => a.name), ...walkerCpus(s).map((c) => `hw${c}`)];
}

function walkerCpus(s: Scenario): number[] {
  return [...new Set([...(s.hw_walkers ?? []), ...(s.lazy_cpus ?? [])])];
}

function walkAddrs(s: Scenario): number[] {
  if (s.walk_at) return s.walk_at.map((a) => SCENARIO_BASE + size(a, "walk_at"));
  const out: number[] = [];
  for (const op of s.setup) if (op.op === "mmap") for (let a = size(op.at, "at"); a < size(op.at, "at") + size(op.len, "len"); a += 2 * 1024 * 1024) out.push(SCENARIO_BASE + a);
  return out.length ? out : [SCENARIO_BASE];
}

function* run_ops(t: Task, mm: MmStruct, ops: ScenarioOp[], oracle: Oracle | null, name: string, out: OpResult[]): KPath {
  for (const op of ops) out.push(yield* actor_op(t, mm, op, oracle, name));
}

/** Map an exception thrown inside a kernel path to the rule it breaks. */
export function classify(e: unknown): Violation {
  // By brand, not instanceof: a plugin built against another copy of core
  // throws errors of that copy's classes.
  if (isMmsimError(e, "sanitizer-violation")) {
    const v = e as MmsimError & Partial<Pick<SanitizerViolation, "rule" | "detail">>;
    return { rule: v.rule ?? "sanitizer", detail: v.detail ?? v.message };
  }
  if (isMmsimError(e, "page-table-use-after-free")) return { rule: "page-table use after free", detail: e.message };
  if (isMmsimError(e, "oracle-violation")) return { rule: "user data", detail: e.message };
  if (isMmsimError(e, "deadlock")) return { rule: "deadlock", detail: e.message };
  if (isMmsimError(e, "lock-error")) return { rule: "lock rules", detail: e.message };
  const m = e instanceof Error ? e.message : String(e);
  if (/double free/.test(m)) return { rule: "double free", detail: m };
  return { rule: "kernel BUG", detail: m };
}

/**
 * Run one execution of `s`, each step's actor chosen by `strategy`, then tell the
 * strategy the execution has ended. Rules the kernel breaks are returned as the
 * result's violation; a strategy that cannot follow its schedule throws a
 * ScheduleDivergenceError naming the actors.
 */
export function execute(s: Scenario, strategy: Strategy, opts: ExecOptions): ExecutionResult {
  let result: ExecutionResult | null = null;
  try {
    result = run_execution(s, strategy, opts);
    strategy.end_execution?.();
    return result;
  } catch (e) {
    if (e instanceof ScheduleDivergenceError) throw e.explain(actorNames(s), result?.violation?.rule);
    throw e;
  }
}

function run_execution(s: Scenario, strategy: Strategy, opts: ExecOptions): ExecutionResult {
  const walkers = walkerCpus(s);
  const nr_cpus = Math.max(2, ...s.actors.map((a) => a.cpu + 1), ...walkers.map((c) => c + 1));
  const cache = opts.setup_cache;
  const restored = cache?.restore(s, opts.plugin, opts.arch) ?? null;
  const st = restored ?? new_machine(s, opts, nr_cpus);
  const { k, proc, mm, sanitizer, oracle } = st;
  const result: ExecutionResult = { violation: null, choices: [], runnable: [], preemptions: 0, steps: [], results: s.actors.map(() => []) };
  const preemptions = new PreemptionCounter(s.actors.length);
  let running: string | undefined = "setup";
  const fail = (e: unknown) => {
    if (e instanceof ScheduleDivergenceError) throw e; // the strategy's, not the kernel's
    const v = sanitizer.first ? { rule: sanitizer.first.rule, detail: sanitizer.first.detail } : classify(e);
    result.violation = running === undefined ? v : { ...v, actor: running };
    return result;
  };
  if (restored === null) {
    try {
      run_to_completion(run_ops(proc.task, mm, s.setup, oracle, "setup", []));
      proc.return_to_user();
    } catch (e) {
      return fail(e);
    }
    const m = st as FreshMachine;
    if (m.counter) cache!.take(s, opts.plugin, opts.arch, m.engine, st, m.counter, m.hooks);
  }
  // The setup task goes on as actor 0 under that actor's name, as set_task_comm() renames a
  // task: a rule it breaks from now on names the actor, not "setup".
  (proc.task as { comm: string }).comm = s.actors[0].name;
  const actors: Actor[] = s.actors.map((a, i) => {
    const task = i === 0 ? proc.task : k.new_task(mm, a.cpu, a.name);
    if (i === 0) k.cpu_curr[a.cpu] = task;
    // Stepped nested (`yield*` all the way down) unless `stepping: "trampoline"` asks for the
    // trampoline (one generator resumed per yielded point; never when tracing: the trace reads the
    // kernel functions on the stack at each point). With steps taken in place few points are
    // yielded, and a nested call costs less than a trampoline call (packages/bench/README.md).
    const nested = opts.trace || opts.stepping !== "trampoline";
    const path = nested ? run_ops(task, mm, a.ops, oracle, a.name, result.results[i]) : flat_path(run_ops(task, mm, a.ops, oracle, a.name, result.results[i]));
    return { name: a.name, cpu: a.cpu, task, path, done: false, blocked: false, waiting: null };
  });
  for (const c of walkers) {
    k.tlb.switch_mm(c, mm, (s.lazy_cpus ?? []).includes(c));
    actors.push({ name: `hw${c}`, cpu: c, task: null, path: null, done: false, blocked: false, waiting: null, walk: { addrs: walkAddrs(s), i: 0 } });
  }
  for (const a of actors) if (a.task) a.task.stepping = true;
  const max = opts.max_steps ?? 200_000;
  const stackLimit = Error.stackTraceLimit;
  if (opts.trace) Error.stackTraceLimit = 60;
  let current = -1;
  // Per-step bookkeeping allocates nothing in the common case: the tasks still
  // running are counted as they finish, and a step whose runnable set equals the
  // previous step's shares that array (result.runnable is read, never mutated).
  let live = 0;
  for (const a of actors) if (!a.walk) live++;
  let prevRunnable: number[] = [];
  const scratch: number[] = [];
  const trace = opts.trace ?? false;
  const record = trace || (opts.record_steps ?? true);
  let step = 0;
  let pick = -1;
  /** This step's runnable set into prevRunnable (the same array as the last step's when equal); whether a task is in it. */
  const runnableNow = (): boolean => {
    release_fault_retries(actors);
    const walkerRan = current >= 0 && actors[current].walk !== undefined;
    let n = 0; // scratch[0..n) is this step's runnable set (no `length = 0`: it costs at every step)
    let tasksRunnable = false;
    for (let i = 0; i < actors.length; i++) {
      const a = actors[i];
      // A walker takes one speculative walk, then lets a task run: walks interleave, never starve tasks.
      if (a.done || a.blocked || (a.walk && walkerRan)) continue;
      if (!a.walk) tasksRunnable = true;
      scratch[n++] = i;
    }
    if (!samePrefix(scratch, n, prevRunnable)) prevRunnable = scratch.slice(0, n);
    return tasksRunnable;
  };
  /**
   * After `pick` ran: a blocked actor whose lock is now free may proceed (walkers change no lock),
   * and so may a fault retry waiting for another CPU (FAULT_RETRY_WAIT: no lock, retried after any step).
   */
  const unblockOthers = (): void => {
    for (let i = 0; i < actors.length; i++) {
      const o = actors[i];
      if (i !== pick && o.blocked && !stillBlocked(o.waiting!)) o.blocked = false;
    }
  };
  // Steps taken in place: at a task's preemption point (Task.on_point, called by
  // sync/op.ts) this callback does what the loop below does once the task has
  // yielded the point (the end of that step), then the start of the next step; if
  // the strategy picks the same task again, the task goes on without yielding, up
  // to this loop and back down the trampoline. The same statements in the same
  // order as the loop, only without the generator switches. Whatever the loop
  // must handle itself (a blocked task, the step limit, a strategy that picks
  // another actor or throws) is handed back: the point is yielded with `handed`
  // set, and the loop goes on at the start of the next step, with the strategy's
  // pick (or exception) kept. Not a Linux mechanism: a model of a scheduler tick.
  let handed = false;
  let keptPick = -1;
  let keptError: { e: unknown } | null = null;
  const solo = opts.solo_mutant ?? null;
  // Lone runs: the task the loop below resumes (the bottom of the JS stack: `bottom`)
  // runs its further kernel-path calls as plain function calls, their `$lone`
  // variants (LONE.on, sched/lone.ts): the same points in the same order, without a
  // generator per call. Such a task cannot yield, so none of its steps is handed
  // back: where the loop would take over (the strategy picks another actor or
  // throws, the step limit, a blocked point), this callback runs the loop itself,
  // nested (`resume`), from the start of the next step; the other actors run there
  // as generators, yielding to that nested loop as usual, until the strategy picks
  // the bottom task again, whose point then goes on in place. The same statements
  // in the same order as the loop; only the JS stack differs (an error thrown
  // while nested unwinds the bottom task's frames too: no kernel path catches, and
  // the result reads only the error and the sanitizer's first report). Not a
  // Linux mechanism: the model's scheduler.
  const loneOk = !trace && opts.stepping !== "trampoline" && (solo === null || solo.startsWith("lone-"));
  // result.choices and result.runnable, filled by index: allocated as long as the last
  // execution's (a capacity, cut to the steps taken below) instead of grown step by step.
  const choices: number[] = stepsHint > 0 ? new Array<number>(stepsHint) : [];
  const runnables: number[][] = stepsHint > 0 ? new Array<number[]>(stepsHint) : [];
  result.choices = choices;
  result.runnable = runnables;
  let nc = 0;
  let nr = 0;
  let bottom = -1;
  const inPlace = (p: Point): boolean => {
    const a = actors[pick];
    if (p.kind === 4) {
      if (pick !== bottom) return false; // blocked: the loop's business, from the end of this step on
      if (solo === "lone-skip-blocked") return true;
      // What the loop does with a yielded blocked point (after `a.path.next()` below), then its `step++`.
      a.blocked = true;
      a.waiting = { kind: p.kind, what: p.what, obj: p.obj };
      if (record) result.steps.push({ actor: pick, what: p.what, stack: undefined });
      unblockOthers();
      current = pick;
      k.rcu.rcu_poll();
      step++;
      resume(pick);
      return true; // Op.next tries the action again
    }
    // The end of step `step` (as after `a.path.next()` below).
    a.blocked = false;
    a.waiting = null;
    if (record) result.steps.push({ actor: pick, what: p.what, stack: undefined });
    if (solo !== "skip-unblock") unblockOthers();
    current = pick;
    if (solo !== "skip-rcu-poll") k.rcu.rcu_poll();
    // The start of the next step (the loop's `step++` when handed back). This task is runnable: it was not blocked.
    const next = step + 1;
    handed = true;
    if (next >= max || solo === "hand-back") return handBack();
    runnableNow();
    const runnable = prevRunnable;
    let c: number;
    try {
      c = solo === "skip-choose" && runnable.length === 1 ? pick : strategy.choose(runnable, next, current);
    } catch (e) {
      keptError = { e };
      return handBack();
    }
    if (c !== pick) {
      keptPick = c;
      return handBack();
    }
    step = next;
    a.task!.steps++;
    choices[nc++] = pick;
    if (solo !== "skip-record") runnables[nr++] = runnable;
    result.preemptions = preemptions.step(pick, runnable);
    handed = false;
    return true;
  };
  /** The step just ended is handed back: yielded to the loop, or for the bottom task (which cannot yield) the loop run here. */
  const handBack = (): boolean => {
    if (pick !== bottom) return false;
    handed = false; // the loop's `continue`, then its `step++`
    step++;
    resume(pick);
    return true;
  };
  /** The loop, nested in the bottom task `b`'s point, until it picks `b` again. */
  const resume = (b: number): void => {
    LONE.on = false;
    loop(b);
    LONE.on = true;
  };
  /**
   * The scheduler's loop from the start of step `step`: from the top (`until` -1)
   * until every task is done; nested (`until` the bottom task) until the strategy
   * picks that task again, its step begun.
   */
  const loop = (until: number): void => {
    for (; ; step++) {
      if (live === 0) break;
      if (step >= max) throw new Error(`no progress after ${max} steps (livelock?)`);
      const tasksRunnable = runnableNow();
      const runnable = prevRunnable;
      if (!tasksRunnable) {
        const stuck = actors.filter((a) => a.blocked).map((a) => a.name);
        throw new DeadlockError(`every actor is blocked (${stuck.join(", ")})`);
      }
      if (keptError !== null) throw (keptError as { e: unknown }).e;
      pick = keptPick >= 0 ? keptPick : strategy.choose(runnable, step, current);
      keptPick = -1;
      if (!runnable.includes(pick)) throw new ScheduleDivergenceError("not runnable", step, pick, runnable, step + 1);
      if (pick === until && solo === "lone-resume-early") return;
      choices[nc++] = pick;
      runnables[nr++] = runnable;
      result.preemptions = preemptions.step(pick, runnable);
      const a = actors[pick];
      running = a.name;
      if (a.walk) {
        const addr = a.walk.addrs[a.walk.i++ % a.walk.addrs.length];
        hw_walk(k, a.cpu, mm, addr);
        if (record) result.steps.push({ actor: pick, what: `speculative walk 0x${addr.toString(16)}` });
      } else {
        const t = a.task!;
        t.trace_stack = trace;
        t.on_point = !trace && solo !== "off" ? inPlace : null;
        t.steps++;
        if (pick === until) return; // the bottom task goes on at its point, in place
        const top = until < 0 && loneOk;
        if (top) {
          bottom = pick;
          LONE.on = true;
        } else if (solo === "lone-nested-lone" && bottom >= 0) LONE.on = true;
        const r = a.path!.next();
        if (top) {
          bottom = -1;
          LONE.on = false;
        }
        if (handed) {
          // The callback ended the step at this point: the next one starts at the top of the loop.
          handed = false;
          continue;
        }
        if (r.done) {
          a.done = true;
          live--;
          if (record) result.steps.push({ actor: pick, what: "(returns to user)" });
        } else {
          const p = r.value as Point & { stack?: string };
          a.blocked = p.kind === 4;
          a.waiting = a.blocked ? { kind: p.kind, what: p.what, obj: p.obj } : null;
          if (record) result.steps.push({ actor: pick, what: p.what, stack: trace ? parseStack(p.stack) : undefined });
        }
        unblockOthers(); // someone else moved
      }
      current = pick;
      k.rcu.rcu_poll(); // callbacks run as early as the grace period allows
    }
  };
  try {
    loop(-1);
    LONE.on = false;
    for (const a of actors) if (a.task) a.task.stepping = false;
    running = undefined; // the checks after the run: no actor is running
    k.rcu.rcu_poll();
    sanitizer.check_tlb_at_rest();
    const inv = check_mm(k, mm);
    if (inv.length) return fail(Object.assign(new SanitizerViolation(inv[0].rule, inv[0].detail)));
    if (!mm.exited) proc.exit();
    k.rcu.rcu_poll();
    const leak = check_exit(k, mm);
    if (leak.length) return fail(new SanitizerViolation(leak[0].rule, leak[0].detail));
  } catch (e) {
    return fail(e);
  } finally {
    choices.length = nc;
    runnables.length = nr;
    stepsHint = Math.min(nc, 1 << 16);
    LONE.on = false;
    Error.stackTraceLimit = stackLimit;
    for (const a of actors) if (a.task) a.task.on_point = null;
  }
  return result;
}

interface FreshMachine extends PostSetup {
  engine: Engine;
  /** Counting the plugin's hook calls during the setup, when the cache may snapshot it. */
  counter: HookCounter | null;
  /** The kernel's hooks before the counter wrapped them. */
  hooks: Hooks;
}

/**
 * What each operation of `s`'s setup returned, run once alone on a fresh machine
 * as an execution runs it (same kernel, plugin, arch and CPUs; no actor, no
 * walker), or null when a rule broke during it (an exploration reports that as
 * the violation). The CLI checks scenario files with it: a setup operation that
 * fails (an mmap refused with EINVAL or EEXIST, a touch that gets SIGSEGV) leaves
 * a scenario whose actors race over nothing, and "no rule broken" would be vacuous.
 */
export function run_setup(s: Scenario, opts: Pick<ExecOptions, "plugin" | "arch">): OpResult[] | null {
  const nr_cpus = Math.max(2, ...s.actors.map((a) => a.cpu + 1), ...walkerCpus(s).map((c) => c + 1));
  const st = new_machine(s, { plugin: opts.plugin, arch: opts.arch }, nr_cpus);
  const out: OpResult[] = [];
  try {
    run_to_completion(run_ops(st.proc.task, st.mm, s.setup, st.oracle, "setup", out));
  } catch {
    return null;
  }
  return out;
}

/** A fresh kernel with the sanitizers on, the setup task's process, the oracle: the state before the setup. */
function new_machine(s: Scenario, opts: ExecOptions, nr_cpus: number): FreshMachine {
  const engine = new Engine({ arch: opts.arch, reclaim: opts.plugin, nr_cpus });
  const k = engine.k;
  const hooks = { ...k.hooks };
  const counter = opts.setup_cache?.wants(s, opts.plugin, opts.arch) ? new HookCounter(k) : null;
  const sanitizer = new Sanitizer(k);
  k.sanitizer = sanitizer;
  k.tlb.track_entries = true;
  const proc = engine.spawn(s.actors[0].cpu, "setup");
  const oracle = s.oracle === false ? null : new Oracle();
  return { engine, counter, hooks, k, proc, mm: proc.mm, sanitizer, oracle };
}

/** Whether a[0..n) and b are the same list. */
function samePrefix(a: readonly number[], n: number, b: readonly number[]): boolean {
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A fault retry waiting for another CPU (FAULT_RETRY_WAIT) goes on when no other
 * task can take a step (each is done or blocked): then its retry is one without
 * progress. Every actor has a CPU of its own (validateScenario), so any other
 * task's step is another CPU's. Speculative walkers change nothing a fault sees.
 */
function release_fault_retries(actors: Actor[]): void {
  for (const w of actors) {
    if (!w.blocked || w.waiting!.what !== FAULT_RETRY_WAIT) continue;
    let other = false;
    for (const o of actors) if (o !== w && !o.walk && !o.done && !o.blocked) other = true;
    if (!other) w.blocked = false;
  }
}

/** Whether the lock a blocked actor spins on is still unavailable (so it need not be scheduled). */
function stillBlocked(p: Point): boolean {
  const o = p.obj as { owner?: unknown; writer?: unknown; readers?: number } | null;
  if (o && "owner" in o) return o.owner !== null; // SpinLock
  if (o && "writer" in o) return o.writer !== null || (p.what === "down_write" && (o.readers ?? 0) > 0); // RwSem
  return false; // anything else (IPIs, grace periods): retry after any step
}

/** Kernel function names from a V8 stack captured at a preemption point, outermost first. */
function parseStack(stack: string | undefined): string[] {
  if (!stack) return [];
  const names: string[] = [];
  for (const line of stack.split("\n").slice(1)) {
    const m = /at (?:Generator\.next \()?(?:[\w$.]*\.)?([a-z_][a-z0-9_$]*)(?:\$sync)? \(/.exec(line.trim());
    if (!m) continue;
    const n = m[1];
    if (/^(next|set|run_ops|execute|actor_op|read|write_pte|acquire|release|get_and_clear|write_raw)$/.test(n)) continue;
    names.push(n);
  }
  return names.reverse();
}

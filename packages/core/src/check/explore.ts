/**
 * The explorer: runs a scenario many times under a strategy (seeded random, PCT,
 * or bounded-preemption DFS) until a rule breaks or the budget is spent. A failure
 * is shrunk to the fewest preemptions that still break the same rule, then
 * replayed with tracing to print the schedule and a per-CPU trace.
 */
import type { Arch } from "../pgtable/arch.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { decodeSchedule, encodeSchedule } from "../sched/schedule.js";
import { DfsStrategy, PctStrategy, RandomStrategy, ReplayStrategy, SwitchStrategy, type Strategy } from "../sched/strategy.js";
import { actorNames, execute, type ExecutionResult, type Violation } from "./execution.js";
import type { Scenario } from "./scenario.js";
import { SetupCache } from "./setup_snapshot.js";
import { formatTrace } from "./trace.js";

export type StrategyName = "random" | "pct" | "dfs";

export interface ExploreOptions {
  plugin: ReclaimPlugin | null;
  arch: Arch;
  strategy?: StrategyName;
  /** Executions to try (default 200). */
  budget?: number;
  seed?: number;
  /** PCT bug depth d (default 3). */
  depth?: number;
  /** DFS preemption bound (default 2). */
  preemption_bound?: number;
  /** Replay this schedule instead of exploring. */
  replay?: string;
  /**
   * Post-setup snapshots shared by the executions (check/setup_snapshot.ts);
   * explore() makes one per call when absent. Same results either way.
   */
  setup_cache?: SetupCache;
  /** Called after each execution of an exploration (not a replay) with how many ran and the budget: a progress bar's feed. */
  on_execution?: (done: number, budget: number) => void;
}

export interface Failure extends Violation {
  scenario: string;
  schedule: string;
  preemptions: number;
  /** Executions explored before the failure was found. */
  found_after: number;
  trace: string;
}

export interface ExploreResult {
  scenario: string;
  strategy: StrategyName | "replay";
  executions: number;
  failure: Failure | null;
  elapsed_ms: number;
}

const tasks = (s: Scenario) => s.actors.length;

function run(s: Scenario, st: Strategy, o: ExploreOptions, trace = false): ExecutionResult {
  return execute(s, st, { plugin: o.plugin, arch: o.arch, trace, setup_cache: o.setup_cache, record_steps: trace });
}

/** Up to `budget` executions of `s` under `st`, fewer if the strategy runs out. */
function* executions(s: Scenario, st: Strategy, o: ExploreOptions, budget: number): Generator<ExecutionResult> {
  for (let n = 0; n < budget && st.new_execution(); n++) yield run(s, st, o);
}

/** The strategy a name stands for, seeded from `o` (execution i of random and PCT: seed `o.seed * 7919 + i`). */
function strategyFor(name: StrategyName, s: Scenario, o: ExploreOptions): Strategy {
  const seed = (o.seed ?? 1) * 7919;
  switch (name) {
    case "dfs":
      return new DfsStrategy(tasks(s), o.preemption_bound ?? 2);
    case "pct":
      return new PctStrategy(seed, actorNames(s).length, o.depth ?? 3, 200);
    case "random":
    default:
      return new RandomStrategy(seed);
  }
}

/** The steps where a schedule switches actor, and to whom. */
function switchEvents(choices: readonly number[]): [number, number][] {
  const ev: [number, number][] = [];
  for (let i = 0; i < choices.length; i++) if (i === 0 || choices[i] !== choices[i - 1]) ev.push([i, choices[i]]);
  return ev;
}

/**
 * Shrink a failing schedule to fewer preemptions: delta debugging (ddmin) over its
 * switch events, keeping a subset whenever the replay still breaks the same rule.
 * The candidates are partial schedules, replayed with `allow_incomplete`: a switch
 * that cannot happen is skipped, and an actor not switched to keeps running under
 * the default policy. The result's `steps` are not recorded (replay its choices
 * with tracing for them, as failure() does).
 */
export function shrink(s: Scenario, o: ExploreOptions, failing: ExecutionResult, limit = 400): ExecutionResult {
  const rule = failing.violation!.rule;
  let best = failing;
  // A schedule from random exploration switches at almost every step. First look
  // for a counterexample with one preemption (iterative context bounding: PCT with
  // depth 2, then DFS with bound 1), then delete switches from whichever is best.
  if (best.preemptions > 2) {
    const searches: { st: Strategy; budget: number; stop_at_failure: boolean }[] = [
      { st: new PctStrategy(7, actorNames(s).length, 2, failing.choices.length, { seed_stride: 31, learn_steps: false }), budget: 150, stop_at_failure: false },
      // DFS stops at its first failure, as in explore().
      { st: new DfsStrategy(tasks(s), 1), budget: 1500, stop_at_failure: true },
    ];
    found: for (const { st, budget, stop_at_failure } of searches)
      for (const r of executions(s, st, o, budget)) {
        if (r.violation?.rule === rule && r.preemptions < best.preemptions) {
          best = r;
          break found;
        }
        if (r.violation && stop_at_failure) break;
      }
  }
  let events = switchEvents(failing.choices);
  let tries = 0;
  const attempt = (ev: [number, number][]) => {
    tries++;
    const r = run(s, new SwitchStrategy(new Map(ev), { allow_incomplete: true }), o);
    return r.violation?.rule === rule ? r : null;
  };
  let n = 2;
  while (events.length >= 2 && tries < limit) {
    const size = Math.ceil(events.length / n);
    let reduced = false;
    for (let i = 0; i < events.length && tries < limit; i += size) {
      const complement = [...events.slice(0, i), ...events.slice(i + size)];
      const r = attempt(complement);
      if (r && r.preemptions <= best.preemptions) {
        best = r;
        events = switchEvents(r.choices);
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= events.length) break;
      n = Math.min(events.length, n * 2);
    }
  }
  return best;
}

/**
 * The failure execution `r` shows, replayed (strictly) with tracing for its
 * trace; `found_after` executions were run to find it. Exported for callers
 * that run the executions themselves (the CLI's `explore --shard`).
 */
export function failure(s: Scenario, o: ExploreOptions, r: ExecutionResult, found_after: number): Failure {
  const traced = run(s, new ReplayStrategy(r.choices), o, true);
  return {
    scenario: s.name,
    rule: traced.violation?.rule ?? r.violation!.rule,
    detail: traced.violation?.detail ?? r.violation!.detail,
    schedule: encodeSchedule(r.choices),
    preemptions: r.preemptions,
    found_after,
    trace: formatTrace(actorNames(s), traced.steps),
  };
}

/**
 * Explore `s` until a failure, the budget, or the strategy's executions run out.
 * Deterministic for a given seed. A replay (`o.replay`) runs its schedule once and
 * throws a ScheduleDivergenceError if the execution does not follow it.
 */
export function explore(s: Scenario, o: ExploreOptions): ExploreResult {
  const t0 = performance.now();
  const out = (strategy: ExploreResult["strategy"], executions: number, f: Failure | null): ExploreResult => ({
    scenario: s.name,
    strategy,
    executions,
    failure: f,
    elapsed_ms: performance.now() - t0,
  });
  if (o.replay) {
    const r = run(s, new ReplayStrategy(decodeSchedule(o.replay)), o);
    return out("replay", 1, r.violation ? failure(s, o, r, 1) : null);
  }
  const name = o.strategy ?? "random";
  if (!o.setup_cache) o = { ...o, setup_cache: new SetupCache() };
  let n = 0;
  const budget = o.budget ?? 200;
  for (const r of executions(s, strategyFor(name, s, o), o, budget)) {
    n++;
    o.on_execution?.(n, budget);
    if (r.violation) return out(name, n, failure(s, o, shrink(s, o, r), n));
  }
  return out(name, n, null);
}

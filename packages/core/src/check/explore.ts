/**
 * The explorer: runs a scenario many times under a strategy (seeded random, PCT,
 * or bounded-preemption DFS) until a rule breaks or the budget is spent. A failure
 * is shrunk to the fewest preemptions that still break the same rule, then
 * replayed with tracing to print the schedule and a per-CPU trace.
 */
import type { Arch } from "../pgtable/arch.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { countPreemptions, decodeSchedule, encodeSchedule } from "../sched/schedule.js";
import { PctStrategy, RandomStrategy, ReplayStrategy, SwitchStrategy, type Strategy } from "../sched/strategy.js";
import { actorNames, execute, type ExecutionResult, type Violation } from "./execution.js";
import type { Scenario } from "./scenario.js";
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
  return execute(s, st, { plugin: o.plugin, arch: o.arch, trace });
}

/** Bounded-preemption DFS over schedules (CHESS-style iterative context bounding). */
function* dfs(s: Scenario, o: ExploreOptions): Generator<ExecutionResult> {
  const bound = o.preemption_bound ?? 2;
  const stack: number[][] = [[]];
  const seen = new Set<string>();
  while (stack.length) {
    const prefix = stack.pop()!;
    const r = run(s, new ReplayStrategy(prefix), o);
    yield r;
    if (r.violation) return;
    // Alternatives at every step after the prefix, deepest first (DFS order).
    const pre: number[] = [];
    for (let i = 0; i < r.choices.length; i++) {
      pre.push(countPreemptions(r.choices.slice(0, i + 1), r.runnable.slice(0, i + 1), tasks(s)));
    }
    // Pushed earliest first, so the latest steps are tried first.
    for (let i = prefix.length; i < r.choices.length; i++) {
      const before = i > 0 ? pre[i - 1] : 0;
      for (const alt of r.runnable[i]) {
        // Hardware walkers are left to the randomized strategies: DFS branches over tasks.
        if (alt === r.choices[i] || alt >= tasks(s)) continue;
        const cost = i > 0 && r.runnable[i].includes(r.choices[i - 1]) && alt !== r.choices[i - 1] ? 1 : 0;
        if (before + cost > bound) continue;
        const next = [...r.choices.slice(0, i), alt];
        const key = next.join(",");
        if (seen.has(key)) continue;
        seen.add(key);
        stack.push(next);
      }
    }
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
 * switch events, keeping a subset whenever the replay still breaks the same rule;
 * an actor not switched to keeps running under the default policy.
 */
export function shrink(s: Scenario, o: ExploreOptions, failing: ExecutionResult, limit = 400): ExecutionResult {
  const rule = failing.violation!.rule;
  let best = failing;
  const pre = (r: ExecutionResult) => countPreemptions(r.choices, r.runnable, tasks(s));
  // A schedule from random exploration switches at almost every step. First look
  // for a counterexample with one preemption (iterative context bounding: PCT with
  // depth 2, then DFS with bound 1), then delete switches from whichever is best.
  if (pre(best) > 2) {
    const search: Iterable<ExecutionResult>[] = [
      (function* () {
        for (let i = 0; i < 150; i++) yield run(s, new PctStrategy(31 * i + 7, actorNames(s).length, 2, failing.choices.length), o);
      })(),
      (function* () {
        let n = 0;
        for (const r of dfs(s, { ...o, preemption_bound: 1 })) {
          yield r;
          if (++n >= 1500) return;
        }
      })(),
    ];
    found: for (const runs of search)
      for (const r of runs)
        if (r.violation?.rule === rule && pre(r) < pre(best)) {
          best = r;
          break found;
        }
  }
  let events = switchEvents(failing.choices);
  let tries = 0;
  const attempt = (ev: [number, number][]) => {
    tries++;
    const r = run(s, new SwitchStrategy(new Map(ev)), o);
    return r.violation?.rule === rule ? r : null;
  };
  let n = 2;
  while (events.length >= 2 && tries < limit) {
    const size = Math.ceil(events.length / n);
    let reduced = false;
    for (let i = 0; i < events.length && tries < limit; i += size) {
      const complement = [...events.slice(0, i), ...events.slice(i + size)];
      const r = attempt(complement);
      if (r && pre(r) <= pre(best)) {
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

function failure(s: Scenario, o: ExploreOptions, r: ExecutionResult, found_after: number): Failure {
  const traced = run(s, new ReplayStrategy(r.choices), o, true);
  return {
    scenario: s.name,
    rule: traced.violation?.rule ?? r.violation!.rule,
    detail: traced.violation?.detail ?? r.violation!.detail,
    schedule: encodeSchedule(r.choices),
    preemptions: countPreemptions(r.choices, r.runnable, tasks(s)),
    found_after,
    trace: formatTrace(actorNames(s), traced.steps),
  };
}

/** Explore `s` until a failure or the budget runs out. Deterministic for a given seed. */
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
  const strategy = o.strategy ?? "random";
  const budget = o.budget ?? 200;
  const seed = o.seed ?? 1;
  const nActors = actorNames(s).length;
  let est = 0;
  const runs: Iterable<ExecutionResult> =
    strategy === "dfs"
      ? dfs(s, o)
      : (function* () {
          for (let i = 0; i < budget; i++) {
            const st =
              strategy === "pct"
                ? new PctStrategy(seed * 7919 + i, nActors, o.depth ?? 3, est || 200)
                : new RandomStrategy(seed * 7919 + i);
            const r = run(s, st, o);
            est = Math.max(est, r.choices.length);
            yield r;
          }
        })();
  let n = 0;
  for (const r of runs) {
    n++;
    if (r.violation) return out(strategy, n, failure(s, o, shrink(s, o, r), n));
    if (n >= budget) break;
  }
  return out(strategy, n, null);
}


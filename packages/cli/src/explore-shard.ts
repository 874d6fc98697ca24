/**
 * One shard of an explore campaign (`mmsim explore --shard i/n`), and the merge
 * of the shards' results into what the unsharded `explore --json` prints.
 *
 * Work item k is execution k of the unsharded run. Only the random strategy
 * splits: its execution k draws every choice from its own seed (`seed * 7919 + k`,
 * core's check/explore.ts), whatever ran before it. PCT does not (each execution
 * takes its length estimate from the longest execution before it), nor does DFS
 * (each execution is the next leaf of one search tree): both are refused.
 *
 * The unsharded run stops at its first failing execution k and reports
 * `executions: k + 1`; each shard stops at its own first failure, so the
 * smallest failing index over all shards is the unsharded run's, and its
 * shard's shrunk failure is the same (shrinking only looks at the failing
 * execution). Without a failure every shard ran all of its executions below the
 * budget: together, the budget.
 */
import { count } from "./format.js";
import {
  execute,
  failure,
  shrink,
  type ExploreOptions,
  type ExploreResult,
  type Failure,
  type Scenario,
  type Strategy,
  RandomStrategy,
} from "@mmsim/core/check";
import { CliError, UsageError } from "./errors.js";
import { inShard, nextInShard, type RunFields, type Shard } from "./shard.js";

/** What one shard found. `failure.found_after` counts executions of the unsharded run (its index + 1). */
export interface ExploreShardPart {
  /** Executions this shard ran. */
  readonly executions: number;
  readonly failure: Failure | null;
}

/** The deterministic part of `explore --json` (without `elapsed_ms`), as the unsharded run prints it. */
export type ExploreJson = { reclaim: string | null } & Omit<ExploreResult, "elapsed_ms">;

/**
 * The seeded strategy's executions that are this shard's: new_execution() skips
 * the others without running them (a seeded strategy reseeds per execution, so
 * a skipped execution leaves nothing behind). `index` is the unsharded index of
 * the current execution.
 */
export class ShardedStrategy implements Strategy {
  index = -1;
  private started = -1;

  constructor(
    private readonly inner: Strategy,
    private readonly shard: Shard,
  ) {}

  new_execution(): boolean {
    const want = nextInShard(this.index + 1, this.shard);
    while (this.started < want) {
      if (!this.inner.new_execution()) return false;
      this.started++;
    }
    this.index = want;
    return true;
  }

  choose(runnable: readonly number[], step: number, current: number): number {
    return this.inner.choose(runnable, step, current);
  }

  end_execution(): void {
    this.inner.end_execution?.();
  }
}

/** Refuses what cannot be split: the strategies whose executions depend on the ones before, and a replay. */
export function checkShardable(strategy: string, replay: string | undefined): void {
  if (replay !== undefined) throw new UsageError("--shard splits an exploration; --replay runs one schedule: give one of them");
  if (strategy === "pct")
    throw new UsageError("--shard needs --strategy random: pct's executions depend on the ones before them (each takes its length estimate from the longest so far)");
  if (strategy === "dfs") throw new UsageError("--shard needs --strategy random: dfs's executions are the leaves of one search tree, each found from the one before");
}


/** Runs this shard's executions of a random exploration (`o.strategy` "random"), stopping at its first failure. */
export function exploreShard(s: Scenario, o: ExploreOptions, shard: Shard, onExecution?: (done: number, total: number) => void): ExploreShardPart {
  const st = new ShardedStrategy(new RandomStrategy((o.seed ?? 1) * 7919), shard);
  const budget = o.budget ?? 200;
  let n = 0;
  while (st.new_execution() && st.index < budget) {
    n++;
    const r = execute(s, st, { plugin: o.plugin, arch: o.arch });
    onExecution?.(n, shardExecutions(budget, shard));
    if (r.violation) return { executions: n, failure: failure(s, o, shrink(s, o, r), st.index + 1) };
  }
  return { executions: n, failure: null };
}

/** The number of executions below `budget` that are this shard's. */
export function shardExecutions(budget: number, shard: Shard): number {
  return budget >= shard.index ? Math.floor((budget - shard.index) / shard.count) + 1 : 0;
}

/**
 * What the unsharded `explore --json` prints, from every shard's part (`parts[i]`
 * is shard i+1 of n). Throws a CliError when a part cannot be one of this run.
 */
export function mergeExplore(run: RunFields, parts: readonly ExploreShardPart[]): ExploreJson {
  const budget = Number(run.budget);
  const n = parts.length;
  let first: Failure | null = null;
  parts.forEach((p, i) => {
    const shard = { index: i + 1, count: n };
    const f = p.failure;
    if (f) {
      if (!inShard(f.found_after - 1, shard) || f.found_after > budget)
        throw new CliError(`shard ${i + 1}/${n}: its failure was found after ${count(f.found_after, "execution")}, which is not an execution of that shard`);
      if (first === null || f.found_after < first.found_after) first = f;
    } else if (p.executions !== shardExecutions(budget, shard))
      throw new CliError(`shard ${i + 1}/${n}: ran ${count(p.executions, "execution")} without a failure; a budget of ${budget} gives that shard ${shardExecutions(budget, shard)}`);
  });
  const failure = first as Failure | null;
  return {
    reclaim: run.reclaim_name === null ? null : String(run.reclaim_name),
    scenario: String(run.scenario),
    strategy: "random",
    executions: failure ? failure.found_after : budget,
    failure,
  };
}

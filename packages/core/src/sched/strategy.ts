/**
 * Scheduling strategies: which runnable actor goes next at each preemption point,
 * over a series of executions. Every strategy has one interface (as in shuttle's
 * `Scheduler`): `new_execution()` starts the next execution, or says there is
 * none left, and `choose()` makes each step's choice. The explorer drives them all
 * alike (check/explore.ts). One file each:
 * - random.ts: uniform choices from a seeded PRNG, reseeded per execution;
 * - pct.ts: probabilistic concurrency testing (Burckhardt et al., ASPLOS'10);
 * - dfs.ts: bounded-preemption depth-first search over schedules (CHESS-style);
 * - replay.ts: one recorded schedule, strictly (a divergence is an error);
 * - switch.ts: switch events, the shrinker's partial schedules.
 */
export interface Strategy {
  /**
   * Start the next execution; false when the strategy has no more (DFS has
   * searched its whole tree, a replay has run, a seeded strategy has used its
   * `executions`). The explorer calls it before every execution. A strategy
   * used without it starts its first execution at its first choose().
   */
  new_execution(): boolean;
  /**
   * Pick one of `runnable` (non-empty, ascending) at step `step` of the current
   * execution; `current` ran the previous step (-1 at step 0). The pick must be
   * runnable: execute() reports any other as a ScheduleDivergenceError.
   */
  choose(runnable: readonly number[], step: number, current: number): number;
  /**
   * The current execution has stopped (run to its end or failed). A replay checks
   * here that it used its whole schedule. Not called when a choice threw.
   */
  end_execution?(): void;
}

export { defaultChoice, ScheduleDivergenceError, type DivergenceKind } from "./schedule.js";
export { Prng } from "./prng.js";
export { RandomStrategy, type SeededOptions } from "./random.js";
export { PctStrategy, type PctOptions } from "./pct.js";
export { DfsStrategy } from "./dfs.js";
export { ReplayStrategy, type ReplayOptions } from "./replay.js";
export { SwitchStrategy } from "./switch.js";

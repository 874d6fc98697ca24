/**
 * The error a replay of `choices` throws on `scenario` with `options` (its
 * message), or "no error": how the solo and lone execution tests compare a
 * too-short schedule's divergence with and without their fast paths.
 */
import { execute, type ExecOptions } from "../check/execution.js";
import type { Scenario } from "../check/scenario.js";
import { ReplayStrategy } from "../sched/strategy.js";

export function replayError(scenario: Scenario, choices: readonly number[], options: ExecOptions): string {
  try {
    execute(scenario, new ReplayStrategy(choices), options);
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
}

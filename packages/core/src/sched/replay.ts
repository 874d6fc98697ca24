import { defaultChoice, ScheduleDivergenceError } from "./schedule.js";
import type { Strategy } from "./strategy.js";

export interface ReplayOptions {
  /**
   * Let the execution part from the schedule (shuttle's `allow_incomplete`): where
   * the schedule names an actor that cannot run, or has run out, the default
   * policy chooses, and choices left at the end are ignored. For the shrinker's
   * candidate schedules; default false: any divergence is a ScheduleDivergenceError.
   */
  allow_incomplete?: boolean;
}

/** One execution that follows a recorded schedule (see schedule.ts), strictly unless `allow_incomplete`. */
export class ReplayStrategy implements Strategy {
  private started = false;
  /** Choices used so far. */
  private used = 0;

  constructor(
    private readonly choices: readonly number[],
    private readonly o: ReplayOptions = {},
  ) {}

  new_execution(): boolean {
    if (this.started) return false;
    this.started = true;
    this.used = 0;
    return true;
  }

  choose(runnable: readonly number[], step: number, current: number): number {
    this.started = true;
    this.used = step + 1;
    const c = this.choices[step];
    if (c !== undefined && runnable.includes(c)) return c;
    if (this.o.allow_incomplete) return defaultChoice(runnable, current);
    throw new ScheduleDivergenceError(c === undefined ? "exhausted" : "not runnable", step, c, runnable, this.choices.length);
  }

  end_execution(): void {
    if (this.o.allow_incomplete || this.used >= this.choices.length) return;
    throw new ScheduleDivergenceError("left over", this.used, this.choices[this.used], [], this.choices.length);
  }
}

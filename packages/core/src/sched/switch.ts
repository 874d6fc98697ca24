import { ScheduleDivergenceError } from "./schedule.js";
import type { ReplayOptions } from "./replay.js";
import type { Strategy } from "./strategy.js";

/**
 * One execution given by switch events: at the given steps switch to the given
 * actor, and between them keep running the current one. The events of a whole
 * schedule (every step where it changes actor) replay it exactly, and strictly:
 * a switch to an actor that cannot run, a current actor that cannot go on, or
 * events after the execution's end are a ScheduleDivergenceError. The shrinker
 * deletes events (delta debugging) and replays what is left with
 * `allow_incomplete`: then a switch that cannot happen is skipped, and an actor
 * that cannot go on gives way to the first runnable one.
 */
export class SwitchStrategy implements Strategy {
  private started = false;
  private steps = 0;
  /** The step after the last event: how long a schedule the events stand for, at least. */
  private readonly length: number;

  constructor(
    private readonly events: ReadonlyMap<number, number>,
    private readonly o: ReplayOptions = {},
  ) {
    let n = 0;
    for (const s of events.keys()) n = Math.max(n, s + 1);
    this.length = n;
  }

  new_execution(): boolean {
    if (this.started) return false;
    this.started = true;
    this.steps = 0;
    return true;
  }

  choose(runnable: readonly number[], step: number, current: number): number {
    this.started = true;
    this.steps = step + 1;
    const c = this.events.get(step);
    if (c !== undefined && runnable.includes(c)) return c;
    if (c === undefined && runnable.includes(current)) return current;
    if (this.o.allow_incomplete) return runnable.includes(current) ? current : runnable[0];
    throw new ScheduleDivergenceError("not runnable", step, c ?? (current >= 0 ? current : undefined), runnable, this.length);
  }

  end_execution(): void {
    if (this.o.allow_incomplete || this.steps >= this.length) return;
    let next: number | undefined;
    for (let s = this.steps; s < this.length && next === undefined; s++) next = this.events.get(s);
    throw new ScheduleDivergenceError("left over", this.steps, next, [], this.length);
  }
}

/**
 * Schedules: the actor chosen at each preemption point, encoded compactly as
 * run-length letters ("a12b3a5": actor a for 12 points, b for 3, a for 5) behind a
 * version tag. A schedule replays exactly: the same scenario, plugin and schedule
 * give the same execution, and a replay that cannot follow its schedule (it names
 * an actor that cannot run, runs out while the execution goes on, or has choices
 * left when the execution ends) is a ScheduleDivergenceError. Only a replay that
 * asks for it (`allow_incomplete`, as the shrinker does) continues under the
 * default policy instead: keep running the current actor, else the first runnable.
 */
import { MmsimError } from "@mmsim/spec";

export const SCHEDULE_VERSION = "s1";

export function encodeSchedule(choices: readonly number[]): string {
  let out = `${SCHEDULE_VERSION}:`;
  for (let i = 0; i < choices.length; ) {
    let j = i;
    while (j < choices.length && choices[j] === choices[i]) j++;
    out += actorLetter(choices[i]) + (j - i);
    i = j;
  }
  return out;
}

export class ScheduleSyntaxError extends MmsimError {
  constructor(message: string) {
    super("schedule-error", message);
  }
}

export function decodeSchedule(s: string): number[] {
  const m = /^s1:((?:[a-z]\d+)*)$/.exec(s.trim());
  if (!m) throw new ScheduleSyntaxError(`not a schedule: '${s}' (expected ${SCHEDULE_VERSION}:a12b3...)`);
  const out: number[] = [];
  for (const [, c, n] of m[1].matchAll(/([a-z])(\d+)/g)) for (let i = 0; i < Number(n); i++) out.push(c.charCodeAt(0) - 97);
  return out;
}

/** The letter that stands for actor `i` in a schedule. */
export function actorLetter(i: number): string {
  return String.fromCharCode(97 + i);
}

/** The default policy: keep running the current actor; else the first runnable. */
export function defaultChoice(runnable: readonly number[], current: number): number {
  return runnable.includes(current) ? current : runnable[0];
}

/**
 * How an execution parted from its schedule:
 * - "not runnable": the schedule names an actor that cannot run at that step;
 * - "exhausted": the execution needs a choice after the schedule's last one;
 * - "left over": the execution ended with choices of the schedule unused.
 */
export type DivergenceKind = "not runnable" | "exhausted" | "left over";

/**
 * An execution that does not follow its schedule: a replay of a schedule recorded
 * for another scenario, plugin or version, a hand-edited one, or a strategy that
 * picked an actor that cannot run. Not a rule the kernel broke: execute() lets it
 * through instead of reporting it as a violation.
 */
export class ScheduleDivergenceError extends Error {
  constructor(
    readonly kind: DivergenceKind,
    /** The step (preemption point, from 0) where the execution and the schedule part. */
    readonly step: number,
    /** The actor the schedule wants there (undefined when it has no more choices). */
    readonly wanted: number | undefined,
    /** The actors that could run at that step (empty once the execution has ended). */
    readonly runnable: readonly number[],
    /** How many choices the schedule has. */
    readonly length: number,
    /** Actor names for the message, and the rule an execution broke (it ended there). */
    readonly context: { names?: readonly string[]; violation?: string } = {},
  ) {
    super(divergenceMessage(kind, step, wanted, runnable, length, context));
  }

  /** The same divergence, its message naming the actors ("b (fault)") and the rule the execution broke. */
  explain(names: readonly string[], violation?: string): ScheduleDivergenceError {
    return new ScheduleDivergenceError(this.kind, this.step, this.wanted, this.runnable, this.length, { names, violation });
  }
}
ScheduleDivergenceError.prototype.name = "ScheduleDivergenceError";

function divergenceMessage(
  kind: DivergenceKind,
  step: number,
  wanted: number | undefined,
  runnable: readonly number[],
  length: number,
  { names = [], violation }: { names?: readonly string[]; violation?: string },
): string {
  const actor = (i: number) => (names[i] === undefined ? actorLetter(i) : `${actorLetter(i)} (${names[i]})`);
  const at = `schedule diverges at step ${step}`;
  const can = runnable.map(actor).join(", ");
  switch (kind) {
    case "not runnable":
      return `${at}: ${wanted === undefined ? "it names no actor" : `it runs ${actor(wanted)}, which cannot run there`} (runnable: ${can})`;
    case "exhausted":
      return `${at}: its ${length} choice(s) are used up but the execution goes on (runnable: ${can})`;
    case "left over":
      return (
        `${at}: the execution ended there${violation ? ` (${violation})` : ""} but the schedule has ${length} choice(s)` +
        (wanted === undefined ? "" : ` (next: ${actor(wanted)})`)
      );
  }
}

/**
 * Context switches away from a task that could have gone on (the preemptions of
 * a schedule), counted one step at a time so that a path carries its count
 * forward instead of recounting its prefix. Actors numbered `nTasks` and up are
 * hardware walkers: their steps are transparent (a walk preempts no task).
 */
export class PreemptionCounter {
  /** Preemptions so far. */
  count = 0;
  /** The task that ran last (walkers skipped), -1 before the first. */
  private prev = -1;

  constructor(private readonly nTasks = Infinity) {}

  /** Whether running `choice` next, when `runnable` can run, would be a preemption (1) or not (0). */
  cost(choice: number, runnable: readonly number[]): number {
    return choice < this.nTasks && this.prev >= 0 && choice !== this.prev && runnable.includes(this.prev) ? 1 : 0;
  }

  /** Account for `choice` running when `runnable` could; returns the count so far. */
  step(choice: number, runnable: readonly number[]): number {
    if (choice >= this.nTasks) return this.count;
    if (this.prev >= 0 && choice !== this.prev && runnable.includes(this.prev)) this.count++;
    this.prev = choice;
    return this.count;
  }
}

/** The preemptions of a whole schedule (see PreemptionCounter). */
export function countPreemptions(choices: readonly number[], runnableAt: readonly (readonly number[])[], nTasks = Infinity): number {
  const c = new PreemptionCounter(nTasks);
  for (let i = 0; i < choices.length; i++) c.step(choices[i], runnableAt[i]);
  return c.count;
}

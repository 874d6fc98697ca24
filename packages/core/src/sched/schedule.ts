/**
 * Schedules: the actor chosen at each preemption point, encoded compactly as
 * run-length letters ("a12b3a5": actor a for 12 points, b for 3, a for 5) behind a
 * version tag. A schedule replays exactly: the same scenario, plugin and schedule
 * give the same execution. When a replayed schedule runs out (or names an actor
 * that cannot run), the default policy continues: keep running the current actor,
 * else the first runnable one.
 */
export const SCHEDULE_VERSION = "s1";

export function encodeSchedule(choices: readonly number[]): string {
  let out = `${SCHEDULE_VERSION}:`;
  for (let i = 0; i < choices.length; ) {
    let j = i;
    while (j < choices.length && choices[j] === choices[i]) j++;
    out += String.fromCharCode(97 + choices[i]) + (j - i);
    i = j;
  }
  return out;
}

export class ScheduleSyntaxError extends Error {}

export function decodeSchedule(s: string): number[] {
  const m = /^s1:((?:[a-z]\d+)*)$/.exec(s.trim());
  if (!m) throw new ScheduleSyntaxError(`not a schedule: '${s}' (expected ${SCHEDULE_VERSION}:a12b3...)`);
  const out: number[] = [];
  for (const [, c, n] of m[1].matchAll(/([a-z])(\d+)/g)) for (let i = 0; i < Number(n); i++) out.push(c.charCodeAt(0) - 97);
  return out;
}

/**
 * Context switches away from a task that could have gone on (the preemptions of a
 * schedule). Actors numbered `nTasks` and up are hardware walkers: their steps
 * are transparent (a walk preempts no task).
 */
export function countPreemptions(choices: readonly number[], runnableAt: readonly (readonly number[])[], nTasks = Infinity): number {
  let n = 0;
  let prev = -1;
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i];
    if (c >= nTasks) continue;
    if (prev >= 0 && c !== prev && runnableAt[i].includes(prev)) n++;
    prev = c;
  }
  return n;
}

/**
 * A `--replay` schedule checked against the scenario before anything runs: its
 * syntax, its size (no more steps than an execution may take, counted without
 * expanding `a99999999999`), the actors it names (each letter an actor or walker
 * of this scenario), and, when it carries one, the scenario's fingerprint
 * (`s1:a12b3@1a2b3c4d`: explore prints it, so a schedule pasted against another
 * scenario is refused instead of replayed into "no rule broken").
 */
import { actorNames, type Scenario } from "@mmsim/core/check";
import { scenarioFingerprint } from "@mmsim/conformance";
import { UsageError } from "./errors.js";

/** The most steps a replayed schedule may give (the explorer's livelock bound). */
export const MAX_SCHEDULE_STEPS = 200_000;

/** Eight hex digits that change with any change to the scenario's content (the kit's, so its replay lines carry the same). */
export { scenarioFingerprint };

/** The schedule with the fingerprint of `s` appended, as printed in replay lines. */
export function withFingerprint(schedule: string, s: Scenario): string {
  return `${schedule}@${scenarioFingerprint(s)}`;
}

/** Checks `text` against `s`; returns the schedule without its fingerprint, for the explorer. Throws UsageError. */
export function checkSchedule(text: string, s: Scenario): string {
  const where = `--replay ${text}`;
  const m = /^(s1:(?:[a-z]\d+)*)(?:@([0-9a-f]{8}))?$/.exec(text.trim());
  if (!m) throw new UsageError(`${where}: not a schedule (expected s1:a12b3... as explore prints it)`);
  const [, schedule, fingerprint] = m;
  if (fingerprint !== undefined && fingerprint !== scenarioFingerprint(s)) {
    throw new UsageError(`${where}: recorded for another scenario (fingerprint ${fingerprint}; ${s.name} is ${scenarioFingerprint(s)})`);
  }
  const names = actorNames(s);
  let steps = 0;
  for (const [, letter, count] of schedule.slice(3).matchAll(/([a-z])(\d+)/g)) {
    const actor = letter.charCodeAt(0) - 97;
    if (actor >= names.length) {
      const known = names.map((n, i) => `${String.fromCharCode(97 + i)} (${n})`).join(", ");
      throw new UsageError(`${where}: names actor '${letter}', but ${s.name} has ${names.length}: ${known}`);
    }
    steps += count.length > 7 ? Infinity : Number(count);
    if (steps > MAX_SCHEDULE_STEPS) throw new UsageError(`${where}: more than ${MAX_SCHEDULE_STEPS} steps (an execution takes fewer)`);
  }
  if (steps === 0) throw new UsageError(`${where}: an empty schedule`);
  return schedule;
}

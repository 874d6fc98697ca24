/**
 * `--seed`, one rule for `explore`, `fuzz` and `conformance`: an integer from 0
 * to 4294967295 (2^32 - 1), in decimal digits. The generators use the seed as a
 * 32-bit word (core's Prng, fuzz's sequenceSeed): a larger seed would run what
 * seed mod 2^32 runs while printing another, and `0x10`, `1e3` or an empty word
 * are not what a user means by a seed. 0 is a seed like any other (explore took it,
 * fuzz and conformance refused it).
 */
import { UsageError } from "./errors.js";

export const MAX_SEED = 2 ** 32 - 1;

/** The --seed word as a number; a UsageError (exit 2) naming the rule otherwise. */
export function parseSeed(word: string): number {
  const n = /^\d{1,10}$/.test(word) ? Number(word) : NaN;
  if (!(n <= MAX_SEED)) throw new UsageError(`--seed must be an integer from 0 to ${MAX_SEED} (got '${word}')`);
  return n;
}

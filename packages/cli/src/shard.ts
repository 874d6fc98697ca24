/**
 * `--shard i/n`: one machine's part of a campaign (explore, conformance, fuzz).
 *
 * Shards are numbered from 1, as vitest's and Playwright's `--shard` are
 * (a Kubernetes indexed Job's JOB_COMPLETION_INDEX is 0-based: pass
 * `$((JOB_COMPLETION_INDEX + 1))/n`). The work items of a run (an explore's
 * executions, the kit's checks, fuzz's sequences) are numbered 0, 1, 2, ... in
 * the order the unsharded run takes them; item k belongs to shard (k mod n) + 1
 * (round robin: every shard gets early and late items alike, so a campaign that
 * stops at its first failure finds it in the first 1/n of each shard's time).
 * The shards are disjoint and together hold every item exactly once.
 *
 * A sharded command's `--json` result is wrapped in a {@link ShardEnvelope}:
 * `mmsim merge` (commands/merge.ts) checks that the files come from the same run
 * (same command and `run` fields) of this mmsim version, that their shards are distinct and complete,
 * and prints what the unsharded run prints, byte for byte.
 */
import { InvalidArgumentError, Option } from "commander";
import { UsageError } from "./errors.js";
import { VERSION } from "./version.js";

export interface Shard {
  /** 1-based: 1 <= index <= count. */
  readonly index: number;
  readonly count: number;
}

/** Shards beyond this many are refused (a typo such as `1/40000000` would otherwise be accepted and do nothing). */
export const MAX_SHARDS = 10_000;

/** Parses `i/n` (1 <= i <= n <= MAX_SHARDS); anything else is a UsageError naming the value. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard must be i/n, shard i of n counted from 1 (e.g. 1/4) (got '${text}')`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`--shard ${text}: n must be between 1 and ${MAX_SHARDS}`);
  if (index < 1 || index > count) throw new UsageError(`--shard ${text}: i must be between 1 and ${count} (shards are counted from 1)`);
  return { index, count };
}

/** `i/n`, as the flag takes it. */
export function shardLabel(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** Whether work item `k` (0-based, in the unsharded run's order) is this shard's. No shard: every item is. */
export function inShard(k: number, s: Shard | undefined): boolean {
  return s === undefined || k % s.count === s.index - 1;
}

/** The items of `items` that are this shard's, in order (every item when there is no shard). */
export function shardItems<T>(items: readonly T[], s: Shard | undefined): T[] {
  return items.filter((_, k) => inShard(k, s));
}

/** The next item index >= `k` that is this shard's. */
export function nextInShard(k: number, s: Shard | undefined): number {
  if (s === undefined) return k;
  const r = k % s.count;
  const want = s.index - 1;
  return k + ((want - r + s.count) % s.count);
}

/** A run's identity: every option that changes its result. Merged files must agree on each field. */
export type RunFields = Readonly<Record<string, string | number | boolean | null>>;

/**
 * What a sharded `--json` prints: the shard, the run it belongs to, and the
 * command's own partial result (`part`), which only that command's merger reads.
 */
export interface ShardEnvelope<P = unknown> {
  readonly mmsim_shard: {
    /** The command that wrote it: "explore", "conformance", "fuzz". */
    readonly command: string;
    /** `i/n`. */
    readonly shard: string;
    /** The mmsim (@mmsim/cli) version that wrote it: a campaign's shards and its merge are one version's. */
    readonly mmsim: string;
    readonly run: RunFields;
  };
  readonly part: P;
}

/** The envelope a sharded command prints with `--json`. */
export function envelope<P>(command: string, s: Shard, run: RunFields, part: P): ShardEnvelope<P> {
  return { mmsim_shard: { command, shard: shardLabel(s), mmsim: VERSION, run }, part };
}

/** The `--shard <i/n>` option of explore, conformance and fuzz (a bad value: commander's usage error, exit 2). */
export function shardOption(): Option {
  return new Option("--shard <i/n>", "run shard i of n (from 1) of the campaign; merge the --json results with `mmsim merge`").argParser((value: string) => {
    try {
      return parseShard(value);
    } catch (e) {
      if (e instanceof UsageError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  });
}

/**
 * `mmsim merge a.json b.json ...`: the `--json` results of the shards of one
 * campaign (`--shard i/n`, shard.ts) combined into what the unsharded run
 * prints, byte for byte, with its exit code. Refused, naming the files and the
 * field: results of different commands or runs (plugin, scenario, budget, seed,
 * arch, ...), different shard counts, a shard given twice or missing.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from "../errors.js";
import { mergeConformance, type ConformanceShardPart } from "../conformance-shard.js";
import { mergeExplore, type ExploreShardPart } from "../explore-shard.js";
import { mergeFuzz, type FuzzShardPart } from "./fuzz.js";
import type { Io } from "../io.js";
import { parseShard, type RunFields, type Shard } from "../shard.js";
import { VERSION } from "../version.js";
import { fsReason } from "../workload.js";

/** A command's merger: the unsharded `--json` value from the parts (index i: shard i+1), and whether that run fails. */
export type Merger = (run: RunFields, parts: readonly unknown[]) => { json: unknown; failed: boolean };

export const MERGERS: Readonly<Record<string, Merger>> = {
  explore: (run, parts) => {
    parts.forEach((p, i) => expectShape(p, i, parts.length, ["executions"], "failure"));
    const json = mergeExplore(run, parts as ExploreShardPart[]);
    return { json, failed: json.failure !== null };
  },
  conformance: (run, parts) => {
    parts.forEach((p, i) => expectShape(p, i, parts.length, ["total"], "checks"));
    const json = mergeConformance(String(run.plugin), parts as ConformanceShardPart[]);
    return { json, failed: json.failed > 0 };
  },
  fuzz: (run, parts) => {
    parts.forEach((p, i) => expectShape(p, i, parts.length, ["total_sequences", "total_ops", "sequences", "ops", "reclaimed"], "divergence"));
    const json = mergeFuzz(run, parts as FuzzShardPart[]);
    return { json, failed: json.divergence !== null };
  },
};

/** A part of a file written by another version, or edited: its numbers and its array/object present. */
function expectShape(p: unknown, i: number, n: number, numbers: string[], other: string): void {
  const o = p as Record<string, unknown> | null;
  const ok = typeof o === "object" && o !== null && numbers.every((k) => Number.isSafeInteger(o[k])) && other in o;
  if (!ok) throw new CliError(`shard ${i + 1}/${n}: its part is not what this mmsim writes (expected ${[...numbers, other].join(", ")})`);
}

interface ShardFile {
  readonly file: string;
  readonly command: string;
  readonly shard: Shard;
  readonly run: RunFields;
  readonly part: unknown;
}

function readShardFile(file: string, cwd: string): ShardFile {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${fsReason(e)}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const head = (v as { mmsim_shard?: unknown } | null)?.mmsim_shard as { command?: unknown; shard?: unknown; mmsim?: unknown; run?: unknown } | undefined;
  if (typeof v !== "object" || v === null || head === undefined)
    throw new CliError(`${file}: not a shard's result (write one with --shard i/n --json)`);
  if (typeof head.command !== "string" || typeof head.shard !== "string" || typeof head.run !== "object" || head.run === null || !("part" in v))
    throw new CliError(`${file}: mmsim_shard needs command, shard and run, and the file a part`);
  let shard: Shard;
  try {
    shard = parseShard(head.shard);
  } catch (e) {
    throw new CliError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Written by another version (without mmsim_shard.mmsim: by one that did not record it), its items,
  // seeds and part may not be this version's: the merge would not be what the unsharded run prints.
  if (head.mmsim !== VERSION)
    throw new CliError(
      `${file}: written by ${typeof head.mmsim === "string" ? `mmsim ${head.mmsim}` : "an mmsim that did not record its version"}; this is mmsim ${VERSION}, which merges only its own shards (run the campaign again with this version)`,
    );
  return { file, command: head.command, shard, run: head.run as RunFields, part: (v as { part: unknown }).part };
}

/** The files as one campaign: same command, same run, every shard once. Returns the parts in shard order. */
export function checkCampaign(files: readonly ShardFile[]): unknown[] {
  const [first] = files;
  for (const f of files.slice(1)) {
    if (f.command !== first.command) throw new CliError(`${first.file} is a result of ${first.command}, ${f.file} of ${f.command}: they cannot be merged`);
    const keys = [...new Set([...Object.keys(first.run), ...Object.keys(f.run)])];
    for (const k of keys) {
      const a = JSON.stringify(first.run[k] ?? null);
      const b = JSON.stringify(f.run[k] ?? null);
      if (a !== b) throw new CliError(`${first.file} and ${f.file} are of different runs: ${k} is ${a} in ${first.file}, ${b} in ${f.file}`);
    }
    if (f.shard.count !== first.shard.count)
      throw new CliError(`${first.file} is shard ${first.shard.index}/${first.shard.count}, ${f.file} shard ${f.shard.index}/${f.shard.count}: different shard counts`);
  }
  const n = first.shard.count;
  const byIndex = new Map<number, ShardFile>();
  for (const f of files) {
    const seen = byIndex.get(f.shard.index);
    if (seen) throw new CliError(`${seen.file} and ${f.file} are both shard ${f.shard.index}/${n}`);
    byIndex.set(f.shard.index, f);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new CliError(`shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${n}`).join(", ")} missing: merge needs all ${n}`);
  return Array.from({ length: n }, (_, i) => byIndex.get(i + 1)!.part);
}

export async function mergeCommand(paths: readonly string[], io: Io): Promise<number> {
  if (paths.length === 0) throw new UsageError("merge needs the --json files of a campaign's shards");
  const files = paths.map((p) => readShardFile(p, io.cwd));
  const parts = checkCampaign(files);
  const merger = Object.hasOwn(MERGERS, files[0].command) ? MERGERS[files[0].command] : undefined;
  if (!merger) throw new CliError(`${files[0].file}: cannot merge results of '${files[0].command}' (known: ${Object.keys(MERGERS).join(", ")})`);
  const { json, failed } = merger(files[0].run, parts);
  io.out(JSON.stringify(json, null, 2) + "\n");
  return failed ? EXIT_FAILURE : EXIT_OK;
}

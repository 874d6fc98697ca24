/** `mmsim explore <scenario>`: interleave a race scenario's actors; print and replay failures. */
import { count } from "../format.js";
import { parseSeed } from "../seed.js";
import { ScheduleDivergenceError, explore, type Scenario, type StrategyName } from "@mmsim/core/check";
import { replayCommand, SCENARIOS } from "@mmsim/conformance";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from "../errors.js";
import { fsReason } from "../workload.js";
import type { Io } from "../io.js";
import { loadReclaim, reclaimArg, type ReclaimSpec } from "../plugins.js";
import { parseScenarioFile, ScenarioFileError } from "../scenario-schema.js";
import { checkScenarioSetup } from "../scenario-setup.js";
import { checkSchedule, withFingerprint } from "../schedule-check.js";
import { archOf, type ArchName } from "../simulate.js";
import { checkShardable, exploreShard } from "../explore-shard.js";
import { createProgress } from "../progress.js";
import { envelope, shardLabel, type Shard } from "../shard.js";
import { scenarioFingerprint } from "../schedule-check.js";

export interface ExploreCommandOptions {
  reclaim: ReclaimSpec;
  strategy: StrategyName;
  budget: string;
  seed: string;
  depth: string;
  bound: string;
  replay?: string;
  json?: boolean;
  arch: string;
  /** `--shard i/n`: this machine's executions of a random exploration (explore-shard.ts). */
  shard?: Shard;
}

/** A bundled scenario by name, or a scenario JSON file (validated by scenario-schema.ts: the error names the bad field). */
export function loadScenario(target: string, cwd: string): Scenario {
  const bundled = SCENARIOS.find((s) => s.name === target);
  if (bundled) return bundled;
  const path = resolve(cwd, target);
  if (target === "" || !existsSync(path)) throw new UsageError(`unknown scenario '${target}' (bundled: ${SCENARIOS.map((s) => s.name).join(", ")}; or a .json file)`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${target}: ${fsReason(e)}`);
  }
  try {
    return parseScenarioFile(text, target);
  } catch (e) {
    if (e instanceof ScenarioFileError) throw new CliError(e.message);
    throw e;
  }
}

function int(v: string, what: string, least = 0): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < least) throw new UsageError(`${what} must be a ${least > 0 ? "positive" : "non-negative"} integer (got '${v}')`);
  return n;
}

export async function exploreCommand(target: string, opts: ExploreCommandOptions, io: Io): Promise<number> {
  const scenario = loadScenario(target, io.cwd);
  const reclaim = await loadReclaim(opts.reclaim, io.cwd, (line) => io.err(line + "\n"));
  // A scenario file's setup must succeed (the bundled ones do: scenario-setup.test.ts).
  if (!SCENARIOS.includes(scenario)) {
    try {
      checkScenarioSetup(scenario, target, reclaim.create(), archOf(opts.arch as ArchName));
    } catch (e) {
      if (e instanceof ScenarioFileError) throw new CliError(e.message);
      throw e;
    }
  }
  // Checked against the scenario before running: syntax, size, actors, fingerprint.
  const replay = opts.replay === undefined ? undefined : checkSchedule(opts.replay, scenario);
  const exploreOpts = {
    plugin: reclaim.create(),
    arch: archOf(opts.arch as ArchName),
    strategy: opts.strategy,
    // At least one execution: "no rule broken" after none would assert nothing (as conformance's --budget).
    budget: int(opts.budget, "--budget", 1),
    seed: parseSeed(opts.seed),
    // PCT finds a bug of depth d >= 1 (d - 1 priority change points).
    depth: int(opts.depth, "--depth", 1),
    preemption_bound: int(opts.bound, "--preemption-bound"),
    replay,
  };
  if (opts.shard) return exploreShardCommand(target, scenario, reclaim, opts, opts.shard, exploreOpts, io);
  let r: ReturnType<typeof explore>;
  // Which execution of how many, on stderr when it is a terminal (not with --json), as explore --shard shows.
  const progress = createProgress(opts.json ? null : io.progress, { label: `explore ${scenario.name}`, unit: "executions" });
  try {
    r = explore(scenario, { ...exploreOpts, on_execution: (done, total) => progress.update(done, total) });
  } catch (e) {
    // A replayed schedule that does not fit this scenario and plugin: a bad argument, not a kernel bug.
    if (e instanceof ScheduleDivergenceError) throw new UsageError(`--replay ${opts.replay}: ${e.message}`);
    throw e;
  } finally {
    progress.stop();
  }
  if (opts.json) {
    const { elapsed_ms, ...deterministic } = r;
    io.err(`explore: ${(elapsed_ms / 1000).toFixed(2)} s\n`);
    io.out(JSON.stringify({ reclaim: reclaim.name, ...deterministic }, null, 2) + "\n");
    return r.failure ? EXIT_FAILURE : EXIT_OK;
  }
  // Timing goes to stderr: stdout is the same, byte for byte, for the same scenario, plugin and options.
  const rate = r.executions / Math.max(r.elapsed_ms / 1000, 1e-3);
  io.err(`explore: ${count(r.executions, "execution")} in ${(r.elapsed_ms / 1000).toFixed(2)} s (${rate.toFixed(0)}/s)\n`);
  io.out(`${scenario.name} with ${reclaim.label}: ${r.strategy}, ${count(r.executions, "execution")}\n`);
  if (!r.failure) {
    io.out("no rule broken\n");
    return EXIT_OK;
  }
  printFailure(r.failure, target, scenario, opts, io);
  return EXIT_FAILURE;
}

function printFailure(f: NonNullable<ReturnType<typeof explore>["failure"]>, target: string, scenario: Scenario, opts: ExploreCommandOptions, io: Io): void {
  io.out(`\nVIOLATION: ${f.rule}\n  ${f.detail}\n  found after ${count(f.found_after, "execution")}; shrunk to ${count(f.preemptions, "preemption")}\n`);
  io.out(`  replay: ${replayCommand(target, reclaimArg(opts.reclaim), opts.arch, withFingerprint(f.schedule, scenario))}\n\n${f.trace}\n`);
}

/**
 * `explore --shard i/n`: this shard's executions. With --json, the envelope
 * `mmsim merge` reads (`run` holds every option that changes the result);
 * without, the shard's own report.
 */
function exploreShardCommand(
  target: string,
  scenario: Scenario,
  reclaim: Awaited<ReturnType<typeof loadReclaim>>,
  opts: ExploreCommandOptions,
  shard: Shard,
  o: Parameters<typeof explore>[1],
  io: Io,
): number {
  checkShardable(opts.strategy, opts.replay);
  const t0 = performance.now();
  // Which execution of how many this shard runs, on stderr when it is a terminal (not with --json).
  const progress = createProgress(opts.json ? null : io.progress, { label: `explore ${scenario.name} shard ${shardLabel(shard)}`, unit: "executions" });
  let part: ReturnType<typeof exploreShard>;
  try {
    part = exploreShard(scenario, o, shard, (done, total) => progress.update(done, total));
  } finally {
    progress.stop();
  }
  io.err(`explore: shard ${shardLabel(shard)}: ${count(part.executions, "execution")} in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
  if (opts.json) {
    const run = {
      scenario: scenario.name,
      scenario_fingerprint: scenarioFingerprint(scenario),
      reclaim: reclaimArg(opts.reclaim),
      reclaim_name: reclaim.name,
      reclaim_version: reclaim.info?.version ?? null,
      strategy: opts.strategy,
      budget: o.budget ?? 0,
      seed: o.seed ?? 0,
      arch: opts.arch,
    };
    io.out(JSON.stringify(envelope("explore", shard, run, part), null, 2) + "\n");
    return part.failure ? EXIT_FAILURE : EXIT_OK;
  }
  io.out(`${scenario.name} with ${reclaim.label}: ${opts.strategy}, shard ${shardLabel(shard)}, ${count(part.executions, "execution")}\n`);
  if (!part.failure) {
    io.out("no rule broken\n");
    return EXIT_OK;
  }
  printFailure(part.failure, target, scenario, opts, io);
  return EXIT_FAILURE;
}

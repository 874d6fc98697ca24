#!/usr/bin/env node
/**
 * `npm run bench` (root): simulated page-fault rate, the `seed` workload's wall
 * time per plugin, the same loop on the real kernel (when a C compiler exists),
 * the fault-path cost each design adds (RMWs, cache lines, grace periods), the
 * explorer's rates and the simulator's peak RSS. `--json FILE` also writes
 * the results as JSON.
 */
import { writeFileSync } from "node:fs";
import { arch, platform, release } from "node:os";
import { defaultReclaims } from "@mmsim/cli";
import { findSystemCompiler } from "@mmsim/host";
import { Command } from "commander";
import { faultCost, renderFaultCost } from "./cost.js";
import { benchMutants, mutantTimes, renderExplorer, scheduleRates } from "./explore.js";
import { buildSeedloop, runSeedloop } from "./kernel.js";
import { ratios, renderReport, RSS_TARGET_BYTES, type BenchResult, type KernelResult } from "./report.js";
import { faultRate, seedRun, type SeedRun } from "./sim.js";
import { RssSampler } from "./stats.js";
import { renderSideBySide, sideBySide, type SideBySide } from "./sidebyside.js";

interface BenchOptions {
  json?: string;
  runs: string;
  workload: string;
  sideBySide?: boolean;
  sideBySideRuns: string;
}

/** The seed loop as whole processes, simulator vs kernel (src/sidebyside.ts). */
function sideBySideBench(opts: BenchOptions): SideBySide {
  const cc = findSystemCompiler();
  const runs = Math.max(1, Number.parseInt(opts.sideBySideRuns, 10) || 3);
  log(`side by side: mmsim run seed --reclaim pt-reclaim vs bench/seedloop.c, ${runs} each${cc ? "" : " (no C compiler: simulator only)"}`);
  return sideBySide(cc ? buildSeedloop(cc) : null, runs);
}

const log = (text: string) => process.stderr.write(`bench: ${text}\n`);

function kernelBench(seed: readonly SeedRun[]): KernelResult {
  const cc = findSystemCompiler();
  if (!cc) return { skipped: "no C compiler" };
  try {
    log("compiling and running bench/seedloop.c on the kernel");
    const binary = buildSeedloop(cc);
    const run = runSeedloop(binary);
    return { ...run, compiler: cc, binary, ratio: ratios(seed, run) };
  } catch (e) {
    return { failed: (e instanceof Error ? e.message : String(e)).split("\n")[0] };
  }
}

async function bench(opts: BenchOptions): Promise<BenchResult> {
  const rss = new RssSampler();
  const runs = Math.max(1, Number.parseInt(opts.runs, 10) || 5);
  log(`seed-small x${runs} (no plugin)`);
  const rate = faultRate("seed-small", runs, rss);
  const seed: SeedRun[] = [];
  for (const reclaim of await defaultReclaims()) {
    log(`${opts.workload} (reclaim: ${reclaim.label})`);
    seed.push(seedRun(opts.workload, reclaim, rss));
  }
  const sampledBytes = rss.peak;
  const kernel = kernelBench(seed);
  const getrusageBytes = process.resourceUsage().maxRSS * 1024;
  return {
    node: process.version,
    platform: `${platform()} ${arch()}`,
    kernelRelease: release(),
    faultRate: rate,
    seedWorkload: opts.workload,
    seed,
    kernel,
    peakRss: { sampledBytes, getrusageBytes, targetBytes: RSS_TARGET_BYTES, ok: Math.max(sampledBytes, getrusageBytes) < RSS_TARGET_BYTES },
  };
}

const program = new Command("bench")
  .description("mmsim benchmark: simulated fault rate, seed workload per plugin, real-kernel comparison, peak RSS")
  .option("--json <file>", "also write the results as JSON to FILE")
  .option("--runs <n>", "seed-small runs for the fault rate", "5")
  .option("--workload <name>", "the builtin workload timed per plugin", "seed")
  .option("--side-by-side", "run only the side-by-side section (whole processes: mmsim run seed --reclaim pt-reclaim vs seedloop.c)")
  .option("--side-by-side-runs <n>", "runs of each process in the side-by-side section", "3")
  .action(async (opts: BenchOptions) => {
    if (opts.sideBySide) {
      const sbs = sideBySideBench(opts);
      process.stdout.write(renderSideBySide(sbs));
      if (opts.json) writeFileSync(opts.json, JSON.stringify({ sideBySide: sbs }, null, 2) + "\n");
      return;
    }
    const result = await bench(opts);
    process.stdout.write(renderReport(result));
    const sbs = sideBySideBench(opts);
    process.stdout.write("\n" + renderSideBySide(sbs) + "\n");
    log("fault-path cost per design (RMWs, cache lines, grace periods)");
    const costs = (await defaultReclaims()).map((r) => faultCost(r));
    process.stdout.write(renderFaultCost(costs));
    log("explorer: schedules/s and time to first failure of each mutant");
    const rates = scheduleRates();
    const mutants = mutantTimes(5, 200, await benchMutants());
    process.stdout.write(renderExplorer(rates, mutants));
    if (opts.json) writeFileSync(opts.json, JSON.stringify({ ...result, sideBySide: sbs, faultCost: costs, explorer: { rates, mutants } }, null, 2) + "\n");
  });

await program.parseAsync();

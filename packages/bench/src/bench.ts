#!/usr/bin/env node
/**
 * `npm run bench` (root): simulated page-fault rate, the `seed` workload's wall
 * time per plugin, the same loop on the real kernel (when a C compiler exists),
 * the fault-path cost each design adds (RMWs, cache lines, grace periods), the
 * explorer's rates, the simulator's peak RSS and its host bytes per live page table
 * (table_bytes.ts; `--table-bytes N` runs only that), and the `production` workload
 * (src/production.ts; at 1/64 scale unless --production-full). `--json FILE` also
 * writes the results as JSON.
 */
import { writeFileSync } from "node:fs";
import { arch, platform, release } from "node:os";
import { defaultReclaims } from "@mmsim/cli";
import { findSystemCompiler } from "@mmsim/host";
import { Command, Option } from "commander";
import { faultCost, renderFaultCost } from "./cost.js";
import { benchMutants, mutantTimes, renderExplorer, scheduleRates } from "./explore.js";
import { buildSeedloop, runSeedloop } from "./kernel.js";
import { productionChild, productionRun, renderProduction, type ProductionRun } from "./production.js";
import { ratios, renderReport, RSS_TARGET_BYTES, type BenchResult, type KernelResult } from "./report.js";
import { faultRate, seedRun, type SeedRun } from "./sim.js";
import { RssSampler } from "./stats.js";
import { renderTableBytes, tableBytes, tableBytesChild } from "./table_bytes.js";
import { renderSideBySide, sideBySide, type SideBySide } from "./sidebyside.js";

interface BenchOptions {
  json?: string;
  runs: string;
  workload: string;
  sideBySide?: boolean;
  explorer?: boolean;
  sideBySideRuns: string;
  tableBytes?: string;
  tableBytesChild?: string;
  production?: boolean;
  productionScale: string;
  productionFull?: boolean;
  productionMaxRss: string;
  productionChild?: string;
}

/** The production workload under none and pt-reclaim, one child process each (src/production.ts). */
async function productionBench(opts: BenchOptions): Promise<ProductionRun[]> {
  const scale = opts.productionFull ? 1 : Number.parseInt(opts.productionScale, 10);
  if (![1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].includes(scale)) throw new Error(`--production-scale ${opts.productionScale}: expected a power of two from 1 to 1024`);
  const maxRss = Number.parseFloat(opts.productionMaxRss) * 1e9;
  const runs: ProductionRun[] = [];
  for (const reclaim of ["none", "pt-reclaim"]) {
    log(`production at 1/${scale} (reclaim: ${reclaim}), stopped past ${opts.productionMaxRss} GB RSS`);
    runs.push(await productionRun(process.argv[1], scale, reclaim, maxRss));
  }
  return runs;
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
  .option("--table-bytes <n>", "run only the host-bytes-per-live-table section, with N tables", "")
  .option("--table-bytes-child <n>", "(internal) the measuring child of --table-bytes")
  .option("--explorer", "run only the explorer's executions/s on fault-vs-dontneed (pt-reclaim, each strategy)")
  .option("--production", "run only the production section (the production workload under none and pt-reclaim)")
  .option("--production-scale <n>", "run production at 1/n of its size (a power of two up to 1024)", "64")
  .option("--production-full", "run production at full scale (55T heap, 28.8 M PTE tables without reclaim)")
  .option("--production-max-rss <GB>", "stop a production run whose RSS passes this many GB", "8")
  .addOption(new Option("--production-child <scale:reclaim>").hideHelp())
  .action(async (opts: BenchOptions) => {
    if (opts.tableBytesChild) {
      process.stdout.write(JSON.stringify(tableBytesChild(Number(opts.tableBytesChild))) + "\n");
      return;
    }
    if (opts.tableBytes) {
      process.stdout.write(renderTableBytes(tableBytes(Number(opts.tableBytes))));
      return;
    }
    if (opts.productionChild) {
      const [scale, reclaim] = opts.productionChild.split(":");
      await productionChild(Number(scale), reclaim, (s) => process.stdout.write(s));
      return;
    }
    if (opts.production) {
      const runs = await productionBench(opts);
      process.stdout.write(renderProduction(runs));
      if (opts.json) writeFileSync(opts.json, JSON.stringify({ production: runs }, null, 2) + "\n");
      return;
    }
    if (opts.explorer) {
      process.stdout.write(renderExplorer(scheduleRates(), []));
      return;
    }
    if (opts.sideBySide) {
      const sbs = sideBySideBench(opts);
      process.stdout.write(renderSideBySide(sbs));
      if (opts.json) writeFileSync(opts.json, JSON.stringify({ sideBySide: sbs }, null, 2) + "\n");
      return;
    }
    const result = await bench(opts);
    process.stdout.write(renderReport(result));
    log("host bytes per live table (200,000 PTE tables of one entry)");
    const tb = tableBytes(200_000);
    process.stdout.write(renderTableBytes(tb));
    const sbs = sideBySideBench(opts);
    process.stdout.write("\n" + renderSideBySide(sbs) + "\n");
    log("fault-path cost per design (RMWs, cache lines, grace periods)");
    const costs = (await defaultReclaims()).map((r) => faultCost(r));
    process.stdout.write(renderFaultCost(costs));
    log("explorer: schedules/s and time to first failure of each mutant");
    const rates = scheduleRates();
    const mutants = mutantTimes(5, 200, await benchMutants());
    process.stdout.write(renderExplorer(rates, mutants));
    const production = await productionBench(opts);
    process.stdout.write("\n" + renderProduction(production));
    if (opts.json) writeFileSync(opts.json, JSON.stringify({ ...result, tableBytes: tb, sideBySide: sbs, faultCost: costs, explorer: { rates, mutants }, production }, null, 2) + "\n");
  });

await program.parseAsync();

/**
 * Side by side (issue #10 §4): the seed loop at 50G with pt-reclaim, the whole
 * simulator process (`node .../mmsim.js run seed --reclaim pt-reclaim`: start-up,
 * module loading, the run, the report) against the whole kernel process
 * (bench/seedloop.c doing the same loop), both timed by wall clock from here, in
 * one bench run. Prints the ratio (target <= 0.05) and the simulated faults per
 * second of the simulator process (target >= 40 M).
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { runSeedloop, type KernelRun } from "./kernel.js";
import { median } from "./stats.js";

export const RATIO_TARGET = 0.05;
export const FAULTS_PER_SECOND_TARGET = 40e6;

/** The `mmsim` bin of the installed @mmsim/cli. */
export function mmsimBin(): string {
  const pkg = createRequire(import.meta.url).resolve("@mmsim/cli/package.json");
  return join(dirname(pkg), "dist", "mmsim.js");
}

export interface ProcessRun {
  /** Wall seconds of each run. */
  runs: number[];
  median: number;
}

export interface SideBySide {
  command: string;
  sim: ProcessRun & { pgfault: number; faultsPerSecond: number };
  kernel: (ProcessRun & { loopSeconds: number; faults: number }) | { skipped: string };
  ratio: number | null;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
}

/** `pgfault:  13107200 (...)` from `mmsim run`'s counters. */
export function parsePgfault(output: string): number {
  const m = /^pgfault:\s+(\d+)/m.exec(output);
  if (!m) throw new Error(`mmsim run: no pgfault line in its output`);
  return Number(m[1]);
}

/**
 * `runs` simulator processes and, when `seedloop` (a built binary) is given, as
 * many kernel processes, alternating, so both meet the same machine load.
 */
export function sideBySide(seedloop: string | null, runs = 3, workload = "seed", reclaim = "pt-reclaim"): SideBySide {
  const bin = mmsimBin();
  const args = [bin, "run", workload, "--reclaim", reclaim];
  const sim: number[] = [];
  const kernel: number[] = [];
  let pgfault = 0;
  let krun: KernelRun | null = null;
  for (let i = 0; i < runs; i++) {
    const [out, s] = timed(() => execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 }));
    pgfault = parsePgfault(out);
    sim.push(s);
    if (seedloop) {
      const [r, k] = timed(() => runSeedloop(seedloop));
      krun = r;
      kernel.push(k);
    }
  }
  const simMedian = median(sim);
  const kernelMedian = krun ? median(kernel) : null;
  return {
    command: `mmsim run ${workload} --reclaim ${reclaim}`,
    sim: { runs: sim, median: simMedian, pgfault, faultsPerSecond: pgfault / simMedian },
    kernel: krun && kernelMedian !== null ? { runs: kernel, median: kernelMedian, loopSeconds: krun.seconds, faults: krun.faults } : { skipped: "no C compiler" },
    ratio: kernelMedian !== null ? simMedian / kernelMedian : null,
  };
}

const secs = (s: number) => `${s.toFixed(2)} s`;

export function renderSideBySide(r: SideBySide): string {
  const lines = [`side by side (whole processes, wall clock, median of ${r.sim.runs.length}; seed loop at 50G):`];
  lines.push(`  simulator  ${r.command}: ${secs(r.sim.median)} (runs ${r.sim.runs.map(secs).join(", ")}), ${r.sim.pgfault} faults, ${Math.round(r.sim.faultsPerSecond).toLocaleString("en-US")} simulated faults/s (target >= ${(FAULTS_PER_SECOND_TARGET / 1e6).toFixed(0)} M)`);
  if ("skipped" in r.kernel) lines.push(`  kernel     skipped (${r.kernel.skipped})`);
  else lines.push(`  kernel     bench/seedloop.c: ${secs(r.kernel.median)} (runs ${r.kernel.runs.map(secs).join(", ")}; its loop alone ${secs(r.kernel.loopSeconds)}), ${r.kernel.faults} faults`);
  if (r.ratio !== null) lines.push(`  ratio simulator/kernel: ${r.ratio.toFixed(3)} (target <= ${RATIO_TARGET}: ${r.ratio <= RATIO_TARGET ? "met" : "not met"})`);
  return lines.join("\n") + "\n";
}

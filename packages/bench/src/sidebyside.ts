/**
 * Side by side (issue #10 §4): the seed loop at 50G with pt-reclaim, the whole
 * simulator process (`node .../mmsim.js run seed --reclaim pt-reclaim`: start-up,
 * module loading, the run, the report) against the whole kernel process
 * (bench/seedloop.c doing the same loop), both timed by wall clock from here, in
 * one bench run. Prints the ratio (target <= 0.05) and the simulated faults per
 * second of the simulator process (target >= 40 M).
 *
 * Also Node's own start-up (`node -e 0`) in this environment. Where
 * NODE_EXTRA_CA_CERTS is set (some machines point it at the whole system CA
 * bundle), Node 20 parses that file at every start, TLS or not (~40 ms of every
 * node process measured here): the simulator and `node -e 0` are then also timed
 * without it, for information. The targets are judged on the processes as the
 * environment runs them.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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
  /** CPU seconds (user + system) of each run, or null where /proc/self/stat is not readable. */
  cpu: (number | null)[];
}

/** Wall seconds of `node -e 0` and of the simulator, with and without the environment's NODE_EXTRA_CA_CERTS. */
export interface NodeStartup {
  /** `node -e 0` as the environment runs it: median wall seconds. */
  node: number;
  /** NODE_EXTRA_CA_CERTS, where set (else null, and no figures without it). */
  caCerts: string | null;
  /** `node -e 0` without NODE_EXTRA_CA_CERTS (median), or null. */
  nodeWithout: number | null;
  /** The simulator process without NODE_EXTRA_CA_CERTS (median) and its simulated faults/s, or null. */
  simWithout: { median: number; faultsPerSecond: number } | null;
}

export interface SideBySide {
  command: string;
  sim: ProcessRun & { pgfault: number; faultsPerSecond: number };
  startup: NodeStartup;
  kernel: (ProcessRun & { loopSeconds: number; faults: number }) | { skipped: string };
  ratio: number | null;
  /** The same ratio of median CPU seconds (less sensitive to other load on the machine), or null. */
  cpuRatio: number | null;
}

/**
 * CPU seconds used by this process's waited-for children so far: cutime + cstime
 * of /proc/self/stat (fields 16 and 17, in clock ticks of 100 Hz, USER_HZ on Linux).
 * Null where there is no /proc.
 */
export function childrenCpuSeconds(): number | null {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": field 3 (state) is f[0], so field n is f[n - 3].
    return (Number(f[16 - 3]) + Number(f[17 - 3])) / 100;
  } catch {
    return null;
  }
}

/** f()'s result, wall seconds and the CPU seconds of the children it waited for. */
function timed<T>(f: () => T): [T, number, number | null] {
  const c0 = childrenCpuSeconds();
  const t0 = performance.now();
  const r = f();
  const wall = (performance.now() - t0) / 1000;
  const c1 = childrenCpuSeconds();
  return [r, wall, c0 !== null && c1 !== null ? c1 - c0 : null];
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
  const simCpu: (number | null)[] = [];
  const kernelCpu: (number | null)[] = [];
  let pgfault = 0;
  let krun: KernelRun | null = null;
  const caCerts = process.env.NODE_EXTRA_CA_CERTS || null;
  const without = { ...process.env };
  delete without.NODE_EXTRA_CA_CERTS;
  const node: number[] = [];
  const nodeWithout: number[] = [];
  const simWithout: number[] = [];
  const mmsim = (env: NodeJS.ProcessEnv) => execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26, env });
  const bare = (env: NodeJS.ProcessEnv) => execFileSync(process.execPath, ["-e", "0"], { stdio: "ignore", env });
  for (let i = 0; i < runs; i++) {
    const [out, s, sc] = timed(() => mmsim(process.env));
    pgfault = parsePgfault(out);
    sim.push(s);
    simCpu.push(sc);
    node.push(timed(() => bare(process.env))[1]);
    if (caCerts !== null) {
      const [o2, s2] = timed(() => mmsim(without));
      if (parsePgfault(o2) !== pgfault) throw new Error("mmsim run: another pgfault count without NODE_EXTRA_CA_CERTS");
      simWithout.push(s2);
      nodeWithout.push(timed(() => bare(without))[1]);
    }
    if (seedloop) {
      const [r, k, kc] = timed(() => runSeedloop(seedloop));
      krun = r;
      kernel.push(k);
      kernelCpu.push(kc);
    }
  }
  const simMedian = median(sim);
  const kernelMedian = krun ? median(kernel) : null;
  const cpuMedian = (xs: (number | null)[]) => (xs.length > 0 && xs.every((x) => x !== null) ? median(xs as number[]) : null);
  const simCpuMedian = cpuMedian(simCpu);
  const kernelCpuMedian = cpuMedian(kernelCpu);
  return {
    command: `mmsim run ${workload} --reclaim ${reclaim}`,
    sim: { runs: sim, median: simMedian, cpu: simCpu, pgfault, faultsPerSecond: pgfault / simMedian },
    startup: {
      node: median(node),
      caCerts,
      nodeWithout: caCerts !== null ? median(nodeWithout) : null,
      simWithout: caCerts !== null ? { median: median(simWithout), faultsPerSecond: pgfault / median(simWithout) } : null,
    },
    kernel:
      krun && kernelMedian !== null ? { runs: kernel, median: kernelMedian, cpu: kernelCpu, loopSeconds: krun.seconds, faults: krun.faults } : { skipped: "no C compiler" },
    ratio: kernelMedian !== null ? simMedian / kernelMedian : null,
    cpuRatio: kernelMedian !== null && simCpuMedian !== null && kernelCpuMedian !== null && kernelCpuMedian > 0 ? simCpuMedian / kernelCpuMedian : null,
  };
}

const secs = (s: number) => `${s.toFixed(2)} s`;
const cpuText = (xs: (number | null)[]) => (xs.every((x) => x !== null) ? `; CPU ${xs.map((x) => secs(x!)).join(", ")}` : "");

export function renderSideBySide(r: SideBySide): string {
  const lines = [`side by side (whole processes, wall clock, median of ${r.sim.runs.length}; seed loop at 50G):`];
  const rate = (x: number) => `${Math.round(x).toLocaleString("en-US")} simulated faults/s`;
  lines.push(
    `  simulator  ${r.command}: ${secs(r.sim.median)} (runs ${r.sim.runs.map(secs).join(", ")}${cpuText(r.sim.cpu)}), ${r.sim.pgfault} faults, ${rate(r.sim.faultsPerSecond)} (target >= ${(FAULTS_PER_SECOND_TARGET / 1e6).toFixed(0)} M: ${r.sim.faultsPerSecond >= FAULTS_PER_SECOND_TARGET ? "met" : "not met"})`,
  );
  const st = r.startup;
  if (st.caCerts === null || st.nodeWithout === null || st.simWithout === null) lines.push(`  node itself (node -e 0): ${secs(st.node)}`);
  else {
    lines.push(`  node itself (node -e 0): ${secs(st.node)}; ${secs(st.nodeWithout)} without NODE_EXTRA_CA_CERTS=${st.caCerts}, which Node parses at every start`);
    lines.push(`  simulator without NODE_EXTRA_CA_CERTS (for information; the targets are judged as the environment runs it): ${secs(st.simWithout.median)}, ${rate(st.simWithout.faultsPerSecond)}`);
  }
  if ("skipped" in r.kernel) lines.push(`  kernel     skipped (${r.kernel.skipped})`);
  else lines.push(`  kernel     bench/seedloop.c: ${secs(r.kernel.median)} (runs ${r.kernel.runs.map(secs).join(", ")}${cpuText(r.kernel.cpu)}; its loop alone ${secs(r.kernel.loopSeconds)}), ${r.kernel.faults} faults`);
  if (r.ratio !== null) lines.push(`  ratio simulator/kernel: ${r.ratio.toFixed(3)} (target <= ${RATIO_TARGET}: ${r.ratio <= RATIO_TARGET ? "met" : "not met"})`);
  if (r.cpuRatio !== null) lines.push(`  ratio of CPU seconds (user + system, median): ${r.cpuRatio.toFixed(3)}`);
  return lines.join("\n") + "\n";
}

/** The simulator's share of the bench: page-fault rate and the `seed` workload per plugin. */
import { builtinScript, type Script } from "@mmsim/core/workload";
import { simulate, type Reclaim } from "@mmsim/cli";
import { median, type RssSampler } from "./stats.js";

export interface FaultRate {
  workload: string;
  runs: number;
  faultsPerRun: number;
  /** Faults per second of each run. */
  rates: number[];
  median: number;
}

export interface SeedRun {
  reclaim: string;
  seconds: number;
  pgfault: number;
  /** Absolute kB at the first and last status line. */
  before: { VmPTE: number; VmRSS: number };
  after: { VmPTE: number; VmRSS: number };
}

function builtin(name: string): Script {
  const s = builtinScript(name);
  if (!s) throw new Error(`no builtin workload '${name}'`);
  return s;
}

/** Simulated page faults per second: `workload` run `runs` times with no plugin. */
export function faultRate(workload: string, runs: number, rss: RssSampler): FaultRate {
  const script = builtin(workload);
  const rates: number[] = [];
  let faultsPerRun = 0;
  for (let i = 0; i < runs; i++) {
    const r = simulate(script, { arch: "x86_64", reclaim: null, onProgress: () => rss.sample() });
    faultsPerRun = r.pgfault;
    rates.push(r.pgfault / r.seconds);
  }
  return { workload, runs, faultsPerRun, rates, median: median(rates) };
}

/** One run of `workload` with `reclaim`. */
export function seedRun(workload: string, reclaim: Reclaim, rss: RssSampler): SeedRun {
  const r = simulate(builtin(workload), { arch: "x86_64", reclaim: reclaim.create(), onProgress: () => rss.sample() });
  const st = r.result.statuses;
  const pick = (i: number) => ({ VmPTE: st[i].VmPTE, VmRSS: st[i].VmRSS });
  return { reclaim: reclaim.label, seconds: r.seconds, pgfault: r.pgfault, before: pick(0), after: pick(st.length - 1) };
}

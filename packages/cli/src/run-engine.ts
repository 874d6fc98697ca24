/** One simulated run of a workload script on an arch object: a fresh Engine, one process, runScript(). */
import type { X86Arch } from "@mmsim/arch-x86_64";
import type { Arm64Arch } from "@mmsim/arch-arm64";
import { Engine, mm_counters, type MmCounterReport, type ReclaimPlugin } from "@mmsim/core";
import { runScript, type RunOptions, type RunResult, type Script } from "@mmsim/core/workload";

export interface RunEngineOptions {
  /** The reclaim plugin instance, or null for Linux without page-table reclaim. */
  reclaim: ReclaimPlugin | null;
  onLine?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** What the result keeps (runScript's `keep`; default "all"). */
  keep?: RunOptions["keep"];
}

export interface SimRun {
  result: RunResult;
  pid: number;
  /** Page faults the process took (mm counters). */
  pgfault: number;
  /** Wall time of runScript(), in seconds. */
  seconds: number;
  /** Faults, tables allocated/freed per level, TLB flushes, RCU-deferred frees. */
  counters: MmCounterReport;
}

export function runEngine(script: Script, arch: X86Arch | Arm64Arch, opts: RunEngineOptions): SimRun {
  const engine = new Engine({ arch, reclaim: opts.reclaim });
  const p = engine.spawn();
  // process.hrtime, not performance.now(): the same monotonic clock, without
  // loading perf_hooks on first use of the `performance` global (~0.5 ms of start-up).
  const t0 = process.hrtime.bigint();
  const result = runScript(script, p, { onLine: opts.onLine, onProgress: opts.onProgress, keep: opts.keep });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  p.return_to_user();
  return { result, pid: p.pid, pgfault: p.mm.counters.pgfault, seconds, counters: mm_counters(p) };
}

/** One simulated run of a workload script: a fresh Engine, one process, runScript(). */
import { x86_64, type X86Arch } from "@mmsim/arch-x86_64";
import { arm64, type Arm64Arch } from "@mmsim/arch-arm64";
import { Engine, mm_counters, type MmCounterReport, type ReclaimPlugin } from "@mmsim/core";
import { runScript, type RunResult, type Script } from "@mmsim/core/workload";
import type { ArchName } from "./arch-names.js";

export { ARCH_NAMES, type ArchName } from "./arch-names.js";

/** The arch object for a --arch value: 4-level paging, or 5-level (LA57); "-pv": TLB flushes by hypercall (paravirt guest); arm64: 4 KiB granule, 48-bit VA, broadcast TLBI. */
export function archOf(name: ArchName): X86Arch | Arm64Arch {
  if (name === "arm64") return arm64();
  return x86_64({ levels: name === "x86_64-la57" ? 5 : 4, paravirt_flush: name === "x86_64-pv" });
}

export interface SimulateOptions {
  arch: ArchName;
  /** The reclaim plugin instance, or null for Linux without page-table reclaim. */
  reclaim: ReclaimPlugin | null;
  onLine?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
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

export function simulate(script: Script, opts: SimulateOptions): SimRun {
  const engine = new Engine({ arch: archOf(opts.arch), reclaim: opts.reclaim });
  const p = engine.spawn();
  const t0 = performance.now();
  const result = runScript(script, p, { onLine: opts.onLine, onProgress: opts.onProgress });
  const seconds = (performance.now() - t0) / 1000;
  p.return_to_user();
  return { result, pid: p.pid, pgfault: p.mm.counters.pgfault, seconds, counters: mm_counters(p) };
}

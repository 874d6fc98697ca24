/** One simulated run of a workload script: a fresh Engine, one process, runScript() (the in-process API; the commands use arch-load.ts and run-engine.ts). */
import { x86_64, type X86Arch } from "@mmsim/arch-x86_64";
import { arm64, type Arm64Arch } from "@mmsim/arch-arm64";
import type { Script } from "@mmsim/core/workload";
import { x86Options, type ArchName } from "./arch-names.js";
import { runEngine, type RunEngineOptions, type SimRun } from "./run-engine.js";

export { ARCH_NAMES, type ArchName } from "./arch-names.js";
export type { SimRun } from "./run-engine.js";

/** The arch object for a --arch value: 4-level paging, or 5-level (LA57); "-pv": TLB flushes by hypercall (paravirt guest); arm64: 4 KiB granule, 48-bit VA, broadcast TLBI. */
export function archOf(name: ArchName): X86Arch | Arm64Arch {
  if (name === "arm64") return arm64();
  return x86_64(x86Options(name));
}

export interface SimulateOptions extends RunEngineOptions {
  arch: ArchName;
}

export function simulate(script: Script, opts: SimulateOptions): SimRun {
  return runEngine(script, archOf(opts.arch), opts);
}

/**
 * The `mmsim host` and `mmsim check-host` commands over @mmsim/host, for the
 * CLI to wire into commander. Each returns the process exit code; output goes
 * through `io`, one line (without its newline) per call, like console.log /
 * console.error.
 *
 *   mmsim host <script>                       -> 0, or 1 on an error
 *   mmsim check-host <script>... [--reclaim pt-reclaim] [--rss-tolerance KB]
 *                                             -> 0 all match, 1 a mismatch, 2 cannot run
 */
import { existsSync, readFileSync } from "node:fs";
import { type ReclaimPlugin } from "@mmsim/core";
import { builtinScript, parseScript, type Script } from "@mmsim/core/workload";
import { checkHost, DEFAULT_RSS_TOLERANCE_KB, formatReport, kernelHasPtReclaim, runOnHost, type CheckReport, type HostRunOptions } from "@mmsim/host";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";

export interface CommandIO {
  out(s: string): void;
  err(s: string): void;
}

/** A script file, or a built-in workload (`seed`, `seed-small`, ...) when no such file exists. */
export function loadScript(path: string): Script {
  if (!existsSync(path)) {
    const builtin = builtinScript(path);
    if (builtin !== undefined) return builtin;
  }
  return parseScript(readFileSync(path, "utf8"), path);
}

/** Reclaim plugins by their --reclaim name. */
export const RECLAIM_PLUGINS: Record<string, () => ReclaimPlugin | null> = {
  none: () => null,
  "pt-reclaim": () => ptReclaim(),
};

export function reclaimByName(name: string | undefined): ReclaimPlugin | null {
  const make = RECLAIM_PLUGINS[name ?? "none"];
  if (make === undefined) throw new Error(`unknown reclaim '${name}' (expected ${Object.keys(RECLAIM_PLUGINS).join("|")})`);
  return make();
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `mmsim host <script>`: the status and error lines `mmsim run` prints, from the real kernel. */
export function hostCommand(path: string, io: CommandIO, opts: HostRunOptions = {}): number {
  try {
    const result = runOnHost(loadScript(path), opts);
    for (const l of result.lines) io.out(l);
    return 0;
  } catch (e) {
    io.err(`mmsim host: ${message(e)}`);
    return 1;
  }
}

export interface CheckHostCommandOptions {
  /** --reclaim: none (default) or pt-reclaim. */
  reclaim?: string;
  /** --rss-tolerance in kB (default DEFAULT_RSS_TOLERANCE_KB). */
  rssTolerance?: number | string;
  /** Options for the host runs (tests). */
  host?: HostRunOptions;
  /** Replaces checkHost (tests). */
  check?: typeof checkHost;
  /** Replaces kernelHasPtReclaim (tests). */
  kernelHasPtReclaim?: () => boolean | null;
}

/** `mmsim check-host <script>...`: 0 if every script matches, 1 on a mismatch, 2 if the check cannot run. */
export function checkHostCommand(paths: readonly string[], opts: CheckHostCommandOptions, io: CommandIO): number {
  let report: CheckReport;
  try {
    if (paths.length === 0) throw new Error("no scripts given");
    const reclaim = reclaimByName(opts.reclaim);
    const tol = opts.rssTolerance === undefined ? DEFAULT_RSS_TOLERANCE_KB : Number(opts.rssTolerance);
    if (!Number.isFinite(tol) || tol < 0) throw new Error(`--rss-tolerance must be a number of kB >= 0 (got '${opts.rssTolerance}')`);
    const scripts = paths.map(loadScript);
    report = (opts.check ?? checkHost)(scripts, { reclaim, rssToleranceKb: tol, host: opts.host });
  } catch (e) {
    io.err(`mmsim check-host: ${message(e)}`);
    return 2;
  }
  for (const l of formatReport(report).split("\n")) io.out(l);
  if (report.ok) return 0;
  if (report.reclaim === null && (opts.kernelHasPtReclaim ?? kernelHasPtReclaim)() === true) {
    io.err("mmsim check-host: note: this kernel has CONFIG_PT_RECLAIM=y; compare with --reclaim pt-reclaim");
  }
  return 1;
}

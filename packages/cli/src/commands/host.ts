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
import { checkHost, DEFAULT_RSS_TOLERANCE_KB, formatReport, kernelHasPtReclaim, runOnHost, type CheckReport, type HostRunOptions } from "@mmsim/host";
import { loadReclaim, parseReclaimSpec } from "../plugins.js";
import { loadWorkload } from "../workload.js";

export interface CommandIO {
  out(s: string): void;
  err(s: string): void;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `mmsim host <script>`: the status and error lines `mmsim run` prints, from the real kernel. */
export async function hostCommand(path: string, io: CommandIO, opts: HostRunOptions = {}, cwd = process.cwd()): Promise<number> {
  try {
    const result = runOnHost((await loadWorkload(path, cwd)).script, opts);
    for (const l of result.lines) io.out(l);
    return 0;
  } catch (e) {
    io.err(`mmsim host: ${message(e)}`);
    return 1;
  }
}

export interface CheckHostCommandOptions {
  /** --reclaim: none (default), a bundled plugin's name or a plugin module path, as `run` takes it. */
  reclaim?: string;
  /** --rss-tolerance in kB (default DEFAULT_RSS_TOLERANCE_KB). */
  rssTolerance?: number | string;
  /** Options for the host runs (tests). */
  host?: HostRunOptions;
  /** Replaces checkHost (tests). */
  check?: typeof checkHost;
  /** Replaces kernelHasPtReclaim (tests). */
  kernelHasPtReclaim?: () => boolean | null;
  /** Where relative script and plugin paths resolve (default: the process's cwd). */
  cwd?: string;
}

/** `mmsim check-host <script>...`: 0 if every script matches, 1 on a mismatch, 2 if the check cannot run. */
export async function checkHostCommand(paths: readonly string[], opts: CheckHostCommandOptions, io: CommandIO): Promise<number> {
  let report: CheckReport;
  const cwd = opts.cwd ?? process.cwd();
  try {
    if (paths.length === 0) throw new Error("no scripts given");
    const reclaim = await loadReclaim(parseReclaimSpec(opts.reclaim ?? "none"), cwd, (line) => io.err(line));
    const tol = opts.rssTolerance === undefined ? DEFAULT_RSS_TOLERANCE_KB : Number(opts.rssTolerance);
    if (!Number.isFinite(tol) || tol < 0) throw new Error(`--rss-tolerance must be a number of kB >= 0 (got '${opts.rssTolerance}')`);
    const scripts = [];
    for (const p of paths) scripts.push((await loadWorkload(p, cwd)).script);
    report = (opts.check ?? checkHost)(scripts, { reclaim: () => reclaim.create(), rssToleranceKb: tol, host: opts.host });
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

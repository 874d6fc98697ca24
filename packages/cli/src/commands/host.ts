/**
 * The `mmsim host` and `mmsim check-host` commands over @mmsim/host, for the
 * CLI to wire into commander. Each returns the process exit code; output goes
 * through `io`, one line (without its newline) per call, like console.log /
 * console.error.
 *
 *   mmsim host <script>                       -> 0, or 1 on an error
 *   mmsim check-host <script>... [--reclaim pt-reclaim] [--rss-tolerance KB]
 *     (no --reclaim: the design the running kernel has, detected and said on stderr)
 *                                             -> 0 all match, 1 a mismatch, 2 cannot run
 */
import { checkHost, checkHostStreaming, DEFAULT_RSS_TOLERANCE_KB, detectPtReclaim, formatReport, kernelHasPtReclaim, runOnHost, runOnHostStreaming, type CheckReport, type HostRunOptions, type PtReclaimDetection } from "@mmsim/host";
import { OutputClosed } from "../io.js";
import { loadReclaim, resolveReclaimSpec } from "../plugins.js";
import { loadWorkload } from "../workload.js";

export interface CommandIO {
  out(s: string): void;
  err(s: string): void;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * `COMMAND: message`, without saying the command twice: @mmsim/host's own
 * messages begin "mmsim host ..." ("mmsim host needs a C compiler ...").
 */
function failure(command: string, e: unknown): string {
  const m = message(e);
  return m.startsWith(`${command}: `) || m.startsWith(`${command} `) ? m : `${command}: ${m}`;
}

/**
 * `mmsim host <script>`: the status and error lines `mmsim run` prints, from the
 * real kernel, each printed as its reply arrives (runOnHostStreaming: a huge
 * `repeat` is never unrolled). With `opts.exec` (tests), the buffered runOnHost.
 */
export async function hostCommand(path: string, io: CommandIO, opts: HostRunOptions = {}, cwd = process.cwd()): Promise<number> {
  try {
    const script = (await loadWorkload(path, cwd)).script;
    if (opts.exec) for (const l of runOnHost(script, opts).lines) io.out(l);
    else await runOnHostStreaming(script, { ...opts, keep: "ends", onLine: (l) => io.out(l) });
    return 0;
  } catch (e) {
    // The reader of standard output has gone (`mmsim host x | head`): the run
    // stopped at its next line, the helper was ended; main ends quietly, exit 0.
    if (e instanceof OutputClosed) throw e;
    io.err(failure("mmsim host", e));
    return 1;
  }
}

export interface CheckHostCommandOptions {
  /**
   * --reclaim: none, a bundled plugin's name, a package or a plugin module path, as `run` takes it.
   * Absent: pt-reclaim when the running kernel has CONFIG_PT_RECLAIM=y, else none (detectPtReclaim(), said on stderr).
   */
  reclaim?: string;
  /** Replaces detectPtReclaim (tests). */
  detect?: () => PtReclaimDetection;
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
    const tol = opts.rssTolerance === undefined ? DEFAULT_RSS_TOLERANCE_KB : Number(opts.rssTolerance);
    if (!Number.isFinite(tol) || tol < 0) throw new Error(`--rss-tolerance must be a number of kB >= 0 (got '${opts.rssTolerance}')`);
    const scripts = [];
    for (const p of paths) scripts.push((await loadWorkload(p, cwd)).script);
    const word = opts.reclaim ?? defaultDesign((opts.detect ?? detectPtReclaim)(), io);
    const reclaim = await loadReclaim(await resolveReclaimSpec(word), cwd, (line) => io.err(line));
    const o = { reclaim: () => reclaim.create(), rssToleranceKb: tol, host: opts.host };
    // Streamed (a huge `repeat` is never unrolled), unless a test replaces the check or the helper's exec.
    report = opts.check || opts.host?.exec ? (opts.check ?? checkHost)(scripts, o) : await checkHostStreaming(scripts, o);
  } catch (e) {
    io.err(`mmsim check-host: ${message(e)}`);
    return 2;
  }
  for (const l of formatReport(report).split("\n")) io.out(l);
  if (report.ok) return 0;
  if (opts.reclaim !== undefined && report.reclaim === null && (opts.kernelHasPtReclaim ?? kernelHasPtReclaim)() === true) {
    io.err("mmsim check-host: note: this kernel has CONFIG_PT_RECLAIM=y; compare with --reclaim pt-reclaim");
  }
  return 1;
}

/** The design matching the running kernel, and one stderr line saying which and how it was found. */
export function defaultDesign(d: PtReclaimDetection, io: CommandIO): string {
  const design = d.enabled === true ? "pt-reclaim" : "none";
  const what =
    d.enabled === true ? "has CONFIG_PT_RECLAIM=y" : d.enabled === false ? "has no CONFIG_PT_RECLAIM" : "may or may not have CONFIG_PT_RECLAIM (cannot tell)";
  io.err(`mmsim check-host: the running kernel ${what} (${d.how}): simulating --reclaim ${design}; give --reclaim to choose`);
  return design;
}

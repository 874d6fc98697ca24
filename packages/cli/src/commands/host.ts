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
 *   mmsim check-host --random N [--seed S] [--case K] [--out DIR] [--no-pressure] [--reclaim ...]
 *     (N seeded random scripts, each on the kernel and the simulator; a mismatch shrunk,
 *      with its replay command)          -> 0 no new mismatch, 1 a mismatch, 2 cannot run
 */
import { caseFile, checkHost, checkHostStreaming, DEFAULT_RSS_TOLERANCE_KB, detectPtReclaim, formatComparison, formatReport, fuzzHost, type CaseResult, type FuzzHostOptions, kernelHasPtReclaim, runOnHost, runOnHostStreaming, type CheckReport, type HostRunOptions, type PtReclaimDetection } from "@mmsim/host";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { shellWord } from "@mmsim/conformance";
import { OutputClosed } from "../io.js";
import { createProgress } from "../progress.js";
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

export interface RandomCheckHostOptions {
  /** --random N: how many scripts. */
  random?: string;
  /** --seed S (default 1). */
  seed?: string;
  /** --case K: case K of the seed alone (what a mismatch's replay command gives). */
  case?: string;
  /** --out DIR: write each mismatch's shrunk script there as random-S-K.wl. */
  out?: string;
  /** --no-pressure: no `reclaim` statements (a host without a memory cgroup v1 controller, or not root). */
  pressure?: boolean;
  reclaim?: string;
  rssTolerance?: number | string;
  detect?: () => PtReclaimDetection;
  /** Options for the host runs (tests). */
  host?: HostRunOptions;
  /** Replaces the comparison of one script (tests: a simulated host). */
  check?: FuzzHostOptions["check"];
  /** Max host runs to shrink one mismatch (default 150). */
  maxShrinkRuns?: number;
  cwd?: string;
  /** A terminal for the progress bar (stderr when it is one), or null. */
  progress?: NodeJS.WritableStream | null;
}

function count(v: string | undefined, what: string, min: number, def?: number): number {
  if (v === undefined && def !== undefined) return def;
  const n = Number(v);
  if (v === undefined || v.trim() === "" || !Number.isSafeInteger(n) || n < min || n > 0xffffffff) throw new Error(`${what} must be an integer from ${min} to 4294967295 (got '${v ?? ""}')`);
  return n;
}

/**
 * `mmsim check-host --random N --seed S`: N seeded random scripts (@mmsim/host
 * fuzzHost), each on the kernel and the simulator. Prints each case that
 * differs: a mismatch shrunk (its statements, the differing lines, and the
 * command replaying that case), a known difference (checkHost's notes) on
 * a line, a case a side could not run; then a summary. Exit 0 when no case is
 * a mismatch or an error (known differences are not failures), 1 otherwise,
 * 2 when the check cannot run.
 */
export async function randomCheckHostCommand(opts: RandomCheckHostOptions, io: CommandIO): Promise<number> {
  const cwd = opts.cwd ?? process.cwd();
  let results: CaseResult[];
  let seed: number;
  let reclaimWord: string;
  let total: number;
  try {
    seed = count(opts.seed, "--seed", 0, 1);
    const only = opts.case === undefined ? undefined : count(opts.case, "--case", 0);
    total = opts.random === undefined ? 1 : count(opts.random, "--random", 1);
    if (only !== undefined && opts.random !== undefined && only >= total) throw new Error(`--case ${only} is not one of the --random ${total} cases (0 to ${total - 1})`);
    const tol = opts.rssTolerance === undefined ? DEFAULT_RSS_TOLERANCE_KB : Number(opts.rssTolerance);
    if (!Number.isFinite(tol) || tol < 0) throw new Error(`--rss-tolerance must be a number of kB >= 0 (got '${opts.rssTolerance}')`);
    reclaimWord = opts.reclaim ?? defaultDesign((opts.detect ?? detectPtReclaim)(), io);
    const reclaim = await loadReclaim(await resolveReclaimSpec(reclaimWord), cwd, (line) => io.err(line));
    const progress = createProgress(opts.progress ?? null, { label: `check-host --random ${reclaimWord}`, unit: "scripts" });
    try {
      results = fuzzHost({
        seed,
        count: total,
        only,
        reclaim: () => reclaim.create(),
        rssToleranceKb: tol,
        host: opts.host,
        check: opts.check,
        maxShrinkRuns: opts.maxShrinkRuns,
        script: { reclaim: opts.pressure !== false },
        onCase: (_r, done, n) => progress.update(done, n),
      });
    } finally {
      progress.stop();
    }
  } catch (e) {
    io.err(`mmsim check-host: ${message(e)}`);
    return 2;
  }
  const flags = [opts.pressure === false ? " --no-pressure" : "", opts.rssTolerance !== undefined ? ` --rss-tolerance ${shellWord(String(opts.rssTolerance))}` : "", ` --reclaim ${shellWord(reclaimWord)}`].join("");
  const tally = { match: 0, known: 0, mismatch: 0, error: 0 };
  for (const r of results) {
    tally[r.verdict]++;
    const name = caseFile(r.seed, r.index);
    const replay = `mmsim check-host --seed ${r.seed} --case ${r.index}${flags}`;
    if (r.verdict === "known" && r.known && r.shrunk) {
      io.out(`known ${name}: ${r.known.name} (shrunk to ${r.shrunk.statements[1]} statements): ${r.known.reason}`);
      io.out(`  replay: ${replay}`);
    } else if (r.verdict === "known") {
      io.out(`known ${name}: ${r.comparison.lines.filter((l) => !l.ok).length} lines differ, for a documented reason (replay: ${replay})`);
      for (const n of r.comparison.notes ?? []) io.out(`  note: ${n}`);
    } else if (r.verdict === "error") {
      io.out(formatComparison(r.comparison));
      io.out(`  replay: ${replay}`);
    } else if (r.verdict === "mismatch" && r.shrunk) {
      const [from, to] = r.shrunk.statements;
      io.out(`FAIL ${name}: mismatch; shrunk from ${from} to ${to} statements (${r.shrunk.runs} runs):`);
      for (const l of r.shrunk.text.trimEnd().split("\n")) io.out(`    ${l}`);
      io.out(formatComparison({ ...r.shrunk.comparison, name }).split("\n").slice(1).join("\n"));
      io.out(`  replay: ${replay}`);
      if (opts.out !== undefined) {
        try {
          const dir = resolve(cwd, opts.out);
          mkdirSync(dir, { recursive: true });
          const path = resolve(dir, name);
          writeFileSync(path, `# ${replay}, shrunk\n${r.shrunk.text}`);
          io.out(`  shrunk script: ${path} (mmsim check-host ${shellWord(path)}${flags})`);
        } catch (e) {
          io.err(`mmsim check-host: --out ${opts.out}: ${message(e)}`);
          return 2;
        }
      }
    }
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : w.endsWith("h") ? "es" : "s"}`;
  const what = opts.case !== undefined ? `case ${opts.case} of seed ${seed}` : `${total} random scripts (seed ${seed})`;
  io.out(`${what}: ${tally.match} match, ${plural(tally.known, "known difference")}, ${plural(tally.mismatch, "mismatch")}, ${plural(tally.error, "error")} (simulator reclaim: ${reclaimWord})`);
  return tally.mismatch + tally.error > 0 ? 1 : 0;
}

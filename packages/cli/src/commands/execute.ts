/** Running a loaded workload with one reclaim choice, with the lazy progress bar. */
import { ScriptError } from "@mmsim/core/workload";
import { CliError } from "../errors.js";
import type { ReclaimPlugin } from "@mmsim/core";
import type { Io } from "../io.js";
import { guardPlugin, kernelRuleError } from "../plugin-guard.js";
import type { Reclaim } from "../plugins.js";
import { createProgress } from "../progress.js";
import type { ArchFactory } from "../arch-load.js";
import { runEngine, type SimRun } from "../run-engine.js";
import type { Workload } from "../workload.js";

export interface ExecuteOptions {
  /** The arch (loadArch()): a fresh object per run. */
  arch: ArchFactory;
  /** Print each output line to stdout as it is produced. */
  printLines: boolean;
  /** No progress bar (machine-readable output). */
  quiet: boolean;
  /** The bar's label (default: the plugin's label), e.g. which run of how many. */
  label?: string;
  /**
   * What the result keeps (runScript's `keep`): "ends" (the first and last
   * status line: constant memory, what text output and compare need),
   * "statuses" (--plot) or "all" (run --json), at most MAX_KEPT_LINES lines.
   */
  keep: "all" | "statuses" | "ends";
}

/**
 * The most lines a run keeps in memory for --json (every line) or --plot (every
 * status line): beyond it, a clear error instead of the heap running out. At
 * about 200 bytes a kept line, 1,000,000 are ~200 MB.
 */
export const MAX_KEPT_LINES = 1_000_000;

/** Refuses, before running, a --json or --plot run whose status lines alone are more than MAX_KEPT_LINES. */
export function checkKept(w: Workload, what: "--json" | "--plot"): void {
  if (w.statuses > MAX_KEPT_LINES) {
    throw new CliError(`${what} keeps every ${what === "--json" ? "output" : "status"} line in memory: ${w.spec} prints ${w.statuses} status lines, more than ${MAX_KEPT_LINES} (without ${what}, ${what === "--json" ? "run prints each line as it comes and keeps none" : "a run keeps its first and last status line only"})`);
  }
}

export function execute(w: Workload, reclaim: Reclaim, io: Io, opts: ExecuteOptions): SimRun {
  const progress = createProgress(opts.quiet ? null : io.progress, { label: opts.label ?? reclaim.label });
  let kept = 0;
  const onLine = opts.printLines
    ? (line: string) => {
        progress.clear();
        io.out(line + "\n");
      }
    : opts.keep === "all"
      ? () => {
          // Error lines are not counted before the run: stop when they make too many.
          if (++kept > MAX_KEPT_LINES) throw new CliError(`--json keeps every output line in memory: ${w.spec} has printed more than ${MAX_KEPT_LINES} lines (without --json, run prints each line as it comes and keeps none)`);
        }
      : undefined;
  let plugin: ReclaimPlugin | null = null;
  try {
    plugin = guardPlugin(reclaim.create()); // a hook's throw is the plugin's error (PluginHookError)
    return runEngine(w.script, opts.arch(), { reclaim: plugin, onLine, onProgress: (done, total) => progress.update(done, total), keep: opts.keep }); // the plugin made first, then the arch, as simulate() does
  } catch (e) {
    // An operand bad only in the middle of a loop (the preflight checks each loop's
    // first and last iteration) is found when the run reaches it: the same
    // `error: file:line:col: message`, exit 1, as one found before the run.
    if (e instanceof ScriptError) throw new CliError(e.message);
    throw kernelRuleError(plugin, e) ?? e;
  } finally {
    progress.stop();
  }
}

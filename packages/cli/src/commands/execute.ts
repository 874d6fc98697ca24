/** Running a loaded workload with one reclaim choice, with the lazy progress bar. */
import { ScriptError } from "@mmsim/core/workload";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { guardPlugin } from "../plugin-guard.js";
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
}

export function execute(w: Workload, reclaim: Reclaim, io: Io, opts: ExecuteOptions): SimRun {
  const progress = createProgress(opts.quiet ? null : io.progress, { label: opts.label ?? reclaim.label });
  const onLine = opts.printLines
    ? (line: string) => {
        progress.clear();
        io.out(line + "\n");
      }
    : undefined;
  try {
    const plugin = guardPlugin(reclaim.create()); // a hook's throw is the plugin's error (PluginHookError)
    return runEngine(w.script, opts.arch(), { reclaim: plugin, onLine, onProgress: (done, total) => progress.update(done, total) }); // the plugin made first, then the arch, as simulate() does
  } catch (e) {
    // An operand bad only in the middle of a loop (the preflight checks each loop's
    // first and last iteration) is found when the run reaches it: the same
    // `error: file:line:col: message`, exit 1, as one found before the run.
    throw e instanceof ScriptError ? new CliError(e.message) : e;
  } finally {
    progress.stop();
  }
}

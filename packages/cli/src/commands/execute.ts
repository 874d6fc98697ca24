/** Running a loaded workload with one reclaim choice, with the lazy progress bar. */
import type { Io } from "../io.js";
import { guardPlugin } from "../plugin-guard.js";
import type { Reclaim } from "../plugins.js";
import { createProgress } from "../progress.js";
import { simulate, type ArchName, type SimRun } from "../simulate.js";
import type { Workload } from "../workload.js";

export interface ExecuteOptions {
  arch: ArchName;
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
    return simulate(w.script, {
      arch: opts.arch,
      reclaim: guardPlugin(reclaim.create()), // a hook's throw is the plugin's error (PluginHookError)
      onLine,
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.stop();
  }
}

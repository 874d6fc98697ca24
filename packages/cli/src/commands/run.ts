/** `mmsim run <workload>`: run a script once and print its output and the final /proc/<pid>/status. */
import { render_counters, type MmCounterReport, type ProcStatus } from "@mmsim/core";
import { type StatusLine } from "@mmsim/core/workload";
import { EXIT_OK } from "../errors.js";
import type { Io } from "../io.js";
import { loadReclaim, type Reclaim, type ReclaimSpec } from "../plugins.js";
import type { ArchName } from "../arch-names.js";
import { loadArch } from "../arch-load.js";
import type { SimRun } from "../run-engine.js";
import { loadWorkload } from "../workload.js";
import { checkKept, execute } from "./execute.js";
import { statusAxis, statusSeries, writePlot } from "../plot-file.js";

export interface RunCommandOptions {
  reclaim: ReclaimSpec;
  json?: boolean;
  arch: ArchName;
  /** `--plot FILE.svg`: also draw VmPTE and VmRSS over the status lines. */
  plot?: string;
}

/** What `run --json` prints. */
export interface RunJson {
  reclaim: string | null;
  lines: string[];
  statuses: StatusLine[];
  final: ProcStatus;
  counters: MmCounterReport;
}

export async function runCommand(target: string, opts: RunCommandOptions, io: Io): Promise<number> {
  const workload = await loadWorkload(target, io.cwd);
  const reclaim = await loadReclaim(opts.reclaim, io.cwd, (line) => io.err(line + "\n"));
  const arch = await loadArch(opts.arch);
  const json = opts.json === true;
  if (json) checkKept(workload, "--json");
  if (opts.plot !== undefined) checkKept(workload, "--plot");
  // Text output streams (each line printed as it comes): the run keeps only what the end needs.
  const keep = json ? "all" : opts.plot !== undefined ? "statuses" : "ends";
  const run = execute(workload, reclaim, io, { arch, printLines: !json, quiet: json, keep });
  io.out(json ? JSON.stringify(runJson(reclaim, run), null, 2) + "\n" : procBlock(reclaim, run));
  if (opts.plot !== undefined) {
    const st = run.result.statuses;
    await writePlot(opts.plot, `${workload.spec}: VmPTE and VmRSS at each status line`, statusAxis(st.length), [statusSeries(reclaim.label, st)], io.cwd, io.err);
  }
  return EXIT_OK;
}

export function runJson(reclaim: Reclaim, run: SimRun): RunJson {
  const { lines, statuses, final } = run.result;
  return { reclaim: reclaim.name, lines, statuses, final, counters: run.counters };
}

/** A blank line, the header, and the /proc/<pid>/status memory lines. */
function procBlock(reclaim: Reclaim, run: SimRun): string {
  return `\n/proc/${run.pid}/status (reclaim: ${reclaim.label}):\n${run.result.proc_status}\ncounters:\n${render_counters(run.counters)}`;
}

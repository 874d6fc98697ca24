/**
 * `mmsim compare <workload>`: run a script once per reclaim choice (a fresh
 * engine each) and show VIRT/RES/VmPTE at its first and last status line.
 */
import type { StatusLine } from "@mmsim/core/workload";
import { CliError, EXIT_FAILURE, EXIT_OK } from "../errors.js";
import { formatKb, renderTable, type SizeUnits } from "../format.js";
import type { Io } from "../io.js";
import { PluginRunError } from "../plugin-guard.js";
import { defaultReclaims, loadReclaims, type Reclaim, type ReclaimSpec } from "../plugins.js";
import type { ArchName } from "../arch-names.js";
import { loadArch } from "../arch-load.js";
import type { SimRun } from "../run-engine.js";
import { loadWorkload, type Workload } from "../workload.js";
import { checkKept, execute } from "./execute.js";
import { statusAxis, statusSeries, writePlot } from "../plot-file.js";

export interface CompareCommandOptions {
  /** Absent: none plus every installed plugin. */
  reclaim?: ReclaimSpec[];
  json?: boolean;
  arch: ArchName;
  /** Label sizes MiB, GiB, TiB (--iec). */
  iec?: boolean;
  /** `--plot FILE.svg`: also draw VmPTE and VmRSS over the status lines, one line per design. */
  plot?: string;
}

/** Absolute sizes in kB. */
export interface Sizes {
  VmSize: number;
  VmRSS: number;
  VmPTE: number;
}

/** One element of what `compare --json` prints. */
export interface CompareRow {
  reclaim: string | null;
  before: Sizes;
  after: Sizes;
}

/** A plugin whose hook threw: the others' results are kept, this one is marked. */
export interface CompareFailure {
  reclaim: string | null;
  error: string;
}

interface Labels {
  before: string;
  after: string;
}

export async function compareCommand(target: string, opts: CompareCommandOptions, io: Io): Promise<number> {
  const workload = await loadWorkload(target, io.cwd);
  if (workload.statuses < 2) {
    throw new CliError(`compare needs at least 2 status lines (before and after); ${target} prints ${workload.statuses}`);
  }
  const reclaims = opts.reclaim ? await loadReclaims(opts.reclaim, io.cwd, (line) => io.err(line + "\n")) : await defaultReclaims();
  const arch = await loadArch(opts.arch);
  const json = opts.json === true;
  if (opts.plot !== undefined) checkKept(workload, "--plot");
  // The table and --json need the first and last status line only; --plot all of them.
  const keep = opts.plot !== undefined ? "statuses" : "ends";
  const runs = reclaims.map((r, i) => {
    try {
      return execute(workload, r, io, { arch, printLines: false, quiet: json, label: `${r.label} (${i + 1}/${reclaims.length})`, keep });
    } catch (e) {
      if (e instanceof PluginRunError) return e; // the plugin's error (a hook threw, or a kernel rule it broke): keep the others' results
      throw e;
    }
  });
  const ok = runs.filter((r): r is SimRun => !(r instanceof PluginRunError));
  if (ok.length === 0) throw runs[0];
  const rows = runs.map((run, i) => (run instanceof PluginRunError ? { reclaim: reclaims[i].name, error: run.message } : compareRow(reclaims[i], run)));
  io.out(json ? JSON.stringify(rows, null, 2) + "\n" : renderCompare(workload, labelsOf(ok[0]), reclaims, rows, opts.iec ? "iec" : "legacy"));
  if (opts.plot !== undefined) {
    // The designs that finished: one whose hook threw has no figures to draw.
    const drawn = runs.flatMap((run, i) => (run instanceof PluginRunError ? [] : [statusSeries(reclaims[i].label, run.result.statuses)]));
    await writePlot(opts.plot, `${workload.spec}: VmPTE and VmRSS at each status line`, statusAxis(ok[0].result.statuses.length), drawn, io.cwd, io.err);
  }
  return ok.length === runs.length ? EXIT_OK : EXIT_FAILURE;
}

const sizes = (s: StatusLine): Sizes => ({ VmSize: s.VmSize, VmRSS: s.VmRSS, VmPTE: s.VmPTE });

export function compareRow(reclaim: Reclaim, run: SimRun): CompareRow {
  const st = run.result.statuses;
  return { reclaim: reclaim.name, before: sizes(st[0]), after: sizes(st[st.length - 1]) };
}

function labelsOf(run: SimRun): Labels {
  const st = run.result.statuses;
  return { before: st[0].label, after: st[st.length - 1].label };
}

const ROWS: readonly { title: string; key: keyof Sizes }[] = [
  { title: "VIRT (VmSize)", key: "VmSize" },
  { title: "RES (VmRSS)", key: "VmRSS" },
  { title: "VmPTE", key: "VmPTE" },
];

/** The side-by-side table: per reclaim a before and an after column, groups set apart by a spacer column. */
export function renderCompare(w: Workload, labels: Labels, reclaims: readonly Reclaim[], rows: readonly (CompareRow | CompareFailure)[], units: SizeUnits = "legacy"): string {
  const group = <T>(f: (row: CompareRow | CompareFailure, i: number) => T[]) => rows.flatMap((row, i) => [...(i ? [""] : []), ...f(row, i)]);
  const table = [
    ["", ...group((_, i) => [reclaims[i].label, ""])],
    ["", ...group(() => ["before", "after"])],
    ...ROWS.map(({ title, key }) => [title, ...group((row) => ("error" in row ? ["failed", "failed"] : [formatKb(row.before[key], units), formatKb(row.after[key], units)]))]),
  ];
  const title = `${w.spec}: before = first status line '${labels.before}', after = last status line '${labels.after}'`;
  const failures = rows.flatMap((row, i) => ("error" in row ? [`${reclaims[i].label} failed: ${row.error}\n`] : []));
  return `${title}\n\n${renderTable(table)}${failures.length ? "\n" + failures.join("") : ""}`;
}

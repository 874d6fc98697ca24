/**
 * `mmsim replay <trace>`: replay a recorded program (@mmsim/trace) once per
 * reclaim plugin and print the final /proc/<pid>/status figures of the
 * selected process under each, with what the replay had to approximate. The
 * replay is the library's; this file reads the files and formats.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ProcStatus } from "@mmsim/core";
import { checkTrace, errorPct, parseTrace, TraceFormatError, readTrace, ReplayError, replayTrace, TraceSyntaxError, type ImageCounts, type ParsedTrace, type ReplayResult } from "@mmsim/trace";
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, messageOf } from "../errors.js";
import { count, formatKb, renderTable, type SizeUnits } from "../format.js";
import { guardPlugin } from "../plugin-guard.js";
import { createProgress } from "../progress.js";
import { fsReason } from "../workload.js";
import { defaultReclaims, loadReclaims, parseReclaimList, type Reclaim, type ReclaimSpec } from "../plugins.js";
import { ARCH_NAMES, archOf, type ArchName } from "../simulate.js";
import { writePlot } from "../plot-file.js";
import { ReplaySampler, traceAxis } from "../replay-samples.js";

export interface ReplayCommandOptions {
  /** Reclaim plugins (parsed list, or the comma-separated text); default: none and every installed plugin. */
  reclaim?: ReclaimSpec[] | string;
  /** The process to report (default: the first that exec'd, else the first seen). */
  pid?: number | string;
  json?: boolean;
  /** Abort at the first malformed line. */
  strict?: boolean;
  arch?: ArchName;
  thp?: "always" | "madvise" | "never";
  /** A JSON file with the program's own final { VmSize, VmRSS, VmPTE } (kB) to compare against. */
  expected?: string;
  /** Label sizes MiB, GiB, TiB. */
  iec?: boolean;
  /** `--plot FILE.svg`: also draw the selected process's VmPTE and VmRSS over the trace's time, one line per plugin. */
  plot?: string;
}

export interface ReplayIo {
  out(s: string): void;
  err(s: string): void;
  cwd?: string;
  /** A terminal for the progress bar (the CLI's Io has one when stderr is a terminal). */
  progress?: NodeJS.WritableStream | null;
}

/** The recorded figures a program printed (@mmsim/trace's trace-tools/alloc-churn.c writes them). */
export interface ExpectedStatus {
  VmSize?: number;
  VmRSS?: number;
  VmPTE: number;
}

export interface ReplayRow {
  reclaim: string | null;
  label: string;
  status: ProcStatus;
  /** (predicted - recorded) / recorded VmPTE, in percent, when --expected was given. */
  vmPteErrorPct?: number;
  processes: { pid: number; comm: string; origin: string; VmSize: number; VmRSS: number; VmPTE: number }[];
  /** The selected process's replay counts under this plugin (the simulation's share of them can differ per plugin). */
  summary: ImageCounts;
  /** Events the simulation threw on under this plugin (every process): how many, and the first as `line N: message`. */
  simErrors: ReplayResult["simErrors"];
}

/** What `mmsim replay --json` prints. */
export interface ReplayJson {
  trace: string;
  pid: number;
  comm: string;
  expected: ExpectedStatus | null;
  results: ReplayRow[];
  /** The selected process's replay counts (from the first plugin's run; the trace decides them, not the plugin). */
  summary: ImageCounts;
  global: ReplayResult["global"];
  malformed: ParsedTrace["malformed"];
  warnings: string[];
  notes: string[];
  notesTotal: number;
}

/** `path` read and checked; `shown` (default `path`) is how messages name it: as the user gave it. */
export function readExpected(path: string, shown: string = path): ExpectedStatus {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`--expected ${shown}: cannot read it: ${fsReason(e)}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--expected ${shown}: not valid JSON: ${messageOf(e)}`);
  }
  if (typeof v !== "object" || v === null || typeof (v as ExpectedStatus).VmPTE !== "number") throw new CliError(`--expected ${shown}: no numeric VmPTE`);
  return v as ExpectedStatus;
}

function parsePid(pid: number | string | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const n = typeof pid === "number" ? pid : Number(pid);
  if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`--pid ${pid}: not a process id`, EXIT_USAGE);
  return n;
}

export async function replayCommand(path: string, opts: ReplayCommandOptions, io: ReplayIo): Promise<number> {
  try {
    return await replayMain(path, opts, io);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    io.err(`error: ${e.message}\n`);
    return e.exitCode;
  }
}

async function replayMain(path: string, opts: ReplayCommandOptions, io: ReplayIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const file = resolve(cwd, path);
  const arch = opts.arch ?? "x86_64";
  if (!ARCH_NAMES.includes(arch)) throw new CliError(`--arch ${arch}: one of ${ARCH_NAMES.join(", ")}`, EXIT_USAGE);
  const pid = parsePid(opts.pid);
  const specs = typeof opts.reclaim === "string" ? parseReclaimList(opts.reclaim) : opts.reclaim;
  const reclaims = specs ? await loadReclaims(specs, cwd, (line) => io.err(line + "\n")) : await defaultReclaims();
  const expected = opts.expected ? readExpected(resolve(cwd, opts.expected), opts.expected) : null;

  let text: string;
  try {
    text = readTrace(file, path);
  } catch (e) {
    throw new CliError(`cannot read trace ${path}: ${fsReason(e)}`);
  }
  let trace: ParsedTrace;
  try {
    trace = parseTrace(text, { strict: opts.strict });
  } catch (e) {
    if (e instanceof TraceSyntaxError) throw new CliError(`${path}: ${e.message} (--strict)`);
    throw e;
  }
  if (trace.events.length === 0) throw new CliError(`${path}: no trace events (is it perf script output of \`mmsim record\`?)`);
  // Out of time order, or other tracepoints: refused, not replayed into zeros.
  try {
    checkTrace(trace);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }

  const runs: ReplayResult[] = [];
  const axis = opts.plot !== undefined ? traceAxis(trace.events) : null;
  const samplers: ReplaySampler[] = [];
  for (const [i, r] of reclaims.entries()) {
    // Which run of how many, on stderr when it is a terminal and the replay takes more than a second.
    const progress = createProgress(opts.json ? null : (io.progress ?? null), { label: `${r.label} (${i + 1}/${reclaims.length})` });
    try {
      // Guarded: a hook that throws is counted as that plugin's simulation error, naming the plugin and hook.
      const sampler = axis ? new ReplaySampler(trace.events.length, axis.timed) : null;
      if (sampler) samplers.push(sampler);
      runs.push(
        replayTrace(trace, { reclaim: guardPlugin(r.create()), arch: archOf(arch), thp: opts.thp, pid, onProgress: (done, total) => progress.update(done, total), onEvent: sampler?.onEvent }),
      );
    } catch (e) {
      if (e instanceof ReplayError) throw new CliError(`${path}: ${e.message}`);
      throw e;
    } finally {
      progress.stop();
    }
  }
  const rows = runs.map((run, i) => rowOf(reclaims[i], run, expected));
  const first = runs[0];
  const t = first.target;
  if (opts.json) {
    const json: ReplayJson = {
      trace: path,
      pid: t.pid,
      comm: t.comm,
      expected,
      results: rows,
      summary: t.counts,
      global: first.global,
      malformed: trace.malformed,
      warnings: first.warnings,
      notes: first.notes,
      notesTotal: first.notesTotal,
    };
    io.out(JSON.stringify(json, null, 2) + "\n");
  } else {
    io.out(renderReplay(path, runs, rows, expected, opts.iec ? "iec" : "legacy"));
  }
  if (opts.plot !== undefined && axis) {
    const series = runs.map((run, i) => samplers[i].series(reclaims[i].label, run.target.pid, run.target.status, axis.lastX));
    await writePlot(opts.plot, `${path}: VmPTE and VmRSS of ${t.comm} (pid ${t.pid})`, axis.title, series, cwd, (s) => io.err(s));
  }
  for (const w of first.warnings) io.err(`warning: ${w}\n`);
  // Every plugin's simulation errors: a replay that threw is not a prediction (exit 1).
  const failed = rows.filter((r) => r.simErrors.total > 0);
  for (const r of failed) io.err(`error: ${r.label}: ${count(r.simErrors.total, "simulation error")}; first: ${r.simErrors.first[0]}\n`);
  return failed.length ? EXIT_FAILURE : EXIT_OK;
}

function rowOf(reclaim: Reclaim, run: ReplayResult, expected: ExpectedStatus | null): ReplayRow {
  const s = run.target.status;
  return {
    reclaim: reclaim.name,
    label: reclaim.label,
    status: s,
    ...(expected ? { vmPteErrorPct: errorPct(s.VmPTE, expected.VmPTE) } : {}),
    processes: run.images.map((i) => ({ pid: i.pid, comm: i.comm, origin: i.origin, VmSize: i.status.VmSize, VmRSS: i.status.VmRSS, VmPTE: i.status.VmPTE })),
    summary: run.target.counts,
    simErrors: run.simErrors,
  };
}

const list = (r: Record<string, number>) => {
  const e = Object.entries(r);
  return e.length ? e.map(([k, v]) => `${k} ${v}`).join(", ") : "none";
};

/** Every replay count of one process image, as text lines (zeros included: nothing is dropped silently). */
export function renderSummary(c: ImageCounts, g: ReplayResult["global"]): string {
  const f = c.faults;
  const sys = Object.entries(c.syscalls);
  const failed = sys.filter(([, s]) => s.failedInTrace).map(([n, s]) => `${n} ${s.failedInTrace}`);
  const differs = sys.filter(([, s]) => s.simDiffers).map(([n, s]) => `${n} ${s.simDiffers}`);
  const rows: [string, string][] = [
    ["page faults", `${f.total} (user ${f.user}, kernel-mode ${f.kernel}); replayed ${f.replayed} (including ${f.carriedAcrossExec} carried across exec)`],
    ["  outside every VMA", `${f.outsideVma} -> ${c.synthesized.mappings} synthesized anonymous mappings (${c.synthesized.kb} kB)`],
    ["  not replayed", `kernel addresses ${f.kernelAddress}, below mmap_min_addr ${f.belowMinAddr}`],
    ["  refused by simulation", `writes replayed as reads ${f.writeAsRead}, signalled ${f.signalled}`],
    ["syscalls (replayed/calls)", sys.length ? sys.map(([n, s]) => `${n} ${s.replayed}/${s.calls}`).join(", ") : "none"],
    ["  failed in the trace", failed.length ? failed.join(", ") : "none"],
    ["  simulation differs", differs.length ? differs.join(", ") : "none"],
    ["anonymous mmaps", `${c.mmap.anonymousPrivate} private, ${c.mmap.anonymousShared} shared`],
    ["file mmaps approximated", `${c.mmap.filePrivate} private, ${c.mmap.fileShared} shared (${c.mmap.fileKb} kB) as anonymous`],
    ["populate emulated", `MAP_POPULATE/MAP_LOCKED ${c.mmap.populated}, MADV_POPULATE_* ${c.advicePopulated}; MAP_HUGETLB as 4K pages ${c.mmap.hugetlb}`],
    ["mremap approximated", `${c.mremap.inPlace} in place, ${c.mremap.moved} moved (${c.mremap.pagesMoved} pages re-faulted)`],
    ["brk heap", `${c.brk.grows} grows, ${c.brk.shrinks} shrinks, ${c.brk.unchanged} unchanged`],
    ["madvise", list(c.advice)],
    ["  advice not simulated", list(c.adviceIgnored)],
    ["holes mapped for syscalls", `${c.synthesized.holes} (${c.synthesized.holesKb} kB)`],
    ["placement conflicts", `${c.placementConflicts} over synthesized mappings, ${c.overlapsTraced} over traced ones (that part unmapped first)`],
    ["unpaired syscall events", `${c.unpaired.enters} enters, ${c.unpaired.exits} exits`],
    ["unknown syscalls", list(c.unknownSyscalls)],
    ["events after exit", `${c.eventsAfterExit}; simulation errors ${c.simErrors}`],
    ["trace", `${g.lines} lines, ${g.events} events, ${g.malformed} malformed lines, ${g.lost.events} lost events (${g.lost.records} records${g.lost.chunks ? `, ${g.lost.chunks} chunks` : ""})`],
    ["  lines without events", list(g.skipped)],
    ["  unknown tracepoints", list(g.unknownEvents)],
  ];
  return renderTable(rows.map(([k, v]) => [k, v]), 2);
}

const ROWS: readonly { title: string; key: "VmSize" | "VmRSS" | "VmPTE" }[] = [
  { title: "VIRT (VmSize)", key: "VmSize" },
  { title: "RES (VmRSS)", key: "VmRSS" },
  { title: "VmPTE", key: "VmPTE" },
];

export function renderReplay(path: string, runs: readonly ReplayResult[], rows: readonly ReplayRow[], expected: ExpectedStatus | null, units: SizeUnits = "legacy"): string {
  const first = runs[0];
  const t = first.target;
  const images = first.images;
  const how = t.origin === "exec" ? `exec of ${t.filename} at line ${t.firstLine}` : t.origin === "fork" ? `fork of ${t.parent} at line ${t.firstLine}` : `first seen at line ${t.firstLine}`;
  const end = t.exited ? `exited at line ${t.lastLine}` : "still running at the end of the trace";
  let out = `${path}: ${count(first.global.lines, "line")}, ${count(first.global.events, "event")}, ${count(images.length, "process image")}\n`;
  out += `process ${t.pid} (${t.comm}): ${how}, ${end}; final figures:\n\n`;
  const header = ["", ...rows.map((r) => r.label), ...(expected ? ["recorded"] : [])];
  const table = ROWS.map(({ title, key }) => [title, ...rows.map((r) => formatKb(r.status[key], units)), ...(expected ? [expected[key] === undefined ? "-" : formatKb(expected[key]!, units)] : [])]);
  if (expected) table.push(["VmPTE error", ...rows.map((r) => `${(r.vmPteErrorPct ?? 0) >= 0 ? "+" : ""}${(r.vmPteErrorPct ?? 0).toFixed(1)}%`), ""]);
  out += renderTable([header, ...table]) + "\n";
  // The summary once when every plugin's is the same (the trace decides most of it), else one per plugin.
  const summaries = runs.map((r) => renderSummary(r.target.counts, r.global));
  if (summaries.every((s) => s === summaries[0])) out += `replay of process ${t.pid}'s last image:\n` + indent(summaries[0]);
  else out += rows.map((r, i) => `${i ? "\n" : ""}replay of process ${t.pid}'s last image (${r.label}):\n` + indent(summaries[i])).join("");
  const others = images.filter((i) => i !== t);
  if (others.length) {
    out += `\nother process images (${rows[0].label}):\n`;
    out += indent(renderTable(others.map((i) => [`${i.pid} ${i.comm}`, i.origin, `VmPTE ${i.status.VmPTE} kB`, `faults ${i.counts.faults.total}`])));
  }
  if (first.notesTotal) {
    out += `\nsimulation vs trace, all processes (${first.notesTotal}${first.notesTotal > first.notes.length ? `, first ${first.notes.length}` : ""}):\n`;
    out += first.notes.map((n) => `  ${n}\n`).join("");
  }
  for (const r of rows.filter((x) => x.simErrors.total > 0)) {
    out += `\nsimulation errors under ${r.label} (${r.simErrors.total}${r.simErrors.total > r.simErrors.first.length ? `, first ${r.simErrors.first.length}` : ""}):\n`;
    out += r.simErrors.first.map((n) => `  ${n}\n`).join("");
  }
  return out;
}

const indent = (s: string) =>
  s
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");

/**
 * replayTrace(): one replay of a trace with one reclaim plugin, and what it
 * returns: the selected process's final /proc/<pid>/status figures, its
 * summary (every replay count), every process image, the trace's global counts,
 * the warnings (lost events, malformed lines, threads that cannot be told from
 * processes) and the first places where the simulation and the trace differ.
 */
import type { ProcStatus } from "@mmsim/core";
import type { ImageCounts } from "./counts.js";
import type { ParsedTrace, ParseOptions, TraceEvent } from "./events.js";
import type { ImageInfo } from "./image.js";
import { parseTrace } from "./parse.js";
import { Replayer, type ReplayOptions } from "./replay.js";

export interface ReplayResult {
  /** The selected process's final figures (its last image's status: at its exit event, or at the end of the trace). */
  figures: ProcStatus;
  /** The selected process's replay counts: what was replayed, approximated, refused or skipped. */
  summary: ImageCounts;
  /** The selected process's last image (`figures` and `summary` are its status and counts). */
  target: ImageInfo;
  /** Every image of every process, in the order they began. */
  images: ImageInfo[];
  /** The reclaim plugin's name, or null. */
  reclaim: string | null;
  global: {
    lines: number;
    events: number;
    malformed: number;
    lost: { events: number; records: number; chunks: number };
    skipped: Record<string, number>;
    /** Tracepoints the replay does not know, by name. */
    unknownEvents: Record<string, number>;
  };
  /** Human-readable warnings (lost events, malformed lines, ...). */
  warnings: string[];
  /** The first differences between the simulator and the trace, with their trace lines. */
  notes: string[];
  /** How many notes there were in all (`notes` keeps the first 50). */
  notesTotal: number;
  /**
   * Events the simulation threw on, in every process (a plugin hook's error, a
   * model gap): how many, and the first 10 as `line N: message`. A replay with
   * any is not a prediction to trust: the CLI exits non-zero.
   */
  simErrors: { total: number; first: string[] };
}

/** The trace as parsed: text is parsed (with `strict`), events are taken as a trace without malformed lines or lost events. */
function toParsed(input: string | ParsedTrace | readonly TraceEvent[], opts: ParseOptions): ParsedTrace {
  if (typeof input === "string") return parseTrace(input, opts);
  if (Array.isArray(input)) {
    const events = input as readonly TraceEvent[];
    const lost = events.filter((e) => e.kind === "lost");
    return {
      events: [...events],
      malformed: [],
      lost: { events: lost.reduce((n, e) => n + (e.kind === "lost" ? e.count : 0), 0), records: lost.length, chunks: 0 },
      skipped: {},
      lines: events.reduce((n, e) => Math.max(n, e.line), 0),
    };
  }
  return input as ParsedTrace;
}

function warningsOf(trace: ParsedTrace): string[] {
  const warnings: string[] = [];
  const lost = trace.lost;
  if (lost.events || lost.records || lost.chunks) {
    warnings.push(
      `perf lost ${lost.events} events (${lost.records} lost records${lost.chunks ? `, ${lost.chunks} chunks` : ""}): the replay misses them, so faults and syscalls are missing or unpaired; re-record with a larger buffer (perf record -m)`,
    );
  }
  if (trace.events.some((e) => e.kind === "fork") && trace.events.some((e) => e.kind !== "lost" && e.pid === null)) {
    warnings.push(
      "the trace has no PID/ before the TIDs (perf script's default fields): threads cannot be told from processes, so each thread is replayed as a process of its own; record with `mmsim record` (perf script -F comm,pid,tid,cpu,time,event,trace)",
    );
  }
  if (trace.malformed.length) {
    const first = trace.malformed.slice(0, 3).map((m) => `line ${m.line}: ${m.reason}`);
    warnings.push(`${trace.malformed.length} malformed line(s) skipped (${first.join("; ")}${trace.malformed.length > 3 ? "; ..." : ""})`);
  }
  return warnings;
}

/**
 * Replays a trace (perf script text, a parsed trace, or its events) into a
 * simulated machine with one reclaim plugin. Throws TraceSyntaxError (text
 * with `strict`) or ReplayError (no process, or `pid` not in the trace).
 */
export function replayTrace(input: string | ParsedTrace | readonly TraceEvent[], opts: ReplayOptions = {}): ReplayResult {
  const trace = toParsed(input, opts);
  const r = new Replayer(trace, opts);
  r.run();
  const target = r.target().info();
  return {
    figures: target.status,
    summary: target.counts,
    target,
    images: r.images.map((i) => (i.pid === target.pid && i.firstLine === target.firstLine ? target : i.info())),
    reclaim: opts.reclaim?.name ?? null,
    global: {
      lines: trace.lines,
      events: trace.events.length,
      malformed: trace.malformed.length,
      lost: { ...trace.lost },
      skipped: { ...trace.skipped },
      unknownEvents: r.unknownEvents,
    },
    warnings: warningsOf(trace),
    notes: r.notes,
    notesTotal: r.notesTotal,
    simErrors: { total: r.simErrorsTotal, first: r.simErrors },
  };
}

/** replayTrace() of perf script text (kept for the callers of the CLI's former API). */
export function replayText(text: string, opts: ReplayOptions = {}): ReplayResult {
  return replayTrace(text, opts);
}

/** (predicted - recorded) / recorded, in percent (Infinity when only the recorded value is 0). */
export const errorPct = (predicted: number, recorded: number) => (recorded === 0 ? (predicted === 0 ? 0 : Infinity) : ((predicted - recorded) / recorded) * 100);

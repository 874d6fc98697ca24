/**
 * Samples of a trace replay for `mmsim replay --plot`: the VmPTE and VmRSS of
 * every process seen so far, at about MAX_PLOT_POINTS evenly spaced events of
 * the trace (by event count) and at its end; the plot then keeps the selected
 * process's. x is the event's trace time (seconds from the first timed event),
 * or its number when perf printed no times.
 */
import type { ProcStatus } from "@mmsim/core";
import type { PlotPoint, PlotSeries } from "@mmsim/plot";
import type { TraceEvent } from "@mmsim/trace";
import { MAX_PLOT_POINTS } from "./plot-file.js";

export class ReplaySampler {
  private readonly every: number;
  private n = 0;
  private t0: number | null = null;
  private readonly seen = new Set<number>();
  /** Per pid, its samples in trace order. */
  private readonly samples = new Map<number, PlotPoint[]>();

  constructor(
    events: number,
    private readonly timed: boolean,
  ) {
    this.every = Math.max(1, Math.ceil(events / MAX_PLOT_POINTS));
  }

  /** The ReplayOptions.onEvent hook. */
  readonly onEvent = (e: TraceEvent, statusOf: (pid: number) => ProcStatus | undefined): void => {
    this.seen.add(e.pid ?? e.tid);
    if (e.time !== null) this.t0 ??= e.time;
    const n = this.n++;
    if (n % this.every !== 0) return;
    const x = this.timed ? (e.time ?? this.t0 ?? 0) - (this.t0 ?? 0) : n + 1;
    for (const pid of this.seen) {
      const s = statusOf(pid);
      if (s === undefined) continue;
      let l = this.samples.get(pid);
      if (!l) this.samples.set(pid, (l = []));
      l.push({ x: Math.round(x * 1e6) / 1e6, VmPTE: s.VmPTE, VmRSS: s.VmRSS });
    }
  };

  /** The series of `pid`, ending with its final figures at the trace's last time. */
  series(name: string, pid: number, final: ProcStatus, lastX: number): PlotSeries {
    const points = [...(this.samples.get(pid) ?? [])];
    if (points.at(-1)?.x !== lastX) points.push({ x: lastX, VmPTE: final.VmPTE, VmRSS: final.VmRSS });
    else points[points.length - 1] = { x: lastX, VmPTE: final.VmPTE, VmRSS: final.VmRSS };
    return { name, points };
  }
}

/** Whether the trace's events carry times, and the x of its last event. */
export function traceAxis(events: readonly TraceEvent[]): { timed: boolean; lastX: number; title: string } {
  const times = events.filter((e) => e.time !== null).map((e) => e.time as number);
  if (times.length === 0) return { timed: false, lastX: events.length, title: "trace event (no times in the trace)" };
  return { timed: true, lastX: Math.round((times[times.length - 1] - times[0]) * 1e6) / 1e6, title: "trace time (s, from the first event)" };
}

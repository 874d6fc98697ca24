/**
 * The Vega-Lite specification of an mmsim chart: two panels, VmPTE above and
 * VmRSS below, each with one line per series (a reclaim design), over a shared
 * x axis (a workload's status points, or a trace's time). Pure: the same input
 * gives the same specification, which render.ts turns into SVG.
 */
import type { TopLevelSpec } from "vega-lite";

/** One sample: the process's VmPTE and VmRSS (kB, as /proc/<pid>/status prints them) at `x`. */
export interface PlotPoint {
  /** A status point's label (the axis keeps the order given) or a time in seconds. */
  readonly x: string | number;
  readonly VmPTE: number;
  readonly VmRSS: number;
}

/** One line per panel: a reclaim design's samples. */
export interface PlotSeries {
  readonly name: string;
  readonly points: readonly PlotPoint[];
}

export interface PlotInput {
  readonly title: string;
  /** The x axis's title, e.g. "status point" or "trace time (s)". */
  readonly xTitle: string;
  readonly series: readonly PlotSeries[];
  /** Width of a panel's plotting area in pixels (default 640). */
  readonly width?: number;
}

export const METRICS = ["VmPTE", "VmRSS"] as const;
export type Metric = (typeof METRICS)[number];

/** The unit a panel shows its values in: kB up to 10 MiB, then MiB, then GiB (binary, as /proc's kB are KiB). */
export function unitFor(maxKb: number): { name: "kB" | "MiB" | "GiB"; divisor: number } {
  if (maxKb >= 10 * 1024 * 1024) return { name: "GiB", divisor: 1024 * 1024 };
  if (maxKb >= 10 * 1024) return { name: "MiB", divisor: 1024 };
  return { name: "kB", divisor: 1 };
}

/** Refuses input that cannot be drawn: no series, mixed x kinds, non-finite values. */
export function checkInput(input: PlotInput): void {
  if (input === null || typeof input !== "object") throw new PlotInputError(`input: ${String(input)} is not { title, xTitle, series: [...] }`);
  if (!Array.isArray(input.series as unknown)) throw new PlotInputError("input: series is not an array");
  const w: unknown = input.width;
  if (w !== undefined && !(typeof w === "number" && Number.isInteger(w) && w >= 1 && w <= MAX_WIDTH))
    throw new PlotInputError(`input: width ${typeof w === "string" ? JSON.stringify(w) : String(w)} is not a number of pixels (an integer from 1 to ${MAX_WIDTH})`);
  xmlText("title", input.title);
  xmlText("xTitle", input.xTitle);
  input.series.forEach((s, i) => {
    if (typeof s?.name !== "string") throw new PlotInputError(`series ${i}: name ${String(s?.name)} is not a string`);
    xmlText(`series ${i}: name`, s.name);
    if (!Array.isArray(s.points as unknown)) throw new PlotInputError(`series '${s.name}': points is not an array`);
    for (const p of s.points) {
      const x: unknown = p?.x;
      if (typeof x === "string") xmlText(`series '${s.name}': x=`, x, "");
      else if (typeof x !== "number" || !Number.isFinite(x)) throw new PlotInputError(`series '${s.name}': x=${typeof x === "number" ? String(x) : JSON.stringify(x) ?? String(x)} is neither a label nor a finite number`);
    }
  });
  if (input.series.length === 0) throw new PlotInputError("nothing to plot: no series");
  const kinds = new Set(input.series.flatMap((s) => s.points.map((p) => typeof p.x)));
  if (kinds.size > 1) throw new PlotInputError("x values mix labels and numbers");
  for (const s of input.series)
    for (const p of s.points)
      for (const m of METRICS)
        if (!Number.isFinite(p[m]) || p[m] < 0) throw new PlotInputError(`series '${s.name}': ${m} at x=${String(p.x)} is ${String(p[m])}, not a size in kB`);
}

/** The widest panel PlotInput.width may ask for, in pixels. */
export const MAX_WIDTH = 100000;

/** Whether `v` holds a C0 control XML 1.0 forbids (tab, line feed and carriage return are allowed), or U+FFFE/U+FFFF. */
function notXml(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) return true;
  }
  return false;
}

/** A text that goes into the SVG: a string (or absent, for the optional titles) that XML 1.0 can hold. */
function xmlText(what: string, v: unknown, sep = " "): void {
  if (v === undefined) return;
  if (typeof v !== "string") throw new PlotInputError(`${what}${sep}${String(v)} is not a string`);
  if (notXml(v)) throw new PlotInputError(`${what}${sep}${JSON.stringify(v)} holds a control character an SVG (XML 1.0) cannot hold`);
}

export class PlotInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlotInputError";
  }
}

/** The Vega-Lite specification for `input` (checked by checkInput()). */
export function plotSpec(input: PlotInput): TopLevelSpec {
  checkInput(input);
  const ordinal = input.series.some((s) => s.points.some((p) => typeof p.x === "string"));
  // The order of the labels: as first met, series by series (status points share labels across designs).
  const order: string[] = [];
  if (ordinal) for (const s of input.series) for (const p of s.points) if (!order.includes(String(p.x))) order.push(String(p.x));
  const designs = input.series.map((s) => s.name);
  const panel = (metric: Metric) => {
    const max = Math.max(0, ...input.series.flatMap((s) => s.points.map((p) => p[metric])));
    const unit = unitFor(max);
    const values = input.series.flatMap((s) => s.points.map((p) => ({ design: s.name, x: p.x, value: p[metric] / unit.divisor })));
    return {
      title: { text: `${metric} (${unit.name})`, anchor: "start" as const, fontSize: 12 },
      width: input.width ?? 640,
      height: 180,
      data: { values },
      mark: { type: "line" as const, point: values.length <= 400, strokeWidth: 1.5 },
      encoding: {
        x: ordinal
          ? { field: "x", type: "ordinal" as const, sort: order, title: input.xTitle, axis: { labelAngle: -30, labelLimit: 120 } }
          : { field: "x", type: "quantitative" as const, title: input.xTitle },
        y: { field: "value", type: "quantitative" as const, title: unit.name, axis: { format: ",~f" } },
        color: { field: "design", type: "nominal" as const, title: "design", sort: designs },
        strokeDash: { field: "design", type: "nominal" as const, sort: designs, title: "design" },
      },
    };
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: input.title, anchor: "start", fontSize: 14 },
    background: "white",
    padding: 8,
    config: { font: "sans-serif", legend: { orient: "right" } },
    vconcat: METRICS.map(panel),
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
  } as TopLevelSpec;
}

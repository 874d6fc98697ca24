/**
 * `--plot FILE.svg` of run, compare and replay: the series those commands
 * measured, drawn by @mmsim/plot and written to FILE.svg (same bytes for the
 * same run). This file only shapes the data and writes the file.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { PlotPoint, PlotSeries } from "@mmsim/plot";
import { CliError } from "./errors.js";
import { fsReason } from "./fs-reason.js"; // not ./workload.js: that loads @mmsim/core/workload

/** Most samples drawn per series: beyond it, every k-th is kept (and the last). */
export const MAX_PLOT_POINTS = 2000;
/** Up to this many status points the axis shows their labels; beyond, their numbers. */
const MAX_LABELLED_POINTS = 40;

/** Every k-th of `points` and the last, so at most MAX_PLOT_POINTS. */
export function thin<T>(points: readonly T[]): { points: T[]; every: number } {
  const every = Math.max(1, Math.ceil(points.length / MAX_PLOT_POINTS));
  if (every === 1) return { points: [...points], every };
  const kept = points.filter((_, i) => i % every === 0);
  if ((points.length - 1) % every !== 0) kept.push(points[points.length - 1]);
  return { points: kept, every };
}

interface Status {
  readonly label: string;
  readonly VmPTE: number;
  readonly VmRSS: number;
}

/** One design's status lines as a series: x is `n label` (few points) or n (many), n counted from 1. */
export function statusSeries(name: string, statuses: readonly Status[]): PlotSeries {
  const labelled = statuses.length <= MAX_LABELLED_POINTS;
  const numbered = statuses.map((s, i): PlotPoint => ({ x: labelled ? `${i + 1} ${s.label}` : i + 1, VmPTE: s.VmPTE, VmRSS: s.VmRSS }));
  return { name, points: thin(numbered).points };
}

/** The x axis's title for status series of `n` points. */
export function statusAxis(n: number): string {
  const every = thin(Array.from({ length: n })).every;
  return `status line (in the script's order${every > 1 ? `; every ${every}th of ${n}` : ""})`;
}

/** Draws the chart and writes it; `io.err` gets one line saying where. */
export async function writePlot(file: string, title: string, xTitle: string, series: readonly PlotSeries[], cwd: string, err: (s: string) => void): Promise<void> {
  if (series.every((s) => s.points.length === 0)) throw new CliError(`--plot ${file}: nothing to plot: the workload prints no status line`);
  // Loaded here, not with the CLI: Vega costs ~0.2 s of start-up that every other command would pay.
  const { plotSvg } = await import("@mmsim/plot");
  const svg = await plotSvg({ title, xTitle, series });
  try {
    writeFileSync(resolve(cwd, file), svg);
  } catch (e) {
    throw new CliError(`--plot ${file}: cannot write it: ${fsReason(e)}`);
  }
  err(`plot: ${file}\n`);
}

/**
 * SVG from a chart's specification, headless: Vega's scenegraph rendered with
 * `renderer: "none"` and serialized by `view.toSVG()` — no browser, no canvas,
 * no native module (text widths are Vega's estimates, the same on every
 * machine). The same input gives the same bytes: the SVG carries no time, no
 * random id, and each call builds and finalizes its own view.
 */
import { parse, View } from "vega";
import { compile } from "vega-lite";
import { plotSpec, type PlotInput } from "./spec.js";

/** The chart of `input` as an SVG document (UTF-8 text ending in a newline). */
export async function plotSvg(input: PlotInput): Promise<string> {
  const vega = compile(plotSpec(input)).spec;
  const view = new View(parse(vega), { renderer: "none", logLevel: 0 });
  try {
    const svg = await view.toSVG();
    return svg.endsWith("\n") ? svg : svg + "\n";
  } finally {
    view.finalize();
  }
}

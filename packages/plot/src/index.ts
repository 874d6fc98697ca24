/**
 * @mmsim/plot — SVG charts of mmsim runs: VmPTE and VmRSS over a workload's
 * status points or a trace's time, one series per reclaim design (Vega-Lite,
 * rendered headless; deterministic bytes). Used by `mmsim run|compare|replay --plot`.
 */
export { plotSvg } from "./render.js";
export { plotSpec, checkInput, unitFor, PlotInputError, METRICS, type PlotInput, type PlotSeries, type PlotPoint, type Metric } from "./spec.js";

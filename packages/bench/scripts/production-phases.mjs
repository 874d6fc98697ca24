#!/usr/bin/env node
/**
 * CPU seconds (user + system, process.cpuUsage) of each phase of the builtin
 * `production` workload at 1/SCALE (issue #10 §4), in this process: from one
 * status line to the next (sparse: the touch of one page per 2 MiB; dropped: the
 * one MADV_DONTNEED; end: the 590 GiB written). ROOT is a checkout whose packages
 * are built, so that two builds can be compared by alternating runs:
 *
 *   node packages/bench/scripts/production-phases.mjs [ROOT=.] [SCALE=16] [DESIGN=pt-reclaim]
 *
 * LINES=1 also prints the status lines (to compare two builds' output).
 */
/* global process, console */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(process.argv[2] ?? ".");
const scale = Number(process.argv[3] ?? 16);
const design = process.argv[4] ?? "pt-reclaim";
const imp = (p) => import(pathToFileURL(`${root}/packages/${p}`).href);
const { x86_64 } = await imp("arch-x86_64/dist/index.js");
const { Engine } = await imp("core/dist/index.js");
const { parseScript, productionScript, runScript } = await imp("core/dist/workload.js");
const { defaultReclaims } = await imp("cli/dist/index.js");
const reclaim = design === "none" ? null : ((await defaultReclaims()).find((r) => r.label === design)?.create() ?? null);
if (design !== "none" && reclaim === null) throw new Error(`no reclaim design '${design}'`);
const script = parseScript(productionScript(scale), `<builtin:production/${scale}>`);
const e = new Engine({ arch: x86_64(), reclaim });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let last = cpu();
const phases = [];
const lines = [];
runScript(script, e.spawn(), {
  onLine: (line) => {
    const c = cpu();
    phases.push(`${line.split(" ")[0]} ${(c - last).toFixed(2)}`);
    lines.push(line);
    last = c;
  },
});
console.log(`${root} ${design} 1/${scale}: CPU s ${phases.join("  ")}`);
if (process.env.LINES) console.log(lines.join("\n"));

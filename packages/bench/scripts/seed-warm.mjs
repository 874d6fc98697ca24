#!/usr/bin/env node
/**
 * CPU seconds (user + system, process.cpuUsage) of the builtin `seed` loop with
 * pt-reclaim (`mmsim run seed --reclaim pt-reclaim`: 25600 × fault in 2 MiB, then
 * MADV_DONTNEED it; 13.1 M faults), RUNS times in this process, each on a fresh
 * Engine: the first run carries the JIT warm-up, the last is the warm loop (issue
 * #10 §4). ROOT is a checkout whose packages are built, so that two builds can be
 * compared by alternating runs:
 *
 *   node packages/bench/scripts/seed-warm.mjs [ROOT=.] [RUNS=4]
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(process.argv[2] ?? ".");
const runs = Number(process.argv[3] ?? 4);
const pkg = (p) => import(pathToFileURL(`${root}/packages/${p}`).href);
const { Engine } = await pkg("core/dist/index.js");
const { runScript, builtinScript } = await pkg("core/dist/workload.js");
const { x86_64 } = await pkg("arch-x86_64/dist/index.js");
const { ptReclaim } = await pkg("reclaim-pt-reclaim/dist/index.js");
const out = [];
for (let r = 0; r < runs; r++) {
  const engine = new Engine({
    arch: x86_64({ levels: 4, paravirt_flush: false }),
    reclaim: ptReclaim(),
  });
  const p = engine.spawn();
  const c0 = process.cpuUsage();
  runScript(builtinScript("seed"), p, {});
  const c = process.cpuUsage(c0);
  out.push(((c.user + c.system) / 1e6).toFixed(3));
}
console.log(`seed loop, pt-reclaim, CPU s per run: ${out.join(" ")}`);

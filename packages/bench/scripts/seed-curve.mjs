#!/usr/bin/env node
/**
 * The JIT warm-up of the builtin `seed` loop with pt-reclaim, chunk by chunk
 * (issue #10 §4): the loop (25,600 × touch 2M + MADV_DONTNEED 2M of a 50G heap)
 * driven through the Process API in a fresh process, printing the mean wall µs
 * per 2 MiB chunk for each EVERY chunks of the first run. A settled chunk costs
 * the last figures; everything above them in the first ones is warm-up. ROOT is
 * a checkout whose packages are built, so that two builds can be compared:
 *
 *   node packages/bench/scripts/seed-curve.mjs [ROOT=.] [EVERY=200]
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(process.argv[2] ?? ".");
const every = Number(process.argv[3] ?? 200);
const pkg = (p) => import(pathToFileURL(`${root}/packages/${p}`).href);
const { Engine } = await pkg("core/dist/index.js");
const { x86_64 } = await pkg("arch-x86_64/dist/index.js");
const { ptReclaim } = await pkg("reclaim-pt-reclaim/dist/index.js");
const PROT_READ_WRITE = 3;
const MAP_PRIVATE_ANONYMOUS = 0x22;
const MADV_DONTNEED = 4;
const CHUNK = 2 ** 21;
const CHUNKS = 25600;
const engine = new Engine({ arch: x86_64({ levels: 4, paravirt_flush: false }), reclaim: ptReclaim() });
const p = engine.spawn();
const base = p.mmap(0, CHUNKS * CHUNK, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS);
const out = [];
let t0 = process.hrtime.bigint();
for (let i = 0; i < CHUNKS; i++) {
  p.touch(base + i * CHUNK, CHUNK, true);
  p.madvise(base + i * CHUNK, CHUNK, MADV_DONTNEED);
  if ((i + 1) % every === 0) {
    const t = process.hrtime.bigint();
    out.push((Number(t - t0) / 1e3 / every).toFixed(1));
    t0 = t;
  }
}
console.log(`seed loop, pt-reclaim, first run: µs per chunk, per ${every} chunks: ${out.join(" ")}`);

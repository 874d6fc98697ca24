/**
 * V8 flags the `mmsim` executable sets for its own process (issue #10, whole-process
 * speed), before it loads core: set here, at run time, they apply however the bin
 * is started (`mmsim`, `node .../dist/mmsim.js`, npx). A library user's process is
 * left as it is: only the bin (mmsim.ts) calls tune_v8().
 *
 * --max-inlined-bytecode-size-cumulative=460 (V8's default: 920). A run is short
 * (the seed loop: ~0.35 s), and ~0.14 s of it is JIT warm-up: the hot code runs
 * unoptimised until TurboFan has compiled it, and on a 2-CPU machine its one
 * background compiler is the bottleneck (V8's queue of 8 jobs is full for most
 * of the warm-up). Half the inlining budget per function cuts the compile work
 * (~213 → ~171 ms of TurboFan time for the seed loop: node
 * --no-concurrent-recompilation --trace-opt, the "took" times summed) while the
 * settled code runs as fast (packages/bench/scripts/seed-warm.mjs), so the optimised
 * code arrives sooner. Measured side by side: `mmsim run seed --reclaim pt-reclaim`
 * 16–20 ms faster in wall time (medians of 25 and 30 interleaved runs, each set
 * with its own code cache).
 *
 * MMSIM_V8_TUNING=0 leaves V8's defaults (to measure the difference). Core's code
 * cache names its file after the V8 flags (build/code-cache.js flagsTag()), so a
 * process with the defaults and one with these keep a cache each.
 */
import { setFlagsFromString } from "node:v8";

/** The flags tune_v8() sets. */
export const V8_TUNING = ["--max-inlined-bytecode-size-cumulative=460"] as const;

/**
 * The Node built-ins a plain `mmsim run` loads after start-up, loaded by
 * tune_v8() before it sets the flags. Node compiles each built-in module with
 * the code cache embedded in its binary, which V8 accepts only under the flags
 * it was made with: a built-in first loaded after setFlagsFromString() is
 * compiled from its source (`node --expose-internals`, internalBinding("builtins")
 * .getCacheUsage().compiledWithoutCache, listed node:vm, node:zlib,
 * internal/modules/esm/initialize_import_meta and, for output to a file,
 * internal/fs/sync_write_stream). Loaded first, they cost what they cost with
 * the cache: these three in a fresh process, ~2.0 ms loaded after the flag
 * change, ~0.9 ms before it (minimums of 5; issue #10 start-up).
 * v8-tuning.test.ts checks that a plain run compiles no built-in without its
 * cache. (A plain run makes no process.stdout: io.ts's stdoutWriter() writes
 * file descriptor 1 itself.)
 */
function loadBuiltinsFirst(): void {
  process.getBuiltinModule("node:vm"); // core's code cache: build/code-cache.js
  process.getBuiltinModule("node:zlib"); // ... and its crc32
  void import.meta.url; // the first import.meta of the process loads Node's initializer of it
}

/** Sets V8_TUNING unless MMSIM_V8_TUNING=0, after loadBuiltinsFirst(). */
export function tune_v8(env: NodeJS.ProcessEnv = process.env): void {
  if (env.MMSIM_V8_TUNING === "0") return;
  loadBuiltinsFirst();
  for (const f of V8_TUNING) setFlagsFromString(f);
}

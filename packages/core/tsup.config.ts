import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";
// @ts-expect-error plain ESM build helper without types
import { desyncEsbuild } from "./build/desync.mjs";
// @ts-expect-error plain ESM build helper without types
import { scriptChunks } from "./build/script-chunk.mjs";
// @ts-expect-error plain ESM helper shared by the packages
import { library } from "../../tsup.base.mjs";

const src = fileURLToPath(new URL("./src/", import.meta.url));

// One entry per public subpath (package.json "exports"); splitting keeps one copy
// of every module shared between them, in CJS as in ESM. The types come from the
// src entries themselves.
const entry = {
  index: "src/index.ts",
  kernel: "src/plugin/kernel.ts",
  check: "src/check/index.ts",
  workload: "src/workload/index.ts",
};

// The JavaScript comes from build/entries/*: each re-exports its src entry (the
// same names) and imports the other engine-side entries for their side effects
// only, so that every module the root, kernel and workload entries use lies in
// ONE chunk that all four entries share (esbuild makes a chunk per set of entries
// that reach a module: per-entry reachability gave five chunks and eight files
// for `mmsim run`). Each module the process loads costs start-up time (resolve,
// read, compile, link: ~1 ms apiece), so `mmsim run` now loads the three entry
// facades and one chunk (issue #10, start-up). check's own modules stay in
// dist/check.js. No module's code changes; a module is still evaluated once,
// after what it imports (core's imports form no cycle: layering.test.ts).
// (turbo.json's build inputs list build/**, so editing a wrapper or desync.mjs rebuilds.)
const jsEntry = {
  index: "build/entries/index.ts",
  kernel: "build/entries/kernel.ts",
  check: "build/entries/check.ts",
  workload: "build/entries/workload.ts",
};

// package.json says "sideEffects": false, so esbuild notes that it drops those
// side-effect imports at run time (they are there for the chunking only): silenced.
const quietBareImports = (options: { logOverride?: Record<string, string> }) => {
  options.logOverride = { ...options.logOverride, "ignored-bare-import": "silent" };
};

// The shared ESM chunk becomes a classic script run through V8's code cache
// (build/script-chunk.mjs, build/code-cache.js): Node 20 caches no compiled ESM,
// and compiling the 650 KB chunk cost every `mmsim run` ~15-19 ms (issue #10).
// Measured against 7de6a77 (`node packages/bench/scripts/seed-warm.mjs ROOT 6`,
// runs alternated): the first run 0.54-0.69 -> 0.48-0.59 CPU s, and the warm
// loop too, 0.172-0.184 -> 0.162-0.168 s a run (with the cache off as well: the
// chunk's top-level bindings are then a function's locals, not module bindings).
const dist = fileURLToPath(new URL("./dist/", import.meta.url));

export default defineConfig(
  library({
    entry: jsEntry,
    dts: { entry },
    splitting: true,
    esbuildPlugins: [desyncEsbuild(src)],
    esbuildOptions: quietBareImports,
    onSuccess: async () => scriptChunks(dist),
  }),
);

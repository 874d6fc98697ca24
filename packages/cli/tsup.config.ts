import type { Plugin } from "esbuild";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";

/**
 * The Node built-ins the bundled commander require()s (node:events, path, fs,
 * process, child_process), given to it by process.getBuiltinModule() (Node ≥
 * 20.16): the ESM chunks then need no createRequire() banner, which tsup would
 * put (and Node run) in every chunk. node:child_process, which commander needs
 * only to spawn executable subcommands (mmsim has none), is loaded when `spawn`
 * is called: Node then does not load child_process, dgram, the socket list...
 * at start-up (~2 ms).
 */
const commanderBuiltins: Plugin = {
  name: "commander-builtins",
  setup(build) {
    build.onResolve({ filter: /^node:[a-z_]+$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: args.path, namespace: "commander-builtin" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "commander-builtin" }, (args) => ({
      contents:
        args.path === "node:child_process"
          ? 'module.exports = { spawn: (...args) => process.getBuiltinModule("node:child_process").spawn(...args) };'
          : `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

const src = fileURLToPath(new URL("./src/", import.meta.url));

/**
 * The modules cli.ts and every command use. esbuild puts a module into one chunk
 * per set of entries (the bin, the API, cli.ts and each command: those two are
 * imported on demand) that reach it; these
 * were reached by different commands each and made several chunks. lazyEntries
 * makes every entry reach all of them: one chunk.
 */
const SHARED = ["errors.ts", "io.ts", "plugins.ts", "package-resolve.ts", "arch-names.ts"];

/**
 * The modules the commands that simulate use (and the API, dist/index.js,
 * reaches): one more chunk, which every command but `record` (and not the bin or
 * cli.ts: they load no core) reaches through lazyEntries. `mmsim run` then loads
 * it instead of four chunks, and resolves @mmsim/core and @mmsim/core/workload
 * once each instead of three times.
 */
const SIMULATING = ["workload.ts", "fs-reason.ts", "run-engine.ts", "progress.ts", "plugin-guard.ts", "plot-file.ts"];

/**
 * Each module mmsim.ts and cli.ts import on demand (`import("./cli.js")`,
 * `import("./commands/run.js")`) is built from a wrapper that re-exports it and
 * also imports SHARED (for the chunking only: package.json says "sideEffects":
 * false, so those imports are dropped at run time). `mmsim run` then loads
 * mmsim.js, cli.ts's chunk (with commander), the shared chunk, run's module
 * and what run itself needs (issue #10 start-up).
 */
const lazyEntries: Plugin = {
  name: "lazy-entries",
  setup(build) {
    const importers = [join(src, "cli.ts"), join(src, "mmsim.ts")];
    build.onResolve({ filter: /^\.\/(commands\/[a-z-]+|cli)\.js$/ }, (args) =>
      args.kind === "dynamic-import" && importers.includes(args.importer)
        ? { path: join(src, args.path.replace(/\.js$/, ".ts")), namespace: "lazy-entry" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-entry" }, (args) => ({
      contents:
        [
          `export * from ${JSON.stringify(args.path)};`,
          ...[...SHARED, ...(/commands[\\/](?!record\.ts$)/.test(args.path) ? SIMULATING : [])].map((f) => `import ${JSON.stringify(join(src, f))};`),
        ].join("\n") + "\n",
      loader: "js",
      resolveDir: src,
    }));
  },
};

// dist/mmsim.js is the bin; it starts with the `#!/usr/bin/env node` line of its
// source, which makes tsup mark it executable. dist/index.js is the in-process API.
export default defineConfig({
  entry: { index: "src/index.ts", mmsim: "src/mmsim.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  sourcemap: true,
  clean: true,
  target: "node20",
  // commander (CommonJS) is bundled into the chunk cli.ts loads: Node then loads no
  // CommonJS module at start-up (no cjs-module-lexer, no six node_modules files to
  // resolve and read), ~6 ms of every command's start-up (issue #10). Its require()
  // calls of Node built-ins: commanderBuiltins.
  noExternal: ["commander"],
  // tsup's removeNodeProtocol plugin would resolve every node: import (as external)
  // before commanderBuiltins sees it; Node 20 takes the node: prefix as it is.
  removeNodeProtocol: false,
  esbuildPlugins: [commanderBuiltins, lazyEntries],
  esbuildOptions(options) {
    options.logOverride = { ...options.logOverride, "ignored-bare-import": "silent" }; // lazyEntries' imports of SHARED
  },
});

import type { Plugin } from "esbuild";
import { join, relative, sep } from "node:path";
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
 * The modules main() (cli.ts) and every command use. esbuild puts a module into
 * one chunk per set of entries that reach it (the bin, the API, and each module
 * imported on demand: program.ts, each command); these were reached by different
 * entries each and made several chunks. lazyEntries makes every entry reach all
 * of them: one chunk. It holds no commander: a plain `mmsim run` line
 * (run-argv.ts) is read and run without it.
 */
const SHARED = ["errors.ts", "io.ts", "plugins.ts", "package-resolve.ts", "arch-names.ts", "arch-load.ts", "cli.ts", "report.ts", "run-argv.ts"];

/**
 * The commander program (program.ts, with commander bundled) and the option
 * builders the commands share with it: one chunk, reached by program.ts's entry
 * and every command's but run's (run's module must not pull commander in: it is
 * imported by main() directly).
 */
const PROGRAM = ["program.ts", "commands/options.ts", "version.ts", "shard.ts"];

/**
 * The modules the commands that simulate use (and the API, dist/index.js,
 * reaches): one more chunk, which every command but `record` and the API (and not
 * the bin, cli.ts or program.ts: they load no core) reach through lazyEntries.
 * `mmsim run` then loads it instead of five chunks, and resolves @mmsim/core and
 * @mmsim/core/workload once each instead of three times.
 */
const SIMULATING = ["workload.ts", "fs-reason.ts", "run-engine.ts", "progress.ts", "plugin-guard.ts", "plot-file.ts", "commands/execute.ts"];

/**
 * Each module cli.ts and program.ts import on demand (`import("./program.js")`,
 * `import("./commands/run.js")`), and the API's entry, is built from a wrapper
 * that re-exports it and also imports SHARED, PROGRAM and SIMULATING as above
 * (for the chunking only: package.json says "sideEffects": false). The bin
 * (mmsim.ts) imports cli.ts statically: a plain `mmsim run` then loads
 * mmsim.js, the SHARED chunk, run's module and the SIMULATING chunk: 4 files
 * of the CLI, 8 before PROGRAM and run-argv.ts (issue #10 start-up).
 */
const lazyEntries: Plugin = {
  name: "lazy-entries",
  setup(build) {
    const importers = [join(src, "cli.ts"), join(src, "program.ts")];
    build.onResolve({ filter: /^\.\/(commands\/[a-z-]+|program)\.js$/ }, (args) =>
      args.kind === "dynamic-import" && importers.includes(args.importer)
        ? { path: join(src, args.path.replace(/\.js$/, ".ts")), namespace: "lazy-entry" }
        : undefined,
    );
    build.onResolve({ filter: /[\\/]index\.ts$/ }, (args) => (args.kind === "entry-point" ? { path: join(src, "index.ts"), namespace: "lazy-entry" } : undefined));
    build.onLoad({ filter: /.*/, namespace: "lazy-entry" }, (args) => {
      const rel = relative(src, args.path).split(sep).join("/");
      const groups = [
        SHARED,
        rel === "program.ts" || (rel.startsWith("commands/") && rel !== "commands/run.ts") || rel === "index.ts" ? PROGRAM : [],
        (rel.startsWith("commands/") && rel !== "commands/record.ts") || rel === "index.ts" ? SIMULATING : [],
      ];
      return {
        contents: [`export * from ${JSON.stringify(args.path)};`, ...groups.flat().map((f) => `import ${JSON.stringify(join(src, f))};`)].join("\n") + "\n",
        loader: "js",
        resolveDir: src,
      };
    });
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
  // commander (CommonJS) is bundled into the chunk program.ts loads: Node then loads no
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

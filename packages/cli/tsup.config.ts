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
 * Each command module cli.ts imports on demand (`import("./commands/run.js")`) is
 * built from a wrapper that re-exports it and also imports cli.ts (for the
 * chunking only: package.json says "sideEffects": false, so the import is dropped
 * at run time). esbuild puts a module into one chunk per set of entries (the bin,
 * the API, each command) that reach it; cli.ts's own imports (options, plugins,
 * errors, io, plot-file, shard, commander...) were reached by different commands
 * each and made seven chunks. Now every entry reaches all of them: one chunk, and
 * `mmsim run` loads six files fewer (~0.3 ms apiece, issue #10 start-up).
 */
const commandEntries: Plugin = {
  name: "command-entries",
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) =>
      args.kind === "dynamic-import" && args.importer === join(src, "cli.ts")
        ? { path: join(src, args.path.replace(/\.js$/, ".ts")), namespace: "command-entry" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "command-entry" }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};\nimport ${JSON.stringify(join(src, "cli.ts"))};\n`,
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
  esbuildPlugins: [commanderBuiltins, commandEntries],
  esbuildOptions(options) {
    options.logOverride = { ...options.logOverride, "ignored-bare-import": "silent" }; // commandEntries' import of cli.ts
  },
});

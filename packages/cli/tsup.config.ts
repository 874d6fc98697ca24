import { defineConfig } from "tsup";

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
  // calls of Node built-ins go through the createRequire() the banner declares.
  noExternal: ["commander"],
  banner: { js: 'import { createRequire as __cjsRequire } from "node:module";\nconst require = __cjsRequire(import.meta.url);' },
});

import { defineConfig } from "tsup";

// dist/bench.js, run by `npm run bench` at the root. It starts with the
// `#!/usr/bin/env node` line of its source, which makes tsup mark it executable.
// A private program, not a library: ESM only, no declarations.
export default defineConfig({
  entry: { bench: "src/bench.ts" },
  format: ["esm"],
  sourcemap: true,
  clean: true,
  target: "node20",
});

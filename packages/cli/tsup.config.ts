import { defineConfig } from "tsup";

// dist/mmsim.js is the bin and dist/bench.js the benchmark (`npm run bench` at the
// root); both start with the `#!/usr/bin/env node` line of their source, which
// makes tsup mark them executable. dist/index.js is the in-process API.
export default defineConfig({
  entry: { index: "src/index.ts", mmsim: "src/mmsim.ts", bench: "src/bench.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  sourcemap: true,
  clean: true,
  target: "node20",
});

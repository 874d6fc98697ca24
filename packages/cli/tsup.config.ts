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
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";
// @ts-expect-error plain ESM build helper without types
import { desyncEsbuild } from "./build/desync.mjs";

const src = fileURLToPath(new URL("./src/", import.meta.url));

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  esbuildPlugins: [desyncEsbuild(src)],
});

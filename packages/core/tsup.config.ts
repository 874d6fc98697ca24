import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";
// @ts-expect-error plain ESM build helper without types
import { desyncEsbuild } from "./build/desync.mjs";
// @ts-expect-error plain ESM helper shared by the packages
import { library } from "../../tsup.base.mjs";

const src = fileURLToPath(new URL("./src/", import.meta.url));

// One entry per public subpath (package.json "exports"); splitting keeps one copy
// of every module shared between them, in CJS as in ESM.
const entry = {
  index: "src/index.ts",
  kernel: "src/plugin/kernel.ts",
  check: "src/check/index.ts",
  workload: "src/workload/index.ts",
};

export default defineConfig(library({ entry, splitting: true, esbuildPlugins: [desyncEsbuild(src)] }));

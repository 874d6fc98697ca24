import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";
// @ts-expect-error plain ESM build helper without types
import { desyncEsbuild } from "../core/build/desync.mjs";
// @ts-expect-error plain ESM helper shared by the packages
import { library } from "../../tsup.base.mjs";

// core's desync derives the bulk twins of the hooks' kernel paths (`run_to_completion(f(...))` → `f$sync(...)`).
export default defineConfig(library({ esbuildPlugins: [desyncEsbuild(fileURLToPath(new URL("./src/", import.meta.url)))] }));

import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";
// @ts-expect-error plain ESM build helper without types
import { desyncEsbuild } from "./build/desync.mjs";
// @ts-expect-error plain ESM helper shared by the packages
import { library } from "../../tsup.base.mjs";

const src = fileURLToPath(new URL("./src/", import.meta.url));

export default defineConfig(library({ esbuildPlugins: [desyncEsbuild(src)] }));

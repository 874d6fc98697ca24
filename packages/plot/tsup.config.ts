import { defineConfig } from "tsup";
// @ts-expect-error plain ESM helper shared by the packages
import { library } from "../../tsup.base.mjs";

// ESM only: vega and vega-lite are ES modules.
export default defineConfig(library({ format: ["esm"] }));

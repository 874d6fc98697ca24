import { defineConfig } from "tsup";
// @ts-expect-error plain ESM helper shared by the packages
import { library } from "../../tsup.base.mjs";

// src/mutants.ts: the hand-written mutants, as a subpath (`@mmsim/reclaim-zero-pte/mutants`) for the bench.
export default defineConfig(library({ entry: ["src/index.ts", "src/mutants.ts"] }));

import { defineConfig } from "tsup";
// @ts-expect-error plain ESM helper shared by the packages
import { library } from "../../tsup.base.mjs";

// shims: the CJS build needs import.meta.url to find helper/ (src/paths.ts).
export default defineConfig(library({ shims: true }));

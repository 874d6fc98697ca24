import { defineConfig } from "tsup";
// @ts-expect-error plain ESM helper shared by the packages
import { library } from "../../tsup.base.mjs";

export default defineConfig(library());

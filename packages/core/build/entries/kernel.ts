// The "./kernel" entry: src/plugin/kernel.ts (the plugin API). The side-effect
// imports below only put every module of the engine-side entries into one shared
// chunk (see tsup.config.ts); they export nothing here.
export * from "../../src/plugin/kernel.js";
// kernel.ts's own `export * from "@mmsim/spec"`, said again here: kernel.ts now sits
// in the shared chunk, through which esbuild can pass an external star export only
// as a runtime copy, not as static ESM exports.
export * from "@mmsim/spec";
import "../../src/index.js";
import "../../src/workload/index.js";

// The "." entry: src/index.ts. The side-effect imports below only put every
// module of the engine-side entries into one shared chunk (see tsup.config.ts).
export * from "../../src/index.js";
import "../../src/workload/index.js";
import "../../src/plugin/kernel.js";

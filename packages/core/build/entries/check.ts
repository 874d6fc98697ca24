// The "./check" entry: src/check/index.ts (the explorer and checkers). It also
// reaches the engine-side entries, so that their modules stay in one chunk
// shared by all four entries (see tsup.config.ts); check's own modules stay in
// dist/check.js, which `mmsim run` does not load.
export * from "../../src/check/index.js";
import "../../src/index.js";
import "../../src/workload/index.js";
import "../../src/plugin/kernel.js";

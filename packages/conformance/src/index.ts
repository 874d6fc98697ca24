/**
 * @mmsim/conformance — the shared kit every reclaim plugin must pass.
 *
 *   import { runConformance } from "@mmsim/conformance";
 *   runConformance({ describe, it }, { plugin: () => myPlugin(), arch: x86_64() });
 */
export { runConformance, checkPlugin, contextOf, type ConformanceOptions, type SuiteReport, type TestApi } from "./run.js";
export { CHECKS, replayCommand, shellWord, type Check, type CheckContext, type CheckResult } from "./checks.js";
export { SCENARIOS } from "./scenarios.js";
export { MUTANTS, type Mutant } from "./mutants/pt_reclaim_mutants.js";
export { opsArb, opArb } from "./fuzz.js";

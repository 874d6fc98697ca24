/**
 * @mmsim/conformance — the shared kit every reclaim plugin must pass.
 *
 *   import { runConformance } from "@mmsim/conformance";
 *   runConformance({ describe, it }, { plugin: () => myPlugin(), arch: x86_64() });
 */
export { runConformance, checkPlugin, contextOf, type ConformanceOptions, type SuiteReport, type TestApi } from "./run.js";
export { expectingFailures } from "./expected_failures.js";
export { CHECKS, replayCommand, scenarioFingerprint, shellWord, type Check, type CheckContext, type CheckResult } from "./checks.js";
export { SCENARIOS } from "./scenarios.js";
export { type Mutant } from "./mutants/pt_reclaim_mutants.js";
export { MUTANTS } from "./mutants/all.js";
export { THREAD_MUTANTS, type ThreadMutant } from "./mutants/thread_mutants.js";
export { REFERENCE_MUTANTS, type ReferenceMutant } from "./mutants/refcount_mutants.js";
export { THREAD_SCENARIOS } from "./scenarios_threads.js";
export { opsArb, opArb, opsArbOf, longOpsArb, swapStepArb } from "./fuzz.js";
export { measureCoverage, countingHooks, type CoverageOptions, type CoverageReport, type CoverageFigures, type UncoveredBranch } from "./coverage.js";
export { runDifferential, type DifferentialOutcome } from "./checks.js";
export { SLOW_PATH_MUTANTS } from "./mutants/slow_path_mutants.js";
export { RCU_FREEPT_MUTANTS, rcuFreeptReplica, type ScanMistakes } from "./mutants/rcu_freept_mutants.js";
export { runSequence, type Divergence, type SequenceOutcome, type SequenceOptions } from "./differential.js";
export { FUZZ_SWAP_BYTES, fuzzScale, fuzzSequence, replaySequence, sequenceSeed, type FuzzScaleOptions, type FuzzScaleReport, type FuzzFinding } from "./fuzz_scale.js";

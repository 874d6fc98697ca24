/**
 * @mmsim/core/check — what finds bugs: invariants over an mm, runtime
 * sanitizers, the user-data oracle, race scenarios, the deterministic explorer
 * with its strategies and schedules, and the fuzzing operations.
 */
export { check_mm, check_exit, type Violation } from "./invariants.js";
export { Sanitizer, SanitizerViolation } from "./sanitizer.js";
export { Oracle, OracleViolation } from "./oracle.js";
export { SCENARIO_BASE, SCENARIO_SLOT_BYTES, MAX_SCENARIO_CPUS, validateScenario, ScenarioError, size as scenarioSize, type Scenario, type ScenarioOp, type ActorSpec } from "./scenario.js";
export { FAULT_RETRY_WAIT, type OpResult } from "./actors.js";
export { execute, run_setup, actorNames, classify, type ExecutionResult, type StepRecord, type ExecOptions, type Violation as RuleViolation } from "./execution.js";
export { explore, failure, shrink, type ExploreOptions, type ExploreResult, type Failure, type StrategyName } from "./explore.js";
export { formatTrace } from "./trace.js";
export { SetupCache, type PostSetup } from "./setup_snapshot.js";
export { GraphCloner, GraphCloneError, type CloneOptions, type SideTable } from "./graph_clone.js";
export { applyOp, type FuzzOp } from "./fuzz_ops.js";
export { encodeSchedule, decodeSchedule, countPreemptions, ScheduleSyntaxError, ScheduleDivergenceError, PreemptionCounter, SCHEDULE_VERSION, type DivergenceKind } from "../sched/schedule.js";
export { Prng, RandomStrategy, PctStrategy, DfsStrategy, ReplayStrategy, SwitchStrategy, defaultChoice, type Strategy, type ReplayOptions, type PctOptions, type SeededOptions } from "../sched/strategy.js";
/** Table walkers for tests and checks (no preemption points): the entry pointer at a level, or -1. */
export { walk_pud, walk_pmd, walk_pte } from "../pgtable/walk.js";

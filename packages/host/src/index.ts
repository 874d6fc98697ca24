/**
 * @mmsim/host: the real Linux kernel as referee for the mmsim simulator. A
 * workload script runs on the kernel through a small C helper and gives the
 * lines the simulator prints for it; checkHost() runs scripts both ways and
 * compares them line by line. See README.md.
 */
export { HostUnavailableError, HostProtocolError, CompileError, CacheDirError } from "./errors.js";
export { cacheDirPath, checkCacheDir, ensureCacheDir, type CacheDirOptions } from "./cache.js";
export { compileC, cachedBinaryName, compilerVersion, findSystemCompiler, type CompileCOptions } from "./compile.js";
export { compileHelper, checkHostSupport, helperSourcePath, type HelperOptions } from "./helper.js";
export { encodeRequest, parseResponse, ALLOWED, PROTOCOL_VERSION, HELLO, type HostResponse } from "./protocol.js";
export { runOnHost, linesFromResponses, ReplyReader, type HostRunResult, type HostRunOptions, type HelperOutput } from "./run.js";
export { runOnHostStreaming, type StreamRunOptions } from "./stream.js";
export {
  compareLines,
  parseOutputLine,
  DEFAULT_RSS_TOLERANCE_KB,
  type CompareOptions,
  type FieldComparison,
  type LineComparison,
  type OutputLine,
  type StatusField,
} from "./compare.js";
export { checkHost, checkHostStreaming, machineMemory, machineThp, simulate, type CheckOptions, type CheckReport, type ScriptComparison, type SimulatorMemory, type SimulatorThp } from "./check.js";
export { formatComparison, formatReport } from "./format.js";
export { kernelHasPtReclaim, memorySettings, thpMode, thpSettings, unmodelledMemory, unmodelledThp, type MemorySettings, type ThpSettings } from "./kernel.js";
export { detectPtReclaim, probePtReclaim, configHasPtReclaim, PROBE_SCRIPT, type PtReclaimDetection, type DetectOptions } from "./pt-reclaim-detect.js";
export { defaultCorpusDir, listScenarios, loadKnownGaps, parseExpected, formatExpected, type Expected } from "./corpus.js";
export { recordCorpus, recordHeader, type RecordOptions, type RecordResult } from "./record.js";
export {
  probeMadviseLocks,
  compareMadviseLocks,
  formatMadviseLocks,
  madviseLockVerdict,
  holderVerdict,
  lockEraOfRelease,
  modelAdvice,
  madviseLockProbeSource,
  parseProbeOutput,
  type MadviseLockProbe,
  type MadviseLockComparison,
  type HolderCounts,
  type ProbeOptions,
} from "./madvise_lock.js";
export {
  fuzzHost,
  KNOWN_DIFFERENCES,
  type KnownDifference,
  randomScript,
  shrinkScript,
  fuzzAdvice,
  verdictOf,
  mismatchSignature,
  caseFile,
  Rng,
  MAX_FAULTS,
  MAX_FAULTS_PER_TOUCH,
  type CaseResult,
  type CaseVerdict,
  type FuzzHostOptions,
  type RandomScriptOptions,
} from "./fuzz.js";

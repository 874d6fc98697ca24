/**
 * `mmsim host` / `mmsim check-host`: the real kernel as referee. See README.md.
 */
export { hostCommand, checkHostCommand, loadScript, reclaimByName, kernelHasPtReclaim, RECLAIM_PLUGINS, type CommandIO, type CheckHostCommandOptions } from "./commands.js";
export { runOnHost, linesFromResponses, type HostRunResult, type HostRunOptions, type HelperOutput } from "./run.js";
export {
  checkHost,
  compareLines,
  formatComparison,
  formatReport,
  parseOutputLine,
  simulate,
  DEFAULT_RSS_TOLERANCE_KB,
  type CheckOptions,
  type CheckReport,
  type CompareOptions,
  type FieldComparison,
  type LineComparison,
  type OutputLine,
  type ScriptComparison,
} from "./check.js";
export { ensureHelper, checkHostSupport, findSystemCompiler, helperSourcePath, HostUnavailableError, type CompileOptions } from "./compile.js";
export { encodeRequest, parseResponse, HostProtocolError, PROTOCOL_VERSION, HELLO, type HostResponse } from "./protocol.js";
export { defaultCorpusDir, listScenarios, loadKnownGaps, parseExpected, formatExpected, type Expected } from "./corpus.js";

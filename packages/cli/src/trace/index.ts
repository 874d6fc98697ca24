/**
 * Recording a real program's memory behaviour with perf and replaying it into
 * the simulator (`mmsim record`, `mmsim replay`). See README.md.
 */
export { recordCommand, recordTrace, perfRecordArgs, perfScriptArgs, permissionAdvice, TRACE_EVENTS, PERF_SCRIPT_FIELDS, DEFAULT_OUTPUT, DEFAULT_MMAP_PAGES, type RecordOptions, type RecordResult, type RecordIo } from "./record.js";
export { replayCommand, readTrace, readExpected, renderReplay, renderSummary, errorPct, type ReplayCommandOptions, type ReplayIo, type ReplayJson, type ReplayRow, type ExpectedStatus } from "./commands.js";
export {
  parseTrace,
  parseNumber,
  isKnownSyscall,
  SYSCALL_ARGS,
  TraceSyntaxError,
  type ParsedTrace,
  type ParseOptions,
  type TraceEvent,
  type EventHeader,
  type FaultEvent,
  type SysEnterEvent,
  type SysExitEvent,
  type ExecEvent,
  type ForkEvent,
  type ExitEvent,
  type LostEvent,
  type OtherEvent,
  type MalformedLine,
  type KnownSyscall,
} from "./parse.js";
export { replayTrace, replayText, presentPages, adviceName, ADVICE_NAMES, ReplayError, type ReplayOptions, type ReplayResult, type ImageInfo, type ImageCounts, type SyscallCounts } from "./replay.js";

/**
 * @mmsim/trace — a real program's memory behaviour, recorded with perf, replayed
 * into the mmsim model of Linux page-table management: parse `perf script`
 * text (parse.ts, the event model in events.ts), record a command with perf
 * (record.ts), and replay the trace per process image and reclaim plugin
 * (replayTrace(): figures, summary, warnings). See README.md.
 */
export { replayTrace, replayText, errorPct, type ReplayResult } from "./summary.js";
export { ReplayError, type ReplayOptions } from "./replay.js";
export type { ReplayArch } from "./arch.js";
export { presentPages, type ImageInfo, type PresentPage } from "./image.js";
export type { ImageCounts, SyscallCounts } from "./counts.js";
export { adviceName, ADVICE_NAMES } from "./uapi.js";
export { parseTrace, parseNumber, TraceSyntaxError } from "./parse.js";
export {
  isKnownSyscall,
  SYSCALL_ARGS,
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
} from "./events.js";
export {
  recordTrace,
  perfRecordArgs,
  perfScriptArgs,
  permissionAdvice,
  findCommand,
  RecordError,
  TRACE_EVENTS,
  PERF_SCRIPT_FIELDS,
  DEFAULT_OUTPUT,
  DEFAULT_MMAP_PAGES,
  type RecordOptions,
  type RecordResult,
  type RecordIo,
} from "./record.js";
export { readTrace } from "./read.js";
export { checkTrace, outOfOrder, TraceFormatError } from "./check.js";

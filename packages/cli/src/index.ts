/**
 * @mmsim/cli — the `mmsim` command. The bin is dist/mmsim.js; this entry
 * exposes the same commands for use in-process.
 */
export { main } from "./cli.js";
export { buildProgram } from "./program.js";
export { bufferIo, processIo, type BufferIo, type Io } from "./io.js";
export { CliError, UsageError, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from "./errors.js";
export {
  REGISTRY,
  NONE,
  NO_RECLAIM,
  PLUGIN_EXPORTS,
  parseReclaimSpec,
  parseReclaimList,
  loadMutants,
  resolveReclaimSpec,
  loadReclaim,
  loadReclaims,
  installedReclaims,
  defaultReclaims,
  type Reclaim,
  type ReclaimSpec,
  type RegistryEntry,
  type PluginModule,
} from "./plugins.js";
export { loadWorkload, builtinNames, type Workload } from "./workload.js";
export { simulate, archOf, ARCH_NAMES, type ArchName, type SimRun, type SimulateOptions } from "./simulate.js";
export type { RunJson, RunCommandOptions } from "./commands/run.js";
export type { CompareRow, Sizes, CompareCommandOptions } from "./commands/compare.js";
export type { ListJson } from "./commands/list.js";
export { humanKb, formatKb, formatMiB, renderTable } from "./format.js";
export { VERSION } from "./version.js";
export * from "@mmsim/trace";
export { recordCommand } from "./commands/record.js";
export { replayCommand, readExpected, renderReplay, renderSummary, type ReplayCommandOptions, type ReplayIo, type ReplayJson, type ReplayRow, type ExpectedStatus } from "./commands/replay.js";

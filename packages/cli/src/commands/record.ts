/**
 * `mmsim record [-o <file>] [--perf <path>] [--keep-data] [--] <command...>`:
 * the command line of @mmsim/trace's recordTrace() (perf record + perf script).
 */
import { DEFAULT_OUTPUT, recordTrace, RecordError, type RecordIo, type RecordOptions } from "@mmsim/trace";
import { CliError, EXIT_OK, EXIT_USAGE } from "../errors.js";

const RECORD_USAGE = `Usage: mmsim record [options] -- <command...>

Runs <command> under perf, recording its page faults, memory syscalls and
process events, and writes the perf script text for \`mmsim replay\`.

Options:
  -o, --output <file>  the trace file to write (default: ${DEFAULT_OUTPUT})
  --perf <path>        the perf binary (default: $PERF, else perf on PATH)
  --keep-data          keep perf's <file>.data
  -h, --help           show this help
`;

/**
 * `mmsim record [-o <file>] [--perf <path>] [--keep-data] [--] <command...>`:
 * `argv` is what follows `record`. Returns the exit code.
 */
export async function recordCommand(argv: readonly string[], io: RecordIo & { cwd?: string }): Promise<number> {
  try {
    return await recordMain(argv, io);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    io.err(`error: ${e.message}\n`);
    return e.exitCode;
  }
}

async function recordMain(argv: readonly string[], io: RecordIo & { cwd?: string }): Promise<number> {
  const opts: RecordOptions = { cwd: io.cwd };
  let i = 0;
  const value = (name: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new CliError(`mmsim record: ${name} needs a value`, EXIT_USAGE);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      i++;
      break;
    }
    if (a === "-o" || a === "--output") opts.output = value(a);
    else if (a.startsWith("--output=")) opts.output = a.slice("--output=".length);
    else if (a === "--perf") opts.perf = value(a);
    else if (a.startsWith("--perf=")) opts.perf = a.slice("--perf=".length);
    else if (a === "--keep-data") opts.keepData = true;
    else if (a === "-h" || a === "--help") {
      io.out(RECORD_USAGE);
      return EXIT_OK;
    } else if (a.startsWith("-")) throw new CliError(`mmsim record: unknown option '${a}' (put the command after --)`, EXIT_USAGE);
    else break;
  }
  const command = argv.slice(i);
  let r: Awaited<ReturnType<typeof recordTrace>>;
  try {
    r = await recordTrace(command, opts, io);
  } catch (e) {
    if (e instanceof RecordError) throw new CliError(e.message, e.reason === "usage" ? EXIT_USAGE : undefined);
    throw e;
  }
  const status = r.interrupted ? " (interrupted: it holds what was recorded until Ctrl-C)" : r.commandStatus === 0 ? "" : ` (the command exited with status ${r.commandStatus})`;
  io.err(`mmsim record: wrote ${r.trace} (${r.lines} lines)${status}; replay it with: mmsim replay ${r.trace}\n`);
  return EXIT_OK;
}

/**
 * Recording a program's memory behaviour with perf (what `mmsim record` runs):
 *
 *   perf record -e <TRACE_EVENTS> -m <pages> -o <file>.data -- <command...>
 *   perf script -i <file>.data --show-lost-events -F comm,pid,tid,cpu,time,event,trace > <file>
 *
 * trace-tools/make-traces.sh runs the same two commands (a test checks that its
 * event list is this one).
 */
import { spawn } from "node:child_process";
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";

/** The tracepoints recorded: page faults with address and error code, the memory syscalls, and process lifetimes. */
export const TRACE_EVENTS: readonly string[] = [
  "exceptions:page_fault_user",
  "exceptions:page_fault_kernel",
  ...["mmap", "munmap", "madvise", "mprotect", "mremap", "brk"].flatMap((s) => [`syscalls:sys_enter_${s}`, `syscalls:sys_exit_${s}`]),
  "sched:sched_process_exec",
  "sched:sched_process_fork",
  "sched:sched_process_exit",
];

/** perf script's fields: `PID/TID` tells threads from processes. */
export const PERF_SCRIPT_FIELDS = "comm,pid,tid,cpu,time,event,trace";

/** perf's per-CPU ring buffer, in pages (4 MiB): page-fault bursts overflow the default 512 KiB. */
export const DEFAULT_MMAP_PAGES = 1024;

export const DEFAULT_OUTPUT = "mmsim.trace";

export function perfRecordArgs(dataFile: string, command: readonly string[], mmapPages = DEFAULT_MMAP_PAGES): string[] {
  return ["record", ...TRACE_EVENTS.flatMap((e) => ["-e", e]), "-m", String(mmapPages), "-o", dataFile, "--", ...command];
}

export function perfScriptArgs(dataFile: string): string[] {
  return ["script", "-i", dataFile, "--show-lost-events", "-F", PERF_SCRIPT_FIELDS];
}

export interface RecordOptions {
  /** The trace file to write (default mmsim.trace, relative to `cwd`). */
  output?: string;
  /** The perf binary (default $PERF, else `perf` on PATH). */
  perf?: string;
  /** Keep perf's <output>.data file. */
  keepData?: boolean;
  mmapPages?: number;
  cwd?: string;
}

/**
 * Why a recording failed: `usage` (no command given), `command-missing` (the
 * program to record does not exist or cannot be run), `output` (the trace file,
 * or perf's `<file>.data` beside it, cannot be written there: a directory, a
 * missing or read-only directory), `perf-missing`, `perf-failed` (perf could not
 * run, or wrote nothing), `permission` (tracepoints not readable), `tracepoint`
 * (the kernel lacks one), `interrupted` (Ctrl-C before perf recorded any event).
 */
export class RecordError extends Error {
  constructor(
    message: string,
    readonly reason: "usage" | "command-missing" | "output" | "interrupted" | "perf-missing" | "perf-failed" | "permission" | "tracepoint",
  ) {
    super(message);
    this.name = "RecordError";
  }
}

export interface RecordIo {
  out(s: string): void;
  err(s: string): void;
}

export interface RecordResult {
  trace: string;
  lines: number;
  /** The recorded command's exit status as perf record reports it. */
  commandStatus: number;
  /** The recording was stopped by SIGINT (Ctrl-C), forwarded to perf record; the trace holds what was recorded until then. */
  interrupted: boolean;
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  error: NodeJS.ErrnoException | null;
}

/**
 * Runs a program; stdout goes to `stdoutFd` (a file) or to io.out, stderr to io.err and is kept.
 * With `onChild`, the caller gets the child process (to forward signals to it).
 */
function run(
  cmd: string,
  args: readonly string[],
  io: RecordIo,
  cwd: string,
  stdoutFd: number | null,
  filterErr: (line: string) => boolean = () => true,
  onChild: (child: ReturnType<typeof spawn>) => void = () => {},
): Promise<Ran> {
  return new Promise((done) => {
    let stderr = "";
    let error: NodeJS.ErrnoException | null = null;
    const child = spawn(cmd, args, { cwd, stdio: ["inherit", stdoutFd ?? "pipe", "pipe"] });
    onChild(child);
    child.stdout?.on("data", (b: Buffer) => io.out(b.toString()));
    let partial = "";
    child.stderr?.on("data", (b: Buffer) => {
      const text = partial + b.toString();
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) {
        stderr += l + "\n";
        if (filterErr(l)) io.err(l + "\n");
      }
    });
    child.on("error", (e) => (error = e));
    child.on("close", (code, signal) => {
      if (partial) {
        stderr += partial;
        if (filterErr(partial)) io.err(partial + "\n");
      }
      done({ code, signal, stderr, error });
    });
  });
}

function paranoid(): string {
  try {
    return readFileSync("/proc/sys/kernel/perf_event_paranoid", "utf8").trim();
  } catch {
    return "?";
  }
}

/** perf's complaint about permissions, turned into advice; null if it is something else. */
export function permissionAdvice(stderr: string): string | null {
  if (!/No permissions|can't access trace events|Permission denied|perf_event_paranoid|Access to performance monitoring|not permitted/i.test(stderr)) return null;
  return (
    `perf has no permission to record the tracepoints: run as root, or give perf CAP_PERFMON and lower ` +
    `/proc/sys/kernel/perf_event_paranoid (now ${paranoid()}; tracepoints need -1 for unprivileged users: ` +
    `sysctl kernel.perf_event_paranoid=-1), and make /sys/kernel/tracing readable (mount -o remount,mode=755 /sys/kernel/tracing)`
  );
}

const NOISE = /^'trace' not valid for .* events\. Ignoring\.$/;

/** Whether `file` can be executed. */
function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Checks that the program to record exists and can be run, as execvp() would find
 * it (a name with a slash relative to `cwd`, else each $PATH entry): one clear
 * error before perf runs, and no file is left behind.
 */
export function findCommand(name: string, cwd: string, path = process.env.PATH ?? ""): string | null {
  if (name.includes("/")) return executable(resolve(cwd, name)) ? resolve(cwd, name) : null;
  for (const dir of path.split(delimiter)) {
    const file = join(resolve(cwd, dir || "."), name);
    if (executable(file)) return file;
  }
  return null;
}

/** Why `file` cannot be (re)written as a regular file, or null: checked before perf runs, so a bad -o costs no recording. */
function unwritable(file: string): string | null {
  const dir = dirname(file);
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  } catch {
    return `no such directory ${dir}`;
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `the directory ${dir} is not writable`;
  }
  try {
    if (statSync(file).isDirectory()) return `${file} is a directory`;
  } catch {
    return null; // absent: it will be created
  }
  try {
    accessSync(file, constants.W_OK);
  } catch {
    return `${file} is not writable`;
  }
  return null;
}

/** Records `command` into the trace file; throws RecordError when perf is missing, lacks permission or fails. */
export async function recordTrace(command: readonly string[], opts: RecordOptions, io: RecordIo): Promise<RecordResult> {
  if (command.length === 0) throw new RecordError("mmsim record: no command given (usage: mmsim record [-o <file>] -- <command...>)", "usage");
  const cwd = opts.cwd ?? process.cwd();
  const perf = opts.perf ?? process.env.PERF ?? "perf";
  const output = resolve(cwd, opts.output ?? DEFAULT_OUTPUT);
  const data = `${output}.data`;

  if (findCommand(command[0], cwd) === null) {
    const what = command[0].includes("/") ? `${command[0]}: no such executable file` : `${command[0]}: command not found (not an executable file on $PATH)`;
    throw new RecordError(`mmsim record: ${what}`, "command-missing");
  }

  for (const [file, what] of [
    [output, "the trace"],
    [data, "perf's data file"],
  ] as const) {
    const why = unwritable(file);
    if (why !== null) throw new RecordError(`mmsim record: cannot write ${what} ${file}: ${why} (-o names the trace file; perf's data goes beside it as <file>.data)`, "output");
  }

  const version = await run(perf, ["--version"], { out: () => {}, err: () => {} }, cwd, null);
  if (version.error?.code === "ENOENT") {
    throw new RecordError(
      `perf not found (${isAbsolute(perf) || perf.includes("/") ? perf : `'${perf}' on PATH`}): install it (Debian: apt-get install linux-perf), or name it with --perf <path> or $PERF`,
      "perf-missing",
    );
  }
  if (version.error) throw new RecordError(`cannot run ${perf}: ${version.error.message}`, "perf-failed");
  if (version.code !== 0) {
    throw new RecordError(`${perf} --version failed (exit ${version.code ?? version.signal}): ${version.stderr.trim() || "no message"}`, "perf-failed");
  }

  rmSync(data, { force: true });
  try {
    return await recordAndScript(perf, data, output, command, opts, io, cwd);
  } catch (e) {
    // A failed recording leaves no files: neither perf's data nor a partial trace.
    rmSync(data, { force: true });
    rmSync(output, { force: true });
    throw e;
  }
}

/**
 * perf record, then perf script. Ctrl-C while the program runs stops the
 * recording, not mmsim: SIGINT is forwarded to perf record (which stops the
 * program and writes its data, as perf does on Ctrl-C), and the trace is still
 * written from what was recorded.
 */
async function recordAndScript(perf: string, data: string, output: string, command: readonly string[], opts: RecordOptions, io: RecordIo, cwd: string): Promise<RecordResult> {
  let child: ReturnType<typeof spawn> | null = null;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    child?.kill("SIGINT");
  };
  process.on("SIGINT", onSigint);
  let rec: Ran;
  try {
    rec = await run(perf, perfRecordArgs(data, command, opts.mmapPages), io, cwd, null, undefined, (c) => (child = c));
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (rec.error) throw new RecordError(`cannot run ${perf}: ${rec.error.message}`, "perf-failed");
  const advice = permissionAdvice(rec.stderr);
  if (advice) throw new RecordError(advice, "permission");
  if (/unknown tracepoint/.test(rec.stderr)) {
    const which = /event syntax error: '([^']+)'/.exec(rec.stderr)?.[1] ?? "one of the tracepoints";
    throw new RecordError(`this kernel lacks the tracepoint ${which} (see 'perf list'; mmsim record needs ${TRACE_EVENTS.join(", ")})`, "tracepoint");
  }
  if (!existsSync(data) || statSync(data).size === 0) {
    throw new RecordError(`perf record wrote no data (exit ${rec.code ?? rec.signal})${rec.stderr.trim() ? `: ${rec.stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`, "perf-failed");
  }

  const fd = openSync(output, "w");
  let script: Ran;
  try {
    script = await run(perf, perfScriptArgs(data), io, cwd, fd, (l) => !NOISE.test(l));
  } finally {
    closeSync(fd);
  }
  if (script.error) throw new RecordError(`cannot run ${perf} script: ${script.error.message}`, "perf-failed");
  if (script.code !== 0) throw new RecordError(`perf script failed (exit ${script.code ?? script.signal}): ${script.stderr.trim().split("\n").slice(-3).join(" | ")}`, "perf-failed");
  if (!opts.keepData) rmSync(data, { force: true });
  const text = readFileSync(output, "utf8");
  const lines = text.length ? text.split("\n").length - (text.endsWith("\n") ? 1 : 0) : 0;
  // Ctrl-C before perf had the program running (perf then stops it before its exec): an empty trace replays nothing.
  if (interrupted && lines === 0) throw new RecordError("the recording was interrupted (Ctrl-C) before perf recorded any event: no trace written", "interrupted");
  return { trace: output, lines, commandStatus: rec.code ?? 128, interrupted };
}

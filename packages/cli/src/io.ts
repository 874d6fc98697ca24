/**
 * Where the CLI writes. Commands take an Io instead of touching `process`, so
 * tests (and programs embedding the CLI) can run them in-process.
 */
import { fstatSync, writeSync } from "node:fs";
import { CliError } from "./errors.js";
import { fsReason } from "./fs-reason.js";

export interface Io {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** A terminal the progress bar may draw on, or null for no progress bar. */
  readonly progress: NodeJS.WritableStream | null;
  /** The directory relative workload and plugin paths are resolved against. */
  readonly cwd: string;
}

/**
 * Standard output was closed by its reader (`mmsim ... | head`): thrown by the
 * next write, so the command stops at once; `main` ends quietly with exit 0.
 */
export class OutputClosed extends Error {
  constructor() {
    super("standard output closed");
    this.name = "OutputClosed";
  }
}

/**
 * `text` to `stream`, unless the reader has gone: a failed write (EPIPE) destroys
 * the stream at once, so the write after it throws OutputClosed instead of
 * going on; the stream's own 'error' event (EPIPE) is swallowed.
 */
function writeTo(stream: NodeJS.WriteStream, text: string | Uint8Array): void {
  if (stream.destroyed) throw new OutputClosed();
  if (stream.listenerCount("error") === 0) stream.on("error", ignorePipeError);
  stream.write(text);
}

function ignorePipeError(e: NodeJS.ErrnoException): void {
  if (e.code !== "EPIPE") throw cannotWrite(e);
}

/**
 * Standard output that cannot take what is written (a full disk: ENOSPC, EIO, EFBIG)
 * is the run's failure, said in one line (exit code 1), not an internal error.
 */
function cannotWrite(e: unknown): unknown {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? new CliError(`cannot write to standard output: ${fsReason(e)}`) : e;
}

/**
 * Standard error is where mmsim reports, so a write it cannot take has nowhere to
 * be reported: it is dropped, and the exit code stays what the run decided (a
 * full stderr must not turn "no rule broken" into a failure).
 */
function ignoreError(): void {}

let stdout_mutant: "no-fallback" | null = null;
/** Set (or clear, null) the standard output writer's mutant (tests only): "no-fallback" throws a would-block write's EAGAIN instead of handing the rest to process.stdout. */
export function set_stdout_mutant(m: typeof stdout_mutant): void {
  stdout_mutant = m;
}

/**
 * A writer of standard output that writes to file descriptor `fd` (1) itself,
 * with fs.writeSync, without process.stdout: making that stream costs a plain
 * `mmsim run` ~0.3 ms for a file and ~1.5 ms for a pipe (a net.Socket: what the
 * bench's side-by-side run reads through), and its first write ~0.3 ms more
 * (issue #10 start-up and exit). The same bytes in the same order: on Linux,
 * process.stdout writes files, pipes and terminals synchronously too. A write
 * the descriptor cannot take now (EAGAIN: a non-blocking pipe that is full) hands
 * the rest to process.stdout, which waits for the reader, and so does every later
 * write, so that nothing overtakes it. A reader gone (EPIPE) is OutputClosed at
 * once; any other failure (ENOSPC, EIO) is a CliError saying why. On Windows,
 * process.stdout (its console writes UTF-16).
 */
export function stdoutWriter(fd = 1, stream: () => NodeJS.WriteStream = () => process.stdout): (text: string) => void {
  let queued: NodeJS.WriteStream | null = process.platform === "win32" ? stream() : null;
  return (text) => {
    if (queued !== null) return writeTo(queued, text);
    const bytes = Buffer.from(text, "utf8");
    for (let at = 0; at < bytes.length; ) {
      try {
        at += writeSync(fd, bytes, at);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EPIPE") throw new OutputClosed();
        // A full disk (ENOSPC), an I/O error...: the command's failure, said in one line (exit 1).
        if (code !== "EAGAIN") throw cannotWrite(e);
        if (stdout_mutant === "no-fallback") throw e;
        queued = stream();
        return writeTo(queued, bytes.subarray(at));
      }
    }
  };
}

/**
 * Whether standard error is a terminal (a progress bar may draw on it), without
 * making process.stderr when it is a file or a pipe (~0.3 ms, ~1.4 ms for a
 * pipe's net.Socket): a terminal is a character device, a file or a pipe is not
 * (/dev/null is one: process.stderr.isTTY then says). The stat is a BigInt one
 * on purpose: Node 20's fs.realpathSync, which its module resolver uses, reads
 * the result of the last plain stat call (a shared array) to stop at a pipe, and
 * a plain fstatSync of a pipe on fd 2 made it leave a symlinked package's path
 * unresolved (the workspace's node_modules/@mmsim/core): core then loaded a
 * second time under that path. stdout-writer.test.ts checks that it does not.
 */
function stderrIsTerminal(): boolean {
  if (process.platform !== "win32" && !fstatSync(2, { bigint: true }).isCharacterDevice()) return false;
  return process.stderr.isTTY === true;
}

/** The real process: stdout (stdoutWriter()), stderr, and a progress bar only when stderr is a terminal. */
export function processIo(): Io {
  return {
    out: stdoutWriter(),
    err: (text) => {
      if (process.stderr.listenerCount("error") === 0) process.stderr.on("error", ignoreError);
      if (!process.stderr.destroyed) process.stderr.write(text);
    },
    progress: stderrIsTerminal() ? process.stderr : null,
    cwd: process.cwd(),
  };
}

/** An Io that collects what is written (no progress bar). */
export interface BufferIo extends Io {
  readonly stdout: string;
  readonly stderr: string;
}

export function bufferIo(cwd: string = process.cwd()): BufferIo {
  let stdout = "";
  let stderr = "";
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    progress: null,
    cwd,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

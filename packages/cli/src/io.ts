/**
 * Where the CLI writes. Commands take an Io instead of touching `process`, so
 * tests (and programs embedding the CLI) can run them in-process.
 */
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
function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (stream.destroyed) throw new OutputClosed();
  if (stream.listenerCount("error") === 0) stream.on("error", ignorePipeError);
  stream.write(text);
}

function ignorePipeError(e: NodeJS.ErrnoException): void {
  if (e.code !== "EPIPE") throw e;
}

/** The real process: stdout, stderr, and a progress bar only when stderr is a terminal. */
export function processIo(): Io {
  return {
    out: (text) => writeTo(process.stdout, text),
    err: (text) => writeTo(process.stderr, text),
    progress: process.stderr.isTTY ? process.stderr : null,
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

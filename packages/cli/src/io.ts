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

/** The real process: stdout, stderr, and a progress bar only when stderr is a terminal. */
export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
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

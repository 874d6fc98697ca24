/** The errors @mmsim/host throws, by what went wrong. */

/** The real-kernel referee cannot run here: not Linux, no C compiler, the helper did not build, no usable cache. */
export class HostUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HostUnavailableError";
  }
}

/** The helper broke the protocol (or could not be run). */
export class HostProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HostProtocolError";
  }
}

/** compileC() could not build a C program: no compiler, or the compiler failed. */
export class CompileError extends Error {
  /** The command that failed (compiler and arguments), when one ran. */
  readonly command: readonly string[] | null;
  /** The compiler's stderr and stdout, or why it could not start. */
  readonly output: string;

  constructor(message: string, command: readonly string[] | null = null, output = "") {
    super(message);
    this.name = "CompileError";
    this.command = command;
    this.output = output;
  }
}

/** The cache directory is unusable: owned by someone else, writable by others, not a directory, not creatable. */
export class CacheDirError extends Error {
  readonly dir: string;

  constructor(message: string, dir: string) {
    super(message);
    this.name = "CacheDirError";
    this.dir = dir;
  }
}

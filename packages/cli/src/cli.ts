/**
 * The mmsim command line. `main(argv, io)` parses and runs one command and
 * returns its exit code; it never calls process.exit, so tests and embedding
 * programs can run it in-process.
 *
 * A plain `mmsim run` line (run-argv.ts) is run at once; every other line goes
 * to the commander program (program.ts), imported only then: `mmsim run` loads
 * no commander (issue #10 start-up).
 */
import { processIo, type Io } from "./io.js";
import { reportError } from "./report.js";
import { plainRun } from "./run-argv.js";

/** Runs the command in `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const run = plainRun(argv);
  if (run === null) return (await import("./program.js")).runProgram(argv, io);
  try {
    return await (await import("./commands/run.js")).runCommand(run.target, run.opts, io);
  } catch (e) {
    return reportError(e, io);
  }
}

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
import type { RunCommandOptions } from "./commands/run.js";
import { loadArch } from "./arch-load.js";

/** Runs the command in `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const run = plainRun(argv);
  if (run === null) return (await import("./program.js")).runProgram(argv, io);
  prefetch(run.opts);
  try {
    return await (await import("./commands/run.js")).runCommand(run.target, run.opts, io);
  } catch (e) {
    return reportError(e, io);
  }
}

/**
 * Starts importing the bundled reclaim plugin's package and the arch package a
 * plain run names, while run's own modules (and core) load: runCommand() then
 * imports them again and finds them loaded or loading (one module map), where
 * it used to wait for each in turn. Nothing is run or reported here: the
 * packages have no side effects ("sideEffects": false), and a failure is
 * ignored (runCommand's own import fails the same way and reports it).
 */
function prefetch(opts: RunCommandOptions): void {
  if (opts.reclaim.kind === "registry") opts.reclaim.entry.load().catch(() => undefined);
  loadArch(opts.arch).catch(() => undefined);
}

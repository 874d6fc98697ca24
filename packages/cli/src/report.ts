/** How a command's failure ends the process: what main() (cli.ts) and the commander program (program.ts) print and return. */
import { CliError, EXIT_FAILURE, EXIT_OK } from "./errors.js";
import { OutputClosed, type Io } from "./io.js";

/** The exit code for an error a command threw, after printing it (a CliError's message, or an internal error's stack). */
export function reportError(e: unknown, io: Io): number {
  if (e instanceof OutputClosed) return EXIT_OK; // `| head` has read what it wanted
  if (e instanceof CliError) {
    io.err(`error: ${e.message}\n`);
    return e.exitCode;
  }
  io.err(`error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT_FAILURE;
}

/** What a command's failure prints and exits with (commander's own parse errors aside: cli.ts). */
import { CliError, EXIT_FAILURE, EXIT_OK } from "./errors.js";
import { OutputClosed, type Io } from "./io.js";

/** A closed stdout ends quietly (0); a CliError prints `error: <message>`; anything else is an internal error, with its stack. */
export function reportError(e: unknown, io: Io): number {
  if (e instanceof OutputClosed) return EXIT_OK; // `| head` has read what it wanted
  if (e instanceof CliError) {
    io.err(`error: ${e.message}\n`);
    return e.exitCode;
  }
  io.err(`error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT_FAILURE;
}

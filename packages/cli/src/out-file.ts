/**
 * A file an option names for mmsim to write (`conformance --junit FILE`): checked
 * before the run, so a typo in its directory fails at once rather than after a
 * campaign of minutes, and written at the end; either failure is one line,
 * `--junit FILE: cannot write it: <reason>` (exit code 1), never an internal error.
 */
import { closeSync, openSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { CliError } from "./errors.js";
import { fsReason } from "./fs-reason.js";

function cannotWrite(option: string, file: string, e: unknown): CliError {
  return new CliError(`${option} ${file}: cannot write it: ${fsReason(e)}`);
}

/** Throws the CliError the final write would, now: `file` is a directory, in a directory that does not exist, or not writable. Opening it to append creates it empty and changes nothing else. */
export function checkWritable(option: string, file: string, cwd: string): void {
  try {
    closeSync(openSync(resolve(cwd, file), "a"));
  } catch (e) {
    throw cannotWrite(option, file, e);
  }
}

/** Writes `text` to `file` (relative to `cwd`). */
export function writeOutFile(option: string, file: string, text: string, cwd: string): void {
  try {
    writeFileSync(resolve(cwd, file), text);
  } catch (e) {
    throw cannotWrite(option, file, e);
  }
}

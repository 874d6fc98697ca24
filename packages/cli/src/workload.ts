/**
 * Loading a workload: a builtin name (BUILTIN_WORKLOADS) or a script file. The
 * script is parsed and then preflighted (preflightScript: every statement
 * resolved once per loop, at the loop's first and last iteration, nothing
 * unrolled), so a bad operand anywhere is reported before anything runs and
 * `repeat 1000000000000` starts at once.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import { BUILTIN_WORKLOADS, builtinScript, parseScript, preflightScript, ScriptError, type Script } from "@mmsim/core/workload";
import { CliError } from "./errors.js";
import { fsReason } from "./fs-reason.js";

export { fsReason };

export interface Workload {
  /** As given on the command line: a builtin name or a file path. */
  readonly spec: string;
  readonly builtin: boolean;
  readonly script: Script;
  /** Operations the script performs (loops counted, not unrolled). */
  readonly ops: number;
  /** Status lines the script prints. */
  readonly statuses: number;
}

export function builtinNames(): string[] {
  return Object.keys(BUILTIN_WORKLOADS);
}

export async function loadWorkload(spec: string, cwd: string): Promise<Workload> {
  const builtin = builtinScript(spec);
  const script = builtin ?? parse(await readScript(spec, cwd), spec);
  return { spec, builtin: builtin !== undefined, script, ...preflight(script) };
}

/**
 * Read synchronously: the same text and errors as fs/promises' readFile (same
 * codes and messages), without loading node:fs/promises and its
 * open/stat/read/close round trips through the thread pool (~1 ms of `mmsim
 * run`'s start-up, issue #10); at most MAX_SCRIPT_BYTES.
 */
async function readScript(spec: string, cwd: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync(resolve(cwd, spec), "r");
  } catch (e) {
    throw new CliError(`cannot read ${spec}: ${fsReason(e)}${builtinHint(spec, e)}`);
  }
  try {
    return readCapped(fd, spec);
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(`cannot read ${spec}: ${fsReason(e)}`);
  } finally {
    closeSync(fd);
  }
}

/** The most a script file may hold: a workload is a few lines, a big one a `repeat`. */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

/**
 * The file's text, read as readFileSync(fd, "utf8") would, but at most
 * MAX_SCRIPT_BYTES: an endless file (/dev/zero, a FIFO that never ends) or a huge
 * one is an error instead of exhausting memory (a native std::bad_alloc abort).
 */
function readCapped(fd: number, spec: string): string {
  const tooLarge = () => new CliError(`cannot read ${spec}: it is larger than ${MAX_SCRIPT_BYTES / 1024 / 1024} MiB (a workload script is text: write a big workload as a repeat loop)`);
  const st = fstatSync(fd);
  if (st.isFile() && st.size > MAX_SCRIPT_BYTES) throw tooLarge();
  // Regular files: one read of their size (+1 to see growth); others (devices, pipes) in chunks.
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(Math.max(st.isFile() ? st.size + 1 : 0, 65536), MAX_SCRIPT_BYTES + 1 - total));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    total += n;
    if (total > MAX_SCRIPT_BYTES) throw tooLarge();
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

function builtinHint(spec: string, e: unknown): string {
  const missing = e instanceof Error && "code" in e && e.code === "ENOENT";
  if (!missing || /[\\/.]/.test(spec)) return "";
  return ` (no builtin workload is named '${spec}' either: ${builtinNames().join(", ")})`;
}

function parse(text: string, file: string): Script {
  try {
    return parseScript(text, file);
  } catch (e) {
    throw asCliError(e);
  }
}

/** Checks every operand once per loop (no simulation, no unrolling): counts ops and status lines, surfaces operand errors. */
function preflight(script: Script): { ops: number; statuses: number } {
  try {
    return preflightScript(script);
  } catch (e) {
    throw asCliError(e);
  }
}

/** A ScriptError's message already reads `file:line:col: reason`. */
function asCliError(e: unknown): unknown {
  return e instanceof ScriptError ? new CliError(e.message) : e;
}

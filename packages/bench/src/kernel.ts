/**
 * The real kernel's share of the bench: compile bench/seedloop.c with the
 * system C compiler (@mmsim/host's compileC: cached in the per-user cache
 * directory, `$XDG_CACHE_HOME/mmsim` or `~/.cache/mmsim`) and run it.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileC } from "@mmsim/host";

/** packages/bench/seedloop.c: ../seedloop.c from dist/ (the built bench) and from src/ (the sources). */
export function seedloopSource(): string {
  const file = fileURLToPath(new URL("../seedloop.c", import.meta.url));
  if (!existsSync(file)) throw new Error(`seedloop.c not found (looked at ${file})`);
  return file;
}

export interface KernelStatus {
  VmSize: number;
  VmRSS: number;
  VmPTE: number;
}

export interface KernelRun {
  thp: string;
  seconds: number;
  chunks: number;
  faults: number;
  before: KernelStatus;
  after: KernelStatus;
}

/** Compiles the source once per content and compiler (`cc -O2`); returns the binary's path. */
export function buildSeedloop(cc: string, source: string = seedloopSource(), cacheDir?: string): string {
  return compileC(source, { name: "seedloop", cc, cacheDir });
}

export function runSeedloop(bin: string): KernelRun {
  return parseSeedloop(execFileSync(bin, [], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
}

const STATUS = /^status (\w+) VmSize=(-?\d+) VmRSS=(-?\d+) VmPTE=(-?\d+)$/;
const LOOP = /^loop seconds=([\d.]+) chunks=(\d+) faults=(\d+)$/;

/** Parses seedloop's machine-readable lines. */
export function parseSeedloop(output: string): KernelRun {
  const statuses = new Map<string, KernelStatus>();
  let loop: RegExpExecArray | null = null;
  let thp = "unknown";
  for (const line of output.split("\n")) {
    const s = STATUS.exec(line);
    if (s) statuses.set(s[1], { VmSize: Number(s[2]), VmRSS: Number(s[3]), VmPTE: Number(s[4]) });
    loop ??= LOOP.exec(line);
    if (line.startsWith("thp ")) thp = line.slice(4);
  }
  const before = statuses.get("before");
  const after = statuses.get("after");
  if (!before || !after || !loop) throw new Error(`seedloop: unexpected output:\n${output}`);
  return { thp, seconds: Number(loop[1]), chunks: Number(loop[2]), faults: Number(loop[3]), before, after };
}

/**
 * The real kernel's share of the bench: compile bench/seedloop.c with `cc`
 * (cached under os.tmpdir()/mmsim-bench by a hash of the source) and run it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/cli/bench/seedloop.c, found from dist/ (the built bench) or src/bench/ (the sources). */
export function seedloopSource(): string {
  const candidates = ["../bench/seedloop.c", "../../bench/seedloop.c"].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`seedloop.c not found (looked at ${candidates.join(", ")})`);
  return found;
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

/** The first executable `name` on PATH, or null. */
export function which(name: string, path: string = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** Compiles the source once per content; returns the binary's path. */
export function buildSeedloop(cc: string, source: string = seedloopSource()): string {
  const text = readFileSync(source);
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 12);
  const dir = join(tmpdir(), "mmsim-bench");
  const bin = join(dir, `seedloop-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  execFileSync(cc, ["-O2", "-o", tmp, source], { stdio: ["ignore", "ignore", "pipe"] });
  renameSync(tmp, bin);
  return bin;
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

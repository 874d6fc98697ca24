/**
 * Which lock the running kernel's madvise() takes for each advice, measured
 * (helper/madvise-lock.c), beside the model's madvise_lock_mode() for the era
 * that stands for the running kernel. Which lock a path holds decides which
 * races it can take part in, so this is the real kernel as referee for the
 * explorer's locking, as checkHost() is for the figures.
 *
 * The probe is a timing probe: another thread holds the mmap lock (for writing,
 * then for reading) while madvise() runs on a VMA of its own; madvise() that
 * returns fast did not wait for it. Each advice gets several tries per holder
 * and a verdict only when the counts agree (madviseLockVerdict()); a machine
 * too busy to tell leaves an advice "unknown" rather than guessing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { MADV_POPULATE_READ, MADV_POPULATE_WRITE, madvise_behavior_valid, madvise_lock_mode, type KernelEra, type MadviseLockMode } from "@mmsim/core";
import { compileC } from "./compile.js";
import { CacheDirError, CompileError, HostUnavailableError } from "./errors.js";
import { checkHostSupport, type HelperOptions } from "./helper.js";
import { packageDir } from "./paths.js";

const PROBE_FILE = "madvise-lock.c";

/** Tries counted fast and slow under one holder (the probe's counts, summed over rounds). */
export interface HolderCounts {
  fast: number;
  slow: number;
}

/** One advice as the kernel handled it. */
export interface MadviseLockProbe {
  advice: number;
  /** While another thread held the mmap lock for writing / for reading. */
  write: HolderCounts;
  read: HolderCounts;
  /** madvise()'s return value and errno in the probe's last try (0, 0 when it succeeded). */
  ret: number;
  errno: number;
  /** The lock it took, or "unknown" when the counts do not tell (madviseLockVerdict()). */
  lock: MadviseLockMode | "unknown";
}

/**
 * A holder's verdict: "fast" when at least 2 counted tries were fast and fast
 * tries outnumber slow ones 3 to 1, "slow" the other way round, else
 * undecided (null).
 */
export function holderVerdict(c: HolderCounts): "fast" | "slow" | null {
  if (c.fast >= 2 && c.fast >= 3 * c.slow) return "fast";
  if (c.slow >= 2 && c.slow >= 3 * c.fast) return "slow";
  return null;
}

/**
 * The lock, from both holders' verdicts: past a writer → the per-VMA lock
 * ("vma"); waits for a writer but not for a reader → mmap_read_lock ("read");
 * waits for both → mmap_write_lock ("write"). Anything else (undecided, or past
 * a writer yet waiting for a reader, which no lock does) is "unknown".
 */
export function madviseLockVerdict(write: HolderCounts, read: HolderCounts): MadviseLockMode | "unknown" {
  const w = holderVerdict(write);
  const r = holderVerdict(read);
  if (w === "fast") return r === "fast" ? "vma" : "unknown";
  if (w === "slow" && r === "fast") return "read";
  if (w === "slow" && r === "slow") return "write";
  return "unknown";
}

export interface ProbeOptions extends HelperOptions {
  /** Runs of the probe per holder at most (default 3); later runs only for advice still undecided. */
  rounds?: number;
}

/** The shipped probe source: helper/madvise-lock.c in the package. */
export function madviseLockProbeSource(): string {
  const p = join(packageDir(), "helper", PROBE_FILE);
  if (!existsSync(p)) throw new HostUnavailableError(`mmsim host: probe source ${PROBE_FILE} not found (looked in ${p})`);
  return p;
}

function compileProbe(opts: ProbeOptions): string {
  const cc = checkHostSupport(opts);
  try {
    return compileC(opts.source ?? madviseLockProbeSource(), { name: "madvise-lock", cc, flags: ["-O2", "-pthread"], cacheDir: opts.cacheDir, env: opts.env });
  } catch (e) {
    if (e instanceof CompileError || e instanceof CacheDirError) throw new HostUnavailableError(`mmsim host: building the madvise-lock probe failed: ${e.message}`);
    throw e;
  }
}

/** Parses the probe's lines "ADVICE FAST SLOW RET ERRNO". */
export function parseProbeOutput(out: string): Map<number, { fast: number; slow: number; ret: number; errno: number }> {
  const m = new Map<number, { fast: number; slow: number; ret: number; errno: number }>();
  for (const [i, line] of out.split("\n").entries()) {
    if (line === "") continue;
    const f = line.split(" ");
    if (f.length !== 5 || !f.every((x) => /^-?\d+$/.test(x))) throw new HostUnavailableError(`mmsim host: madvise-lock probe: line ${i + 1} is not "ADVICE FAST SLOW RET ERRNO": ${JSON.stringify(line)}`);
    const [advice, fast, slow, ret, errno] = f.map(Number) as [number, number, number, number, number];
    m.set(advice, { fast, slow, ret, errno });
  }
  return m;
}

function runProbe(bin: string, holder: "write" | "read", advices: readonly number[]): Map<number, { fast: number; slow: number; ret: number; errno: number }> {
  const r = spawnSync(bin, [holder, ...advices.map(String)], { encoding: "utf8" });
  if (r.error) throw new HostUnavailableError(`mmsim host: madvise-lock probe: ${r.error.message}`);
  if (r.status !== 0) throw new HostUnavailableError(`mmsim host: madvise-lock probe (${holder} holder) exited with status ${r.status}: ${r.stderr.trim()}`);
  return parseProbeOutput(r.stdout);
}

/**
 * Probes each advice (MADV_* numbers) on the running kernel. Needs Linux and a
 * C compiler (HostUnavailableError otherwise); maps 1 GiB of populated memory
 * while it runs, and takes ~0.1 s per advice and round on a quiet machine.
 */
export function probeMadviseLocks(advices: readonly number[], opts: ProbeOptions = {}): MadviseLockProbe[] {
  for (const a of advices) if (!Number.isInteger(a) || a < 0 || a > 2 ** 31 - 1) throw new RangeError(`probeMadviseLocks(): advice ${String(a)} is not an advice number (an integer 0 .. 2^31-1)`);
  const rounds = opts.rounds ?? 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`probeMadviseLocks(): rounds ${String(rounds)} is not a count (an integer >= 1)`);
  const bin = compileProbe(opts);
  const res = new Map<number, MadviseLockProbe>(
    advices.map((advice) => [advice, { advice, write: { fast: 0, slow: 0 }, read: { fast: 0, slow: 0 }, ret: 0, errno: 0, lock: "unknown" }]),
  );
  let todo = [...new Set(advices)];
  for (let round = 0; round < rounds && todo.length > 0; round++) {
    for (const holder of ["write", "read"] as const) {
      for (const [advice, c] of runProbe(bin, holder, todo)) {
        const p = res.get(advice);
        if (p === undefined) continue;
        p[holder].fast += c.fast;
        p[holder].slow += c.slow;
        p.ret = c.ret;
        p.errno = c.errno;
      }
    }
    for (const p of res.values()) p.lock = madviseLockVerdict(p.write, p.read);
    todo = todo.filter((a) => res.get(a)!.lock === "unknown");
  }
  return advices.map((a) => res.get(a)!);
}

/**
 * The model's era that stands for a kernel release ("6.18.44-..."): "6.18" for
 * 6.17 and 6.18 (the per-VMA lock for MADV_DONTNEED/MADV_FREE came in 6.17;
 * the guard advice took it only after 6.18); null for other releases, which
 * the model's eras do not claim to match lock for lock.
 */
export function lockEraOfRelease(rel: string = release()): KernelEra | null {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  if (m === null) return null;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  return v >= 6017 && v <= 6018 ? "6.18" : null;
}

/** The advice numbers the model implements in `era` (madvise_behavior_valid()), and MADV_POPULATE_READ/WRITE. */
export function modelAdvice(era: KernelEra): number[] {
  const out: number[] = [];
  for (let a = 0; a <= 128; a++) if (madvise_behavior_valid(a, era) || a === MADV_POPULATE_READ || a === MADV_POPULATE_WRITE) out.push(a);
  return out;
}

/** One advice's comparison: the kernel's lock (measured) and the model's. */
export interface MadviseLockComparison extends MadviseLockProbe {
  model: MadviseLockMode;
  /** "match", "mismatch", or "unknown" (the probe could not tell, or the kernel refused the advice). */
  verdict: "match" | "mismatch" | "unknown";
}

/**
 * Probes compared with the model's `madvise_lock_mode(advice, era)` (or
 * another table, for tests). An advice the kernel refused (-1) is "unknown":
 * the lock it would take is not observable.
 */
export function compareMadviseLocks(probes: readonly MadviseLockProbe[], era: KernelEra, model: (advice: number, era: KernelEra) => MadviseLockMode = madvise_lock_mode): MadviseLockComparison[] {
  return probes.map((p) => {
    const m = model(p.advice, era);
    const verdict = p.ret !== 0 || p.lock === "unknown" ? "unknown" : p.lock === m ? "match" : "mismatch";
    return { ...p, model: m, verdict };
  });
}

/** A table of comparisons, one line per advice, for people. */
export function formatMadviseLocks(rows: readonly MadviseLockComparison[], names: (advice: number) => string = String): string {
  const lines = [`${"advice".padEnd(22)}kernel   model    verdict   (fast/slow tries behind a writer; behind a reader)`];
  for (const r of rows) {
    const k = r.ret !== 0 ? `errno ${r.errno}` : r.lock;
    lines.push(`${names(r.advice).padEnd(21)} ${k.padEnd(9)}${r.model.padEnd(9)}${r.verdict.padEnd(10)}(${r.write.fast}/${r.write.slow}; ${r.read.fast}/${r.read.slow})`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Differential fuzzing against the running kernel (`mmsim check-host --random N
 * --seed S`): seeded random workload scripts, each run on this machine's kernel
 * and on the simulator and compared line by line (checkHost); a mismatch is
 * shrunk by delta debugging over its statements, re-running both sides, and
 * given with a command that replays exactly that case.
 *
 * The scripts are made to be compared fairly (README, "The corpus"): every
 * mmap at a fixed `@ADDR` in an untouched 512 GiB slot (0x200000000000 + k *
 * 0x8000000000, below the helper's libraries), so the tables they need are all
 * new; the THP mode, RAM and overcommit policy are the machine's (checkHost
 * simulates them); memory pressure (`reclaim`) is always larger than anything
 * the script maps, so it takes every lazily freed page on both sides (a partial
 * reclaim takes a different number of pages: known-gaps.json,
 * `free-reclaim-oldest`). Touches are bounded (at most MAX_FAULTS_PER_TOUCH
 * accesses each, MAX_FAULTS per script) so a script runs in well under a second
 * and within a few hundred MiB even when every access is a THP.
 *
 * Not generated, because the workload language (core, ast.ts) and the helper
 * protocol have no statement for them: mremap, fork. Advice is every advice
 * core's madvise_behavior_valid() accepts in the 6.18 era, plus
 * MADV_POPULATE_READ/WRITE (22, 23; do_madvise() in core's populate.ts) when the
 * model implements them, and nothing else (MADV_COLLAPSE, MADV_REMOVE: the model
 * refuses advice it does not implement, a documented difference).
 *
 * Same seed and case: the same script, byte for byte (a 32-bit PRNG seeded from
 * both, no Math.random, no clock): `--case K` regenerates case K alone.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { EINVAL, Engine, MADV_POPULATE_READ, MADV_POPULATE_WRITE, madvise_behavior_valid } from "@mmsim/core";
import { ADVICE, parseScript, type Script } from "@mmsim/core/workload";
import { checkHost, type CheckOptions, type ScriptComparison } from "./check.js";

const K = 1024;
const M = 1024 * K;
const G = 1024 * M;
const PAGE = 4 * K;
/** The first untouched 512 GiB slot the corpus uses; slot k is SLOT0 + k * SLOT_SIZE. */
const SLOT0 = 0x200000000000;
const SLOT_SIZE = 0x8000000000;
/** Accesses one touch makes at most (len / stride). */
export const MAX_FAULTS_PER_TOUCH = 64;
/** Accesses a script makes at most (touches and populate advice, counted in pages or THPs). */
export const MAX_FAULTS = 256;

/** A small deterministic PRNG (mulberry32) seeded from (seed, case). */
export class Rng {
  private s: number;
  constructor(seed: number, stream = 0) {
    // splitmix-style mixing of both numbers into 32 bits
    let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((stream + 0x7f4a7c15) >>> 0, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
    this.s = (h ^ (h >>> 16)) >>> 0;
  }
  /** A uint32. */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 0x100000000) * n);
  }
  /** true with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

/** `0x…` for addresses, else a size with the largest unit that divides it (4K, 2M, 1G). */
function size(n: number): string {
  if (n > 0 && n % G === 0) return `${n / G}G`;
  if (n > 0 && n % M === 0) return `${n / M}M`;
  if (n > 0 && n % K === 0) return `${n / K}K`;
  return String(n);
}
const hex = (n: number) => `0x${n.toString(16)}`;

/** Mapping sizes: pages, odd page counts, a PMD less/more a page, PMD multiples, GiBs (and more than this machine's RAM: ENOMEM in overcommit mode 0 on both sides). */
const SIZES = [4 * K, 8 * K, 20 * K, 64 * K, 2 * M - PAGE, 2 * M, 2 * M + PAGE, 4 * M, 6 * M + 12 * K, 16 * M, 64 * M, 1 * G, 1 * G + 2 * M, 2 * G, 4 * G + 4 * M, 32 * G, 200 * G];
/** Where in its slot a mapping starts: the slot's start, just below a PMD or a PUD boundary (a range crossing it), a PMD boundary, a page. */
const PLACES = [0, 2 * M - PAGE, 2 * M - 8 * K, 1 * G - 2 * M, 1 * G - PAGE, 1 * G - 4 * M, 6 * M, 3 * G + 4 * K];


/** MADV_DONTNEED_LOCKED (5.18+), a raw number: the workload language names no advice for it. */
const MADV_DONTNEED_LOCKED = 24;

/**
 * The advice a random script gives: every advice the workload language names
 * (core's ADVICE table) that core's madvise_behavior_valid() accepts in the
 * 6.18 era, plus the raw numbers the model implements without a name:
 * MADV_DONTNEED_LOCKED, MADV_POPULATE_READ/WRITE (do_madvise() handles those
 * before madvise_behavior_valid(); implemented when the model's madvise() does
 * not refuse an empty range with -EINVAL).
 */
export function fuzzAdvice(): (string | number)[] {
  const p = new Engine({ arch: x86_64() }).spawn();
  const named = Object.entries(ADVICE)
    .filter(([, n]) => madvise_behavior_valid(n, "6.18"))
    .map(([a]) => a);
  const raw = [MADV_DONTNEED_LOCKED, MADV_POPULATE_READ, MADV_POPULATE_WRITE].filter((n) => madvise_behavior_valid(n, "6.18") || p.madvise(0, 0, n) !== -EINVAL);
  return [...named, ...raw];
}

export interface RandomScriptOptions {
  /** Give `reclaim` statements (memory pressure; on the host a memory cgroup, which needs root and cgroup v1's memory controller). Default true. */
  reclaim?: boolean;
  /** The advice to draw from (default fuzzAdvice()). */
  advice?: readonly (string | number)[];
}

interface Mapping {
  name: string;
  addr: number;
  len: number;
}

/**
 * Random script `index` of `seed`: text, the same byte for byte for the same
 * (seed, index, options). One to four mappings at fixed addresses, then 4 to 30
 * operations, each followed by a status line.
 */
export function randomScript(seed: number, index: number, opts: RandomScriptOptions = {}): string {
  const r = new Rng(seed, index);
  const advice = opts.advice ?? fuzzAdvice();
  const out: string[] = [`# mmsim check-host --random: seed ${seed}, case ${index}`];
  const maps: Mapping[] = [];
  const nmaps = 1 + r.int(4);
  let status = 0;
  const st = () => out.push(`status s${status++}`);
  for (let i = 0; i < nmaps; i++) {
    const len = r.pick(SIZES);
    const prev = maps[maps.length - 1];
    // Now and then right after the previous mapping (the VMAs merge, or split later), else a slot of its own.
    const addr = prev !== undefined && r.chance(0.25) ? prev.addr + prev.len : SLOT0 + i * SLOT_SIZE + r.pick(PLACES);
    const words = [`mmap m${i}`, size(len)];
    if (r.chance(0.12)) words.push(r.pick(["r", "none"]));
    if (r.chance(0.15)) words.push("shared");
    if (r.chance(0.3)) words.push(r.pick(["hugepage", "nohugepage"]));
    if (r.chance(0.1)) words.push("noreserve");
    words.push(`@${hex(addr)}`);
    out.push(words.join(" "));
    maps.push({ name: `m${i}`, addr, len });
  }
  st();
  let faults = 0;
  const nops = 4 + r.int(27);
  for (let i = 0; i < nops; i++) {
    const m = r.pick(maps);
    const [off, len] = range(r, m.len);
    const kind = r.int(100);
    if (kind < 30) {
      // touch: write or read, a stride that keeps it within MAX_FAULTS_PER_TOUCH accesses
      let stride = r.pick([PAGE, PAGE, 16 * K, 2 * M, 2 * M + PAGE, 1 * G]);
      while (Math.ceil(len / stride) > MAX_FAULTS_PER_TOUCH) stride *= 2;
      const n = Math.ceil(len / stride);
      if (faults + n > MAX_FAULTS) continue;
      faults += n;
      out.push(`touch ${m.name} ${size(off)} ${size(len)} ${r.chance(0.7) ? "write" : "read"}${stride === PAGE ? "" : ` ${size(stride)}`}`);
    } else if (kind < 70) {
      let a = r.pick(advice);
      if ((a === MADV_POPULATE_READ || a === MADV_POPULATE_WRITE) && len / PAGE > 64) {
        // populate faults in every page: only small ranges
        if (faults + 64 > MAX_FAULTS) a = "dontneed";
        else {
          faults += 64;
          out.push(`madvise ${m.name} ${size(off)} ${size(Math.min(len, 64 * PAGE))} ${a}`);
          st();
          continue;
        }
      }
      out.push(`madvise ${m.name} ${size(off)} ${size(len)} ${a}`);
    } else if (kind < 82) {
      out.push(`mprotect ${m.name} ${size(off)} ${size(len)} ${r.pick(["rw", "r", "none"])}`);
    } else if (kind < 92) {
      out.push(`munmap ${m.name} ${size(off)} ${size(len)}`);
    } else if (kind < 96 && opts.reclaim !== false) {
      // More than the script can have mapped: every lazily freed page goes, on both sides.
      out.push(`reclaim 64G${r.chance(0.5) ? " direct" : ""}`);
    } else {
      // a new mapping where one was, or next to one (EEXIST when it overlaps)
      const len2 = r.pick(SIZES.slice(0, 10));
      const addr = r.chance(0.5) ? m.addr + off : m.addr + m.len;
      const name = `m${maps.length}`;
      out.push(`mmap ${name} ${size(len2)}${r.chance(0.3) ? " hugepage" : ""} @${hex(addr)}`);
      maps.push({ name, addr, len: len2 });
    }
    st();
  }
  return out.join("\n") + "\n";
}

/** An (offset, length) in a mapping of `len` bytes: the whole of it, a part, PMD- or PUD-aligned pieces, a range running past its end, rarely an unaligned offset (EINVAL). */
function range(r: Rng, len: number): [number, number] {
  const pages = Math.max(1, Math.floor(len / PAGE));
  const k = r.int(10);
  if (k < 2) return [0, len];
  if (k < 4) {
    const a = r.int(pages);
    return [a * PAGE, (1 + r.int(Math.min(pages - a, 1024))) * PAGE];
  }
  if (k < 6) {
    // PMD pieces: a whole 2M, or a range straddling a PMD boundary
    const pmds = Math.max(1, Math.floor(len / (2 * M)));
    const a = r.int(pmds) * 2 * M;
    return r.chance(0.5) ? [a, 2 * M] : [a + 2 * M - r.pick([PAGE, 64 * K, 1 * M]), r.pick([2 * PAGE, 1 * M, 2 * M, 4 * M])];
  }
  if (k < 7) {
    // around a 1G boundary of the mapping (a PUD boundary when it starts on one)
    const a = len > G ? G - r.pick([PAGE, 2 * M]) : 0;
    return [a, r.pick([2 * PAGE, 4 * M, 1 * G])];
  }
  if (k < 8) return [r.int(pages) * PAGE, r.pick([2 * M, 4 * M, 64 * M])]; // maybe past the end: ENOMEM over the hole
  if (k < 9) return [0, r.pick([1, PAGE + 1, 3 * PAGE])]; // lengths are rounded up to pages
  return [r.chance(0.5) ? 100 : r.int(pages) * PAGE, r.pick([0, PAGE, 2 * M])]; // an unaligned start (EINVAL) or length 0
}

/** What a random case gave. */
export type CaseVerdict =
  /** both sides printed the same lines */
  | "match"
  /** they differ, for a documented reason (the notes checkHost gives, or a KNOWN_DIFFERENCES entry after shrinking: no model bug) */
  | "known"
  /** they differ: a finding */
  | "mismatch"
  /** a side could not run the script (e.g. `reclaim` without a memory cgroup) */
  | "error";

export interface CaseResult {
  seed: number;
  index: number;
  verdict: CaseVerdict;
  /** The generated script. */
  text: string;
  comparison: ScriptComparison;
  /** For a known difference found by shrinking: its name and reason (KNOWN_DIFFERENCES). */
  known?: { name: string; reason: string };
  /** For a mismatch (and a known difference recognised after shrinking): the shrunk script, its comparison, and the host runs shrinking took. */
  shrunk?: { text: string; comparison: ScriptComparison; runs: number; statements: [number, number] };
}

/** A documented model difference a shrunk mismatch can be recognised by: reported as known, not as a finding. */
export interface KnownDifference {
  name: string;
  /** Why it differs, and where it is documented. */
  reason: string;
  /** Whether the shrunk script and its comparison show this difference. */
  matches(text: string, c: ScriptComparison): boolean;
}

/** The first differing line when it is a status line right after a `reclaim` that differs in dVmRSS only: sim - host, in kB (else null). */
function rssAfterReclaim(text: string, c: ScriptComparison): number | null {
  const l = c.lines.find((x) => !x.ok);
  if (!l?.fields || l.fields.some((f) => !f.ok && f.field !== "dVmRSS")) return null;
  const rss = l.fields.find((f) => f.field === "dVmRSS")!;
  const label = l.sim?.split(" ")[0];
  const stmts = text.split("\n").filter((x) => x.trim() !== "" && !x.startsWith("#"));
  const at = stmts.indexOf(`status ${label}`);
  const before = stmts.slice(0, at).filter((x) => !x.startsWith("status "));
  if (at < 0 || !before.at(-1)?.startsWith("reclaim ") || !stmts.some((x) => / free$/.test(x))) return null;
  return rss.sim - rss.host;
}

/**
 * The model differences (documented in core's src/mm/lru.ts) a random script
 * meets with memory pressure after MADV_FREE. Recognised on the SHRUNK script:
 * the first difference is the dVmRSS of the status right after a `reclaim`.
 */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    name: "collapse-shmem",
    reason:
      "MADV_COLLAPSE of a shared (shmem) mapping over an aligned 2 MiB: Linux collapses the page cache (collapse_file()), the model returns -EINVAL (core src/mm/khugepaged.ts, model differences)",
    matches: (text, c) => {
      const l = c.lines.find((x) => !x.ok);
      if (l?.sim !== "madvise-error Invalid argument" || (l.host ?? "") !== "") return false;
      const stmts = text.split("\n").filter((x) => x.trim() !== "" && !x.startsWith("#"));
      const shared = new Set(stmts.filter((x) => /^mmap \S+ .*\bshared\b/.test(x)).map((x) => x.split(" ")[1]));
      return stmts.some((x) => / collapse$/.test(x) && shared.has(x.split(" ")[1]!));
    },
  },
  {
    name: "lazyfree-pmd-thp",
    reason:
      "a lazily freed PMD-mapped THP: Linux 6.12+ reclaim discards a clean one whole (unmap_huge_pmd_locked()), the model keeps it (core src/mm/lru.ts: lazily freed THPs are not put on the list)",
    matches: (text, c) => {
      const d = rssAfterReclaim(text, c);
      return d !== null && d > 0 && d % 2048 === 0;
    },
  },
  {
    name: "lru-batch",
    reason:
      "the last MADV_FREE'd folios (at most a folio batch, 31) wait in the CPU's lru_lazyfree batch, which reclaim drains only when it scans a list: with nothing else on the list Linux reclaims none of them; the model has no per-CPU folio batches (core src/mm/lru.ts)",
    matches: (text, c) => {
      const d = rssAfterReclaim(text, c);
      return d !== null && d < 0 && d >= -31 * 4;
    },
  },
];

/** The verdict of one comparison. */
export function verdictOf(c: ScriptComparison): CaseVerdict {
  if (c.error !== undefined) return "error";
  if (c.ok) return "match";
  return c.notes?.length ? "known" : "mismatch";
}

/** What a mismatch is about, for keeping the same one while shrinking: the first differing line's kind and fields. */
export function mismatchSignature(c: ScriptComparison): string {
  const l = c.lines.find((x) => !x.ok);
  if (l === undefined) return "";
  if (l.fields) return `status:${l.fields.filter((f) => !f.ok).map((f) => f.field).join(",")}`;
  const op = (x: string | null | undefined) => (x == null ? "-" : x.split(" ")[0]);
  return `${l.kind}:${op(l.sim)}/${op(l.host)}`;
}

/**
 * Delta debugging (ddmin, Zeller) over a script's statement lines: the
 * smallest subsequence it finds for which `fails` still holds, trying at most
 * `maxRuns` candidates. Comment and blank lines are dropped; `fails` gets the
 * candidate's text. Returns the text and the number of candidates tried.
 */
export function shrinkScript(text: string, fails: (text: string) => boolean, maxRuns = 200): { text: string; runs: number } {
  let lines = text.split("\n").filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  const join = (ls: readonly string[]) => ls.join("\n") + "\n";
  let runs = 0;
  const test = (ls: string[]) => {
    if (runs >= maxRuns) return false;
    runs++;
    return fails(join(ls));
  };
  let n = 2;
  while (lines.length >= 2 && runs < maxRuns) {
    const chunk = Math.ceil(lines.length / n);
    let reduced = false;
    // complements first: drop one chunk
    for (let i = 0; i < n && runs < maxRuns; i++) {
      const without = [...lines.slice(0, i * chunk), ...lines.slice((i + 1) * chunk)];
      if (without.length === 0 || without.length === lines.length) continue;
      if (test(without)) {
        lines = without;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (n >= lines.length) break;
    n = Math.min(lines.length, n * 2);
  }
  return { text: join(lines), runs };
}

export interface FuzzHostOptions extends Omit<CheckOptions, "runHost" | "runSim"> {
  seed: number;
  /** How many cases (0 .. count-1), unless `only` is given. */
  count: number;
  /** Run case `only` alone (a replay). */
  only?: number;
  /** Host runs shrinking one mismatch may take (default 150). */
  maxShrinkRuns?: number;
  script?: RandomScriptOptions;
  /** checkHost, replaceable in tests (a simulated host). */
  check?: (script: Script) => ScriptComparison;
  /** The documented differences a shrunk mismatch is checked against (default KNOWN_DIFFERENCES). */
  known?: readonly KnownDifference[];
  /** Called after each case (progress). */
  onCase?: (r: CaseResult, done: number, total: number) => void;
}

/** The file name a random case is reported under: `random-S-K.wl`. */
export const caseFile = (seed: number, index: number) => `random-${seed}-${index}.wl`;

/**
 * Runs random cases on the host and the simulator; a mismatch (not a known
 * difference) is shrunk, keeping the same kind of first difference
 * (mismatchSignature). Throws HostUnavailableError when the host cannot run.
 */
export function fuzzHost(opts: FuzzHostOptions): CaseResult[] {
  const check = opts.check ?? ((s: Script) => checkHost([s], opts).scripts[0]);
  const advice = opts.script?.advice ?? fuzzAdvice();
  const sopts = { ...opts.script, advice };
  const indices = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.count }, (_, i) => i);
  const results: CaseResult[] = [];
  for (const index of indices) {
    const file = caseFile(opts.seed, index);
    const text = randomScript(opts.seed, index, sopts);
    const comparison = check(parseScript(text, file));
    const verdict = verdictOf(comparison);
    const res: CaseResult = { seed: opts.seed, index, verdict, text, comparison };
    if (verdict === "mismatch") {
      const sig = mismatchSignature(comparison);
      let last: ScriptComparison = comparison;
      const { text: small, runs } = shrinkScript(
        text,
        (t) => {
          let c: ScriptComparison;
          try {
            c = check(parseScript(t, file));
          } catch {
            return false; // a candidate that no longer parses or resolves (a name used before its mmap)
          }
          const keep = verdictOf(c) === "mismatch" && mismatchSignature(c) === sig;
          if (keep) last = c;
          return keep;
        },
        opts.maxShrinkRuns ?? 150,
      );
      const count = (t: string) => t.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).length;
      res.shrunk = { text: small, comparison: small === text ? comparison : last, runs, statements: [count(text), count(small)] };
      const known = (opts.known ?? KNOWN_DIFFERENCES).find((d) => d.matches(small, res.shrunk!.comparison));
      if (known) {
        res.verdict = "known";
        res.known = { name: known.name, reason: known.reason };
      }
    }
    results.push(res);
    opts.onCase?.(res, results.length, indices.length);
  }
  return results;
}

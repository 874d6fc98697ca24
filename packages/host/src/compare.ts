/**
 * Comparing two outputs of a workload script (the simulator's and the host's,
 * or a recording's) line by line:
 *
 *   - status lines: dVmPTE and dVmSize must be equal, dVmRSS equal within
 *     the RSS tolerance (below), the labels equal; dVmSwap (printed once a
 *     script's `swapon` succeeded) equal, and printed by both or neither;
 *   - error lines (`<op>-error <text>`): equal.
 *
 * Lines are aligned on the status lines (every `status` op prints one on both
 * sides); the error lines between two status lines are compared in order, and
 * an error line only one side printed is a mismatch.
 *
 * RSS tolerance. The helper's own pages are the only noise source in dVmRSS we
 * can have: its stack, its static buffers, its libc text faulted in by the first
 * call of a wrapper (lazy binding), the first SIGSEGV delivered. We measured it
 * (Linux 6.18, x86_64, glibc 2.36, gcc 12, 2 CPUs): a script of 101 status
 * lines interleaved with 50 rounds of mmap / faulting read touch (SIGSEGV) /
 * mprotect / write touch / MADV_DONTNEED / munmap (every delta should be 0),
 * run 200 times, plus 30 runs of a 1024-iteration touch+DONTNEED loop and 30
 * runs of 301 single-page touches each followed by a status line (each delta
 * should be exactly 4 kB more), the latter two with both CPUs busy:
 *
 *   - helper without its warm-up: every run drifted 12 kB (3 pages of its own);
 *   - helper as shipped (warm-up + mlockall(MCL_CURRENT)): 0 kB in every run,
 *     every line.
 *
 * VmRSS itself is exact on this kernel: since 6.16 task_mem() sums the per-CPU
 * RSS counters (get_mm_counter_sum()). So the tolerance is 0 kB: anything more
 * would hide the one-page differences (zero page, fault-around, COW) the
 * comparison exists to find. On kernels 6.2 - 6.15, /proc/<pid>/status reads
 * the per-CPU counters approximately (up to nr_cpus * max(32, 2 * nr_cpus)
 * pages off); pass rssToleranceKb (`--rss-tolerance`) there. The corpus
 * recordings are also checked for this noise: record-corpus.mjs runs every
 * scenario twice and refuses to record one whose two runs differ at all.
 */

/** See the comment above: measured noise of the helper's dVmRSS on Linux 6.18. */
export const DEFAULT_RSS_TOLERANCE_KB = 0;

export type OutputLine =
  | { kind: "status"; label: string; dVmSize: number; dVmRSS: number; dVmPTE: number; dVmSwap?: number }
  | { kind: "error"; op: string; text: string }
  | { kind: "other"; text: string };

const STATUS_LINE = /^(\S+) dVmSize=(-?\d+) dVmRSS=(-?\d+) dVmPTE=(-?\d+)(?: dVmSwap=(-?\d+))?$/;
const ERROR_LINE = /^(\S+)-error (.+)$/;

/** Parses one output line of runScript()/runOnHost(). */
export function parseOutputLine(line: string): OutputLine {
  const s = STATUS_LINE.exec(line);
  if (s) {
    const line: OutputLine = { kind: "status", label: s[1], dVmSize: Number(s[2]), dVmRSS: Number(s[3]), dVmPTE: Number(s[4]) };
    if (s[5] !== undefined) line.dVmSwap = Number(s[5]);
    return line;
  }
  const e = ERROR_LINE.exec(line);
  if (e) return { kind: "error", op: e[1], text: e[2] };
  return { kind: "other", text: line };
}

export type StatusField = "dVmSize" | "dVmRSS" | "dVmPTE" | "dVmSwap";

export interface FieldComparison {
  field: StatusField;
  sim: number;
  host: number;
  ok: boolean;
}

export interface LineComparison {
  ok: boolean;
  /** status/error: both sides have the line; missing-*: one side printed nothing there. */
  kind: "status" | "error" | "missing-in-host" | "missing-in-sim";
  sim: string | null;
  host: string | null;
  /** For status lines: each field, compared. */
  fields?: FieldComparison[];
}

export interface CompareOptions {
  /** |host dVmRSS - sim dVmRSS| allowed, in kB (default DEFAULT_RSS_TOLERANCE_KB). */
  rssToleranceKb?: number;
}

interface Segment {
  errors: string[];
  status: string | null;
}

/** Cuts the lines after each status line: [errors..., status], ..., [trailing errors]. */
function segments(lines: readonly string[]): Segment[] {
  const out: Segment[] = [];
  let errors: string[] = [];
  for (const l of lines) {
    if (parseOutputLine(l).kind === "status") {
      out.push({ errors, status: l });
      errors = [];
    } else errors.push(l);
  }
  if (errors.length > 0) out.push({ errors, status: null });
  return out;
}

function compareLine(sim: string, host: string, tol: number): LineComparison {
  const a = parseOutputLine(sim);
  const b = parseOutputLine(host);
  if (a.kind === "status" && b.kind === "status") {
    const fields: FieldComparison[] = (["dVmSize", "dVmRSS", "dVmPTE"] as const).map((field) => {
      const ok = field === "dVmRSS" ? Math.abs(a[field] - b[field]) <= tol : a[field] === b[field];
      return { field, sim: a[field], host: b[field], ok };
    });
    // dVmSwap (swap configured): exact; a side that does not print it differs (NaN).
    if (a.dVmSwap !== undefined || b.dVmSwap !== undefined)
      fields.push({ field: "dVmSwap", sim: a.dVmSwap ?? NaN, host: b.dVmSwap ?? NaN, ok: a.dVmSwap === b.dVmSwap });
    return { ok: a.label === b.label && fields.every((f) => f.ok), kind: "status", sim, host, fields };
  }
  return { ok: sim === host, kind: a.kind === "status" || b.kind === "status" ? "status" : "error", sim, host };
}

/** Compares the simulator's lines with the host's (or a recording's), aligned on status lines. */
export function compareLines(sim: readonly string[], host: readonly string[], opts: CompareOptions = {}): LineComparison[] {
  const tol = opts.rssToleranceKb ?? DEFAULT_RSS_TOLERANCE_KB;
  const a = segments(sim);
  const b = segments(host);
  const out: LineComparison[] = [];
  const pair = (x: string | null | undefined, y: string | null | undefined) => {
    if (x != null && y != null) out.push(compareLine(x, y, tol));
    else if (x != null) out.push({ ok: false, kind: "missing-in-host", sim: x, host: null });
    else if (y != null) out.push({ ok: false, kind: "missing-in-sim", sim: null, host: y });
  };
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    const sa = a[k] ?? { errors: [], status: null };
    const sb = b[k] ?? { errors: [], status: null };
    for (let i = 0; i < Math.max(sa.errors.length, sb.errors.length); i++) pair(sa.errors[i], sb.errors[i]);
    pair(sa.status, sb.status);
  }
  return out;
}

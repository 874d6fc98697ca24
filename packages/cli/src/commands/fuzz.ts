/**
 * `mmsim fuzz <plugin> --ops N --seed S [--shard i/n]`: the kit's differential
 * fuzz at scale (@mmsim/conformance fuzzScale). Random operations against the
 * plugin and against Linux without reclaim: each operation's result (return
 * value, errno, the signal of a failed access, the values read) must be the same,
 * the plugin's VmPTE never higher, the invariants must hold after every
 * operation, and no table may be left at exit. The first divergence stops the run
 * and is printed shrunk, with a command that replays it (`--replay <ops>`).
 *
 * Standard output is the same, byte for byte, for the same plugin and options;
 * the time and ops/s go to standard error, the progress bar too (only on a TTY).
 */
import { count } from "../format.js";
import { parseSeed } from "../seed.js";
import { fuzzScale, replaySequence, shellWord, type Divergence, type FuzzFinding } from "@mmsim/conformance";
import type { FuzzOp } from "@mmsim/core/check";
import { ADVICE_NAMES } from "@mmsim/trace";
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { loadReclaim, resolveReclaimSpec, reclaimArg } from "../plugins.js";
import { createProgress } from "../progress.js";
import { envelope, inShard, shardLabel, type RunFields, type Shard } from "../shard.js";
import { archOf, type ArchName } from "../simulate.js";

export interface FuzzCommandOptions {
  ops: string;
  seed: string;
  shard?: Shard;
  /** One sequence to run instead of a random campaign: the JSON array a divergence prints. */
  replay?: string;
  json?: boolean;
  arch: string;
}

/** A divergence as printed: the shrunk operations, what broke, and the replay command. */
export interface FuzzDivergenceJson {
  /** Sequence index in the run (null for --replay). */
  sequence: number | null;
  rule: string;
  detail: string;
  /** Operations of the sequence as generated, and the index of the one that diverged (null for --replay). */
  found: { length: number; op: number; rule: string } | null;
  ops: FuzzOp[];
  replay: string;
}

/** What `--json` prints for one run (unsharded; a shard wraps a FuzzShardPart in an envelope). */
export interface FuzzJson {
  plugin: string;
  arch: string;
  seed: number;
  ops_requested: number;
  /** Sequences and operations of the run. */
  sequences: number;
  ops: number;
  /** PTE tables the plugin reclaimed over the run; null when it stopped at a divergence. */
  reclaimed: number | null;
  divergence: FuzzDivergenceJson | null;
}

/** A shard's part of a run, as `mmsim merge` reads it. */
export interface FuzzShardPart {
  /** The whole run's sequences and operations (the same in every shard). */
  total_sequences: number;
  total_ops: number;
  /** This shard's. */
  sequences: number;
  ops: number;
  reclaimed: number;
  divergence: FuzzDivergenceJson | null;
}

function positive(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive integer (got '${v}')`);
  return n;
}

/** `mmsim fuzz <plugin> [--arch a] --replay '<ops>'`, quoted for a POSIX shell. */
export function fuzzReplayCommand(reclaim: string, arch: string, ops: readonly FuzzOp[]): string {
  const archArg = arch === "x86_64" ? "" : ` --arch ${shellWord(arch)}`;
  return `mmsim fuzz ${shellWord(reclaim)}${archArg} --replay ${shellWord(JSON.stringify(ops))}`;
}

const hex = (n: number) => `0x${n.toString(16)}`;
const PROT = ["none", "r", "w", "rw"];

/** The kernel's name of advice `a` (@mmsim/trace's table of include/uapi/asm-generic/mman-common.h), as the report prints it; another value prints as `advice N`. */
const adviceLabel = (a: number): string => (ADVICE_NAMES[a] === undefined ? `advice ${a}` : `MADV_${ADVICE_NAMES[a]}`);

/** One operation as a line of the report. */
export function describeOp(o: FuzzOp): string {
  switch (o.op) {
    case "mmap":
      return `mmap ${hex(o.at)} +${hex(o.len)} ${PROT[o.prot & 3] ?? o.prot} ${o.shared ? "shared" : "private"}`;
    case "munmap":
      return `munmap ${hex(o.at)} +${hex(o.len)}`;
    case "madvise":
      return `madvise ${hex(o.at)} +${hex(o.len)} ${adviceLabel(o.arg)}`;
    case "mprotect":
      return `mprotect ${hex(o.at)} +${hex(o.len)} ${PROT[o.arg & 3] ?? o.arg}`;
    case "touch":
      return `${o.write ? "write" : "read"} ${hex(o.at)} +${hex(o.len)}`;
    case "idle":
      return `idle ${o.ms} ms`;
  }
}

const int = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** The `--replay` argument: a JSON array of operations as a divergence prints them. */
export function parseReplayOps(text: string): FuzzOp[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--replay must be the JSON array of operations a divergence prints (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(v) || v.length === 0) throw new UsageError("--replay must be a non-empty JSON array of operations");
  return v.map((o: unknown, i) => {
    const r = o as Record<string, unknown> | null;
    const bad = (what: string) => new UsageError(`--replay: operation ${i}: ${what} (got ${JSON.stringify(o)})`);
    if (typeof r !== "object" || r === null) throw bad("not an object");
    switch (r.op) {
      case "mmap":
        if (!int(r.at) || !int(r.len) || typeof r.shared !== "boolean" || !int(r.prot)) throw bad("mmap needs at, len, shared, prot");
        return { op: "mmap", at: r.at as number, len: r.len as number, shared: r.shared, prot: r.prot as number };
      case "munmap":
      case "madvise":
      case "mprotect":
        if (!int(r.at) || !int(r.len) || !int(r.arg)) throw bad(`${r.op} needs at, len, arg`);
        return { op: r.op, at: r.at as number, len: r.len as number, arg: r.arg as number };
      case "touch":
        if (!int(r.at) || !int(r.len) || typeof r.write !== "boolean") throw bad("touch needs at, len, write");
        return { op: "touch", at: r.at as number, len: r.len as number, write: r.write };
      case "idle":
        if (!int(r.ms) || (r.ms as number) > 3_600_000) throw bad("idle needs ms (at most an hour)");
        return { op: "idle", ms: r.ms as number };
      default:
        throw bad("op must be mmap, munmap, madvise, mprotect, touch or idle");
    }
  });
}

function divergenceJson(d: Divergence, ops: FuzzOp[], replay: string, finding: FuzzFinding | null): FuzzDivergenceJson {
  return {
    sequence: finding ? finding.sequence : null,
    rule: d.rule,
    detail: d.detail,
    found: finding ? { length: finding.found.length, op: finding.found.op, rule: finding.found.rule } : null,
    ops,
    replay,
  };
}

/** The divergence as text: what broke, the shrunk case, the replay line. */
function divergenceText(d: FuzzDivergenceJson): string {
  const out: string[] = [];
  if (d.sequence !== null && d.found)
    out.push(`DIVERGENCE in sequence ${d.sequence} (operation ${d.found.op} of ${d.found.length}: ${d.found.rule}); shrunk to ${count(d.ops.length, "operation")}:`);
  else out.push(`DIVERGENCE on the ${count(d.ops.length, "operation")} replayed (${d.rule}):`);
  d.ops.forEach((o, i) => out.push(`  ${String(i).padStart(3)}  ${describeOp(o)}`));
  // The detail names the operation and, for an invariant or a kernel error, the rule.
  out.push(`  ${d.rule === "differential" ? "differential: " : ""}${d.detail.replace(/\n/g, "\n  ")}`);
  out.push(`  replay: ${d.replay}`);
  return out.join("\n") + "\n";
}

/** The unsharded `--json` value from the shards' parts (index i: shard i+1): `mmsim merge`'s fuzz merger. */
export function mergeFuzz(run: RunFields, parts: readonly FuzzShardPart[]): FuzzJson {
  const found = parts.map((p) => p.divergence).filter((d): d is FuzzDivergenceJson => d !== null);
  // Each shard stops at its own first divergence; the run's first is the one with the lowest sequence index.
  const divergence = found.sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0))[0] ?? null;
  return {
    plugin: String(run.plugin),
    arch: String(run.arch),
    seed: Number(run.seed),
    ops_requested: Number(run.ops),
    sequences: parts[0].total_sequences,
    ops: parts[0].total_ops,
    reclaimed: divergence ? null : parts.reduce((n, p) => n + p.reclaimed, 0),
    divergence,
  };
}

export async function fuzzCommand(target: string, opts: FuzzCommandOptions, io: Io): Promise<number> {
  const spec = await resolveReclaimSpec(target);
  const reclaim = await loadReclaim(spec, io.cwd, (line) => io.err(line + "\n"), "plugin");
  if (!reclaim.info) throw new UsageError("fuzz needs a plugin (not 'none': it is what the plugin is compared with)");
  const arch = archOf(opts.arch as ArchName);
  const name = reclaimArg(spec);
  const plugin = () => reclaim.create()!;
  const t0 = performance.now();

  if (opts.replay !== undefined) {
    if (opts.shard) throw new UsageError("--replay runs one sequence: it takes no --shard");
    const ops = parseReplayOps(opts.replay);
    const d = replaySequence(arch, plugin(), ops);
    const div = d ? divergenceJson(d, ops, fuzzReplayCommand(name, opts.arch, ops), null) : null;
    if (opts.json) io.out(JSON.stringify({ plugin: reclaim.info.name, arch: opts.arch, ops: ops.length, divergence: div }, null, 2) + "\n");
    else {
      io.out(`mmsim fuzz: ${reclaim.info.name} ${reclaim.info.version}, replaying ${count(ops.length, "operation")}\n`);
      io.out(div ? divergenceText(div) : "no divergence from Linux without reclaim; invariants held after every operation; no table left at exit\n");
    }
    return div ? EXIT_FAILURE : EXIT_OK;
  }

  const ops = positive(opts.ops, "--ops");
  const seed = parseSeed(opts.seed);
  const shard = opts.shard;
  const progress = createProgress(opts.json ? null : io.progress, { label: `fuzz ${reclaim.info.name}${shard ? ` ${shardLabel(shard)}` : ""}` });
  const report = (() => {
    try {
      return fuzzScale({ plugin, arch, ops, seed, keep: (k) => inShard(k, shard), onProgress: (done, total) => progress.update(done, total) });
    } finally {
      progress.stop();
    }
  })();
  const f = report.finding;
  const div = f ? divergenceJson(f.divergence, f.ops, fuzzReplayCommand(name, opts.arch, f.ops), f) : null;
  const secs = (performance.now() - t0) / 1000;
  io.err(`fuzz: ${count(report.ops, "operation")} in ${secs.toFixed(1)} s${f ? " (shrinking included)" : ""}, ${Math.round(report.ops / Math.max(secs, 1e-9))} ops/s\n`);

  if (opts.json) {
    const run: RunFields = { plugin: reclaim.info.name, arch: opts.arch, seed, ops };
    const json = shard
      ? envelope<FuzzShardPart>("fuzz", shard, run, {
          total_sequences: report.total_sequences,
          total_ops: report.total_ops,
          sequences: report.sequences,
          ops: report.ops,
          reclaimed: report.reclaimed,
          divergence: div,
        })
      : ({ plugin: reclaim.info.name, arch: opts.arch, seed, ops_requested: ops, sequences: report.total_sequences, ops: report.total_ops, reclaimed: div ? null : report.reclaimed, divergence: div } satisfies FuzzJson);
    io.out(JSON.stringify(json, null, 2) + "\n");
    return div ? EXIT_FAILURE : EXIT_OK;
  }

  io.out(`mmsim fuzz: ${reclaim.info.name} ${reclaim.info.version} (${reclaim.info.models}), ${count(ops, "operation")}, seed ${seed}${shard ? `, shard ${shardLabel(shard)}` : ""}\n`);
  io.out(`${count(report.sequences, "sequence")}, ${count(report.ops, "operation")}${shard ? ` (of ${count(report.total_sequences, "sequence")}, ${count(report.total_ops, "operation")} in all shards)` : ""}, ${count(report.reclaimed, "PTE table")} reclaimed\n`);
  if (div) io.out(divergenceText(div));
  else io.out("no divergence from Linux without reclaim (results, errno, data read, VmPTE never higher); invariants held after every operation; no table left at exit\n");
  if (!shard && !div && report.ops !== report.total_ops) throw new CliError(`internal: ran ${report.ops} of ${report.total_ops} operations`);
  return div ? EXIT_FAILURE : EXIT_OK;
}

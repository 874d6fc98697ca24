/**
 * checkHost(): the real kernel as referee. Runs each script on the simulator
 * (x86_64, the given reclaim plugin) and on the host (runOnHost) and compares
 * the outputs line by line (compare.ts). The result is structured; format.ts
 * gives its text.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { EINVAL, Engine, type ReclaimPlugin } from "@mmsim/core";
import { runScript, type Script, type Stmt } from "@mmsim/core/workload";
import { compareLines, DEFAULT_RSS_TOLERANCE_KB, type CompareOptions, type LineComparison } from "./compare.js";
import { memorySettings, thpSettings, unmodelledMemory, unmodelledThp } from "./kernel.js";
import { runOnHost, type HostRunOptions, type HostRunResult } from "./run.js";
import { runOnHostStreaming } from "./stream.js";

export interface ScriptComparison {
  name: string;
  ok: boolean;
  lines: LineComparison[];
  /** Set when a side could not run at all (the comparison is then a failure). */
  error?: string;
  /** Why a mismatch may be no model bug (a placement the script left to the kernel, advice the model does not implement); only on a mismatch. */
  notes?: string[];
}

/** The THP settings the simulator is run with: the machine's (`/sys/kernel/mm/transparent_hugepage`), as far as it models them. */
export interface SimulatorThp {
  /** `enabled` (the simulator's default: madvise). */
  enabled: "always" | "madvise" | "never";
  /** `use_zero_page` (default true). */
  useZeroPage: boolean;
}

/** What checkHost() found; formatReport() gives its text. */
export interface CheckReport {
  ok: boolean;
  reclaim: string | null;
  rssToleranceKb: number;
  /** The THP settings the simulator ran with (the machine's; absent: its defaults, madvise with the huge zero page). */
  thp?: SimulatorThp;
  /** The RAM and overcommit sysctls the simulator ran with (the machine's; absent: its defaults, 256 GiB and mode 0). */
  memory?: SimulatorMemory;
  /** What of the machine's configuration the simulator does not model (mTHP, shmem THP, swap, overcommit mode 2): mismatches are expected where a script meets it. */
  unmodelled?: string[];
  scripts: ScriptComparison[];
}

const DEFAULT_SIM_THP: SimulatorThp = { enabled: "madvise", useZeroPage: true };

/** The machine's RAM and overcommit sysctls, as the simulator's (what decides an mmap's ENOMEM). */
export interface SimulatorMemory {
  /** totalram_pages() in bytes (MemTotal; the simulator's default: 256 GiB). */
  ramBytes: number;
  overcommitMemory: 0 | 1 | 2;
  overcommitRatio: number;
  overcommitKbytes: number;
}

const DEFAULT_SIM_MEMORY: SimulatorMemory = { ramBytes: 256 * 2 ** 30, overcommitMemory: 0, overcommitRatio: 50, overcommitKbytes: 0 };

/**
 * The simulator's lines for `script` on x86_64 with `reclaim`, THP as `thp`
 * says (default: enabled madvise, use_zero_page 1) and RAM and overcommit as
 * `memory` says (default: 256 GiB, mode 0).
 */
export function simulate(script: Script, reclaim: ReclaimPlugin | null = null, thp: SimulatorThp = DEFAULT_SIM_THP, memory: SimulatorMemory = DEFAULT_SIM_MEMORY): string[] {
  const engine = new Engine({
    arch: x86_64(),
    reclaim,
    thp: thp.enabled,
    ram_bytes: memory.ramBytes,
    overcommit_memory: memory.overcommitMemory,
    overcommit_ratio: memory.overcommitRatio,
    overcommit_kbytes: memory.overcommitKbytes,
  });
  engine.k.thp.use_zero_page = thp.useZeroPage;
  return runScript(script, engine.spawn()).lines;
}

/** The machine's THP settings as the simulator's, and what of them it cannot model. */
export function machineThp(dir?: string): { thp: SimulatorThp; unmodelled: string[] } {
  const s = thpSettings(dir);
  return { thp: { enabled: s.enabled ?? DEFAULT_SIM_THP.enabled, useZeroPage: s.useZeroPage ?? DEFAULT_SIM_THP.useZeroPage }, unmodelled: unmodelledThp(s) };
}

/** The machine's RAM and overcommit sysctls as the simulator's, and what of them it cannot model (swap, mode 2). */
export function machineMemory(proc?: string): { memory: SimulatorMemory; unmodelled: string[] } {
  const s = memorySettings(proc);
  const d = DEFAULT_SIM_MEMORY;
  return {
    memory: {
      ramBytes: s.ramBytes ?? d.ramBytes,
      overcommitMemory: s.overcommitMemory ?? d.overcommitMemory,
      overcommitRatio: s.overcommitRatio ?? d.overcommitRatio,
      overcommitKbytes: s.overcommitKbytes ?? d.overcommitKbytes,
    },
    unmodelled: unmodelledMemory(s),
  };
}

export interface CheckOptions extends CompareOptions {
  /**
   * The simulator's reclaim plugin (null: none), or a factory called once per
   * script so that no plugin state crosses scripts (as with one kernel boot
   * per program). A kernel with CONFIG_PT_RECLAIM=y matches ptReclaim().
   */
  reclaim?: ReclaimPlugin | null | (() => ReclaimPlugin | null);
  /** Options for the host runs. */
  host?: HostRunOptions;
  /** Runs a script on the host (default runOnHost); injectable for tests. */
  runHost?: (script: Script) => HostRunResult;
  /** Runs a script on the simulator (default simulate(script, reclaim, thp)); injectable for tests. */
  runSim?: (script: Script) => string[];
  /**
   * The THP settings to simulate (default: the machine's, machineThp(), when
   * the host side is this machine: a script's hugepage regions must behave as
   * on the kernel it is compared with; with `runHost` or `host.exec` given,
   * the simulator's defaults).
   */
  thp?: SimulatorThp;
  /**
   * The RAM and overcommit sysctls to simulate (default: the machine's,
   * machineMemory(), when the host side is this machine: an mmap the kernel
   * refuses for want of memory must be refused by the simulator too).
   */
  memory?: SimulatorMemory;
  /** What of the machine the simulator does not model (default: machineThp()'s and machineMemory()'s, for the settings taken from the machine). */
  unmodelled?: string[];
}

/** What one script gave on each side, compared (the shared half of checkHost and checkHostStreaming). */
function compareScript(script: Script, runSim: (s: Script) => string[], host: () => string[], rssToleranceKb: number): ScriptComparison {
  let sim: string[];
  let hostLines: string[];
  try {
    sim = runSim(script);
  } catch (e) {
    return { name: script.file, ok: false, lines: [], error: `simulator: ${(e as Error).message}` };
  }
  try {
    hostLines = host();
  } catch (e) {
    if ((e as Error).name === "HostUnavailableError") throw e;
    return { name: script.file, ok: false, lines: [], error: `host: ${(e as Error).message}` };
  }
  const lines = compareLines(sim, hostLines, { rssToleranceKb });
  const ok = lines.every((l) => l.ok);
  const notes = ok ? [] : mismatchNotes(script, lines);
  return notes.length ? { name: script.file, ok, lines, notes } : { name: script.file, ok, lines };
}

/** Every statement of `stmts`, repeat bodies included. */
function* statements(stmts: readonly Stmt[]): Generator<Stmt> {
  for (const s of stmts) {
    yield s;
    if (s.op === "repeat") yield* statements(s.body);
  }
}

/** Whether the simulator's madvise() refuses advice `n` as one it does not implement (-EINVAL even for length 0, which Linux accepts for any advice it knows). */
function adviceNotModelled(n: number): boolean {
  return new Engine({ arch: x86_64() }).spawn().madvise(0, 0, n) === -EINVAL;
}

/**
 * Why a mismatching script may differ for a reason that is no model bug: a
 * mapping placed by the kernel (no @ADDR) next to the helper's own mappings,
 * whose page tables it then shares; an @ADDR range over the helper's own
 * mappings (EEXIST on the kernel only); advice the model does not implement.
 */
function mismatchNotes(script: Script, lines: readonly LineComparison[]): string[] {
  const notes: string[] = [];
  const where = (s: Stmt) => `${s.loc.file}:${s.loc.line}:${s.loc.col}`;
  const tables = lines.some((l) => !l.ok && l.fields?.some((f) => !f.ok && f.field === "dVmPTE"));
  const placed = [...statements(script.stmts)].find((s) => s.op === "mmap" && s.addr === null);
  if (tables && placed?.op === "mmap")
    notes.push(
      `${where(placed)}: mmap ${placed.name} has no @ADDR: the kernel placed it among the helper's own mappings (libc, stack, heap), whose page tables it may share or extend, where the simulator's process has nothing else; give every mmap an @ADDR in an untouched 512 GiB slot (0x200000000000 + k * 0x8000000000) to compare table counts`,
    );
  if (lines.some((l) => !l.ok && l.host === "mmap-error File exists" && l.sim !== l.host))
    notes.push(
      "an mmap failed with EEXIST on the kernel only: its range overlaps the helper process's own mappings (its program, libc, heap, stack, vDSO), which the simulator's process does not have; keep @ADDR ranges in untouched 512 GiB slots (0x200000000000 + k * 0x8000000000, below the libraries at 0x7f0000000000)",
    );
  const errors = lines.some((l) => !l.ok && [l.sim, l.host].some((x) => x?.startsWith("madvise-error")));
  if (errors) {
    const seen = new Set<number>();
    for (const s of statements(script.stmts)) {
      if (s.op !== "madvise" || typeof s.advice !== "number" || seen.has(s.advice)) continue;
      seen.add(s.advice);
      if (adviceNotModelled(s.advice))
        notes.push(
          `${where(s)}: madvise advice ${s.advice} is not implemented by the simulator: it returns -EINVAL (Invalid argument) for it whatever the range, where Linux checks the range and applies it (packages/core/README.md, Model differences)`,
        );
    }
  }
  return notes;
}

function sides(opts: CheckOptions) {
  const tol: unknown = opts.rssToleranceKb;
  if (tol !== undefined && !(typeof tol === "number" && Number.isFinite(tol) && tol >= 0))
    throw new RangeError(`checkHost(): rssToleranceKb ${typeof tol === "string" ? JSON.stringify(tol) : String(tol)} is not a tolerance in kB (a finite number >= 0)`);
  const make = typeof opts.reclaim === "function" ? opts.reclaim : () => (opts.reclaim as ReclaimPlugin | null | undefined) ?? null;
  // The machine's settings when the host side is this machine; a host side replaced (tests) is the simulator's defaults.
  const real = opts.runHost === undefined && opts.host?.exec === undefined;
  const machine = opts.thp !== undefined ? { thp: opts.thp, unmodelled: [] } : real ? machineThp() : { thp: DEFAULT_SIM_THP, unmodelled: [] };
  const mem = opts.memory !== undefined ? { memory: opts.memory, unmodelled: [] } : real ? machineMemory() : { memory: DEFAULT_SIM_MEMORY, unmodelled: [] };
  const thp = machine.thp;
  const memory = mem.memory;
  return {
    reclaimName: make()?.name ?? null,
    runSim: opts.runSim ?? ((s: Script) => simulate(s, make(), thp, memory)),
    rssToleranceKb: opts.rssToleranceKb ?? DEFAULT_RSS_TOLERANCE_KB,
    thp,
    memory,
    unmodelled: opts.unmodelled ?? [...machine.unmodelled, ...mem.unmodelled],
  };
}

/**
 * Runs every script both ways and compares. A script that cannot run on one
 * side (bad operand, helper failure) is reported as failed with the reason; a
 * missing compiler or non-Linux platform (HostUnavailableError) is thrown. formatReport(result) is the text
 * `mmsim check-host` prints.
 */
export function checkHost(scripts: readonly Script[], opts: CheckOptions = {}): CheckReport {
  const { reclaimName, runSim, rssToleranceKb, thp, memory, unmodelled } = sides(opts);
  const runHost = opts.runHost ?? ((s: Script) => runOnHost(s, opts.host));
  const results = scripts.map((script) => compareScript(script, runSim, () => runHost(script).lines, rssToleranceKb));
  return { ok: results.every((s) => s.ok), reclaim: reclaimName, rssToleranceKb, thp, memory, unmodelled, scripts: results };
}

/**
 * checkHost() with the host side streamed (runOnHostStreaming: a huge `repeat`
 * is never unrolled; the simulator's runScript() streams already). The same
 * report; `mmsim check-host` uses it.
 */
export async function checkHostStreaming(scripts: readonly Script[], opts: Omit<CheckOptions, "runHost"> = {}): Promise<CheckReport> {
  const { reclaimName, runSim, rssToleranceKb, thp, memory, unmodelled } = sides(opts);
  const results: ScriptComparison[] = [];
  for (const script of scripts) {
    let host: HostRunResult | Error;
    try {
      host = await runOnHostStreaming(script, opts.host);
    } catch (e) {
      host = e as Error;
    }
    results.push(
      compareScript(script, runSim, () => {
        if (host instanceof Error) throw host;
        return host.lines;
      }, rssToleranceKb),
    );
  }
  return { ok: results.every((s) => s.ok), reclaim: reclaimName, rssToleranceKb, thp, memory, unmodelled, scripts: results };
}

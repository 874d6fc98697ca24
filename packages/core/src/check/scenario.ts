/**
 * Race scenarios are data: a small address space set up single-threaded, then a
 * few actors (each a task on its own CPU running a list of operations) that the
 * explorer interleaves at every preemption point. Users write their own as JSON.
 *
 * Addresses (`at`) are offsets from SCENARIO_BASE, an untouched 512 GiB slot;
 * sizes and offsets are numbers or strings with K/M/G suffixes ("2M", "4K").
 */
import { MmsimError } from "@mmsim/spec";
export const SCENARIO_BASE = 0x200000000000;
/** The slot every `at` and `len` lies in: 512 GiB from SCENARIO_BASE. */
export const SCENARIO_SLOT_BYTES = 512 * 1024 ** 3;
/** CPUs the model gives a scenario (an actor's `cpu`, `hw_walkers`, `lazy_cpus`: 0 to 63). */
export const MAX_SCENARIO_CPUS = 64;

export type Size = number | string;

export type ScenarioOp =
  | { op: "mmap"; at: Size; len: Size; shared?: boolean; prot?: "rw" | "r" | "none"; hugepage?: boolean }
  | { op: "touch"; at: Size; len: Size; write?: boolean; stride?: Size }
  /** `advice` may be a raw value (a plugin's own advice, e.g. lazyfree's MADV_PT_RECLAIM; not in the CLI's JSON schema). */
  | { op: "madvise"; at: Size; len: Size; advice: "dontneed" | "free" | "pageout" | "hugepage" | "nohugepage" | number }
  | { op: "munmap"; at: Size; len: Size }
  | { op: "mprotect"; at: Size; len: Size; prot: "rw" | "r" | "none" }
  | { op: "gup_fast"; at: Size; len: Size }
  /**
   * A page-table walker under mmap_read_lock (walk_page_range). `sleep`: its
   * `.pmd_entry` callback sleeps (mmu_notifier_invalidate_range_start) between
   * taking the PTE table and reading it (mm/pagewalk_sleep.ts; seed 001's open
   * question, protected as Kernel.pmd_entry_sleep says).
   */
  | { op: "walk"; at: Size; len: Size; sleep?: boolean }
  | { op: "khugepaged"; at: Size }
  /** Return to user space after `ms` (default 1000) of CPU time: scheduler ticks, then task_work (async scanners). */
  | { op: "task_work"; ms?: number }
  | { op: "exit" }
  /** swapon(2) of a swap area of `len` bytes (mm/swapfile.ts): MADV_PAGEOUT then writes anon pages to swap. */
  | { op: "swapon"; len: Size }
  /**
   * Memory pressure (mm/vmscan.ts): reclaim `len` bytes. By default the actor's
   * CPU runs kswapd (a kernel thread: no mm, the CPU lazy on the actor's mm);
   * `direct`: the actor's task reclaims itself, as an allocation would.
   */
  | { op: "reclaim"; len: Size; direct?: boolean };

export interface ActorSpec {
  name: string;
  cpu: number;
  ops: ScenarioOp[];
}

export interface Scenario {
  name: string;
  description: string;
  /** The plugin capability the scenario exercises (a `supports` key); absent: every plugin. */
  requires?: string;
  /** Single-threaded setup, run before the actors. */
  setup: ScenarioOp[];
  actors: ActorSpec[];
  /** CPUs whose MMU may walk the mm speculatively at any preemption point. */
  hw_walkers?: number[];
  /** CPUs that keep the mm loaded in lazy-TLB mode (they also may walk speculatively). */
  lazy_cpus?: number[];
  /** Addresses (offsets) the hardware walkers walk, in turn; default: every 2 MiB of the setup mappings' first page. */
  walk_at?: Size[];
  /** Check user data: reads must return the last write, or zero after a discard. Default true. */
  oracle?: boolean;
}

const SUFFIX: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

export class ScenarioError extends MmsimError {
  constructor(message: string) {
    super("scenario-error", message);
  }
}

/** A scenario size/offset: 4096, "4K", "0x2000", "2M". */
export function size(v: Size | undefined, what: string, dflt?: number): number {
  if (v === undefined) {
    if (dflt === undefined) throw new ScenarioError(`${what}: missing`);
    return dflt;
  }
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0) throw new ScenarioError(`${what}: ${v} is not a non-negative integer`);
    return v;
  }
  const m = /^(0x[0-9a-f]+|\d+)([KMGT]?)$/i.exec(v.trim());
  if (!m) throw new ScenarioError(`${what}: cannot read '${v}' (expected e.g. 4096, 4K, 2M, 0x2000)`);
  return Number(m[1]) * SUFFIX[m[2].toUpperCase()];
}

const OPS = new Set(["mmap", "touch", "madvise", "munmap", "mprotect", "gup_fast", "walk", "khugepaged", "task_work", "exit", "swapon", "reclaim"]);

/** Check a scenario's shape; throws ScenarioError naming the bad field. */
export function validateScenario(s: unknown, where = "scenario"): Scenario {
  const o = s as Scenario;
  if (!o || typeof o !== "object") throw new ScenarioError(`${where}: not an object`);
  if (typeof o.name !== "string") throw new ScenarioError(`${where}: missing "name"`);
  if (!Array.isArray(o.setup)) throw new ScenarioError(`${where}: "setup" must be a list of operations`);
  if (!Array.isArray(o.actors) || o.actors.length === 0) throw new ScenarioError(`${where}: "actors" must be a non-empty list`);
  if (o.actors.length > 26) throw new ScenarioError(`${where}: at most 26 actors`);
  const checkOps = (ops: ScenarioOp[], w: string) =>
    ops.forEach((op, i) => {
      if (!op || !OPS.has(op.op)) throw new ScenarioError(`${w}[${i}]: unknown op ${JSON.stringify(op?.op)}`);
      if ("at" in op) size(op.at, `${w}[${i}].at`);
      if ("len" in op) size(op.len, `${w}[${i}].len`);
    });
  checkOps(o.setup, `${where}.setup`);
  const cpus = new Set<number>();
  o.actors.forEach((a, i) => {
    if (typeof a.name !== "string" || !Number.isInteger(a.cpu) || a.cpu < 0) throw new ScenarioError(`${where}.actors[${i}]: needs "name" and a "cpu" number`);
    if (a.cpu >= MAX_SCENARIO_CPUS) throw new ScenarioError(`${where}.actors[${i}].cpu: CPU ${a.cpu} is beyond the model's ${MAX_SCENARIO_CPUS} CPUs`);
    if (!Array.isArray(a.ops)) throw new ScenarioError(`${where}.actors[${i}].ops: must be a list of operations`);
    if (cpus.has(a.cpu)) throw new ScenarioError(`${where}.actors[${i}]: CPU ${a.cpu} already runs another actor`);
    cpus.add(a.cpu);
    checkOps(a.ops, `${where}.actors[${i}].ops`);
  });
  return o;
}

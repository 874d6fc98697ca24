/**
 * A bulk run must execute the synchronous twins that build/desync.mjs derives,
 * never the generators they come from: runner.test.ts shows the two agree, so a
 * build without the transform (or one that misses a kernel path) would still pass
 * every other test, only slower. Here every generator resumed during a bulk
 * workload is counted (through %GeneratorPrototype%.next, which run_to_completion(),
 * __drive() and `for...of` all call), as is every primitive driven as an Op
 * instead of through its `$sync` twin.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import * as fault from "../mm/fault.js";
import * as madvise from "../mm/madvise.js";
import * as mmap from "../mm/mmap.js";
import * as mprotect from "../mm/mprotect.js";
import * as zap from "../mm/zap.js";
import * as spinlock from "../sync/spinlock.js";
import { Op } from "../sync/op.js";
import { arch } from "../test/arch.js";
import { applyOp, opsArb, type Op as WorkloadOp } from "../test/workload_arb.js";
import { SLOT } from "../test/helpers.js";

type Next<This = object> = (this: This, ...a: unknown[]) => unknown;
const GeneratorFunctionPrototype = Object.getPrototypeOf(function* () {});
const GeneratorPrototype = GeneratorFunctionPrototype.prototype as { next: Next };
const OpPrototype = Op.prototype as unknown as { next: Next<Op> };

const { MADV_COLD, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_PAGEOUT } = madvise;
const { PROT_READ, PROT_WRITE } = mmap;
const modules: Record<string, unknown>[] = [fault, madvise, mmap, mprotect, zap, spinlock];

/** Names of the exported generator functions of those modules, by the prototype of the generators they make. */
const generatorNames = new Map<object, string>();
for (const m of modules)
  for (const [name, v] of Object.entries(m))
    if (typeof v === "function" && Object.getPrototypeOf(v) === GeneratorFunctionPrototype) generatorNames.set(v.prototype as object, name);

interface Probe {
  /** The first generators resumed (exported name, if any) and the first primitives driven as Ops. */
  generators: string[];
  ops: string[];
  counts: { generators: number; ops: number };
}

/** Run `f` counting the generators resumed and the primitives driven as Op iterators. */
function probe(f: () => void): Probe {
  const seen: Probe = { generators: [], ops: [], counts: { generators: 0, ops: 0 } };
  const gen = GeneratorPrototype.next;
  const op = OpPrototype.next;
  GeneratorPrototype.next = function (...a) {
    if (seen.counts.generators++ < 20) seen.generators.push(generatorNames.get(Object.getPrototypeOf(this)) ?? "(another generator)");
    return gen.apply(this, a);
  };
  OpPrototype.next = function (...a) {
    if (seen.counts.ops++ < 20) seen.ops.push(this.point.what);
    return op.apply(this, a);
  };
  try {
    f();
  } finally {
    GeneratorPrototype.next = gen;
    OpPrototype.next = op;
  }
  return seen;
}

function workload(ops: WorkloadOp[], stepped: boolean): void {
  const e = new Engine({ arch, stepped });
  const p = e.spawn();
  for (const o of ops) applyOp(p, o);
  p.exit();
}

/** Faults (4 KiB and THP), zap, MADV_FREE/PAGEOUT/COLD, mprotect, munmap and exit_mmap. */
const fixed: WorkloadOp[] = [
  { op: "mmap", at: SLOT, len: 8 << 20, shared: false, prot: PROT_READ | PROT_WRITE },
  { op: "madvise", at: SLOT, len: 4 << 20, arg: MADV_HUGEPAGE },
  { op: "touch", at: SLOT, len: 8 << 20, write: true },
  { op: "touch", at: SLOT + (6 << 20), len: 64 << 10, write: false },
  { op: "madvise", at: SLOT + (1 << 20), len: 1 << 20, arg: MADV_DONTNEED },
  { op: "madvise", at: SLOT + (4 << 20), len: 1 << 20, arg: MADV_FREE },
  { op: "madvise", at: SLOT + (5 << 20), len: 1 << 20, arg: MADV_PAGEOUT },
  { op: "madvise", at: SLOT + (3 << 20), len: 8 << 10, arg: MADV_COLD },
  { op: "mprotect", at: SLOT + (2 << 20), len: 2 << 20, arg: PROT_READ },
  { op: "mmap", at: SLOT + (1 << 30), len: 1 << 20, shared: true, prot: PROT_READ | PROT_WRITE },
  { op: "touch", at: SLOT + (1 << 30), len: 1 << 20, write: true },
  { op: "munmap", at: SLOT + (7 << 20), len: 1 << 20, arg: 0 },
];

describe("bulk runs execute the desync twins, not the generators", () => {
  it("the probe sees the generators of a stepped run (it is not vacuous)", () => {
    const seen = probe(() => workload(fixed, true));
    expect(seen.counts.generators).toBeGreaterThan(100);
    expect(seen.generators).toContain("sys_mmap");
    expect(seen.counts.ops).toBeGreaterThan(100);
  });

  it("a bulk workload resumes no generator and drives no primitive as an Op", () => {
    const seen = probe(() => workload(fixed, false));
    expect(seen.generators, "kernel paths run as generators in a bulk run: is build/desync.mjs applied?").toEqual([]);
    expect(seen.ops, "primitives run as Op iterators in a bulk run (a yield* desync did not turn into a $sync call)").toEqual([]);
  });

  it("random bulk workloads resume no generator", () => {
    const samples = fc.sample(opsArb, { numRuns: 40, seed: 7 }); // drawn outside the probe: fast-check may use generators itself
    const seen = probe(() => {
      for (const ops of samples) workload(ops, false);
    });
    expect(seen.generators).toEqual([]);
    expect(seen.ops).toEqual([]);
    expect(seen.counts).toEqual({ generators: 0, ops: 0 });
  });

  it("the modules export the twins of their kernel paths", () => {
    const all = Object.assign({}, ...modules) as Record<string, unknown>;
    for (const name of ["sys_mmap", "sys_munmap", "sys_mprotect", "sys_madvise", "do_user_addr_fault", "exit_mmap", "zap_pte_range", "spin_lock"])
      expect(typeof all[`${name}$sync`], `${name}$sync`).toBe("function");
  });
});

/**
 * The trampoline (sched/trampoline.ts) must step a kernel path exactly as the
 * nested `yield*` chain does: the same points in the same order, return values
 * handed back, exceptions thrown into the caller at its call (and caught
 * there), `finally` blocks run, innermost first, when a path is abandoned. Each
 * deliberately broken trampoline (TRAMPOLINE_MUTANTS) fails one of these. The
 * build's `f$step` variants are checked end to end on real kernel paths too
 * (flat vs nested stepping of a fault and a MADV_DONTNEED below), and by
 * packages/bench/scripts/explore-digest.mjs on every kit scenario.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import * as fault from "../mm/fault.js";
import * as madvise from "../mm/madvise.js";
import { arch } from "../test/arch.js";
import type { Point } from "./point.js";
import { flat_path, Trampoline, TRAMPOLINE_MUTANTS, type TrampolineMutant } from "./trampoline.js";

type G = Generator<unknown, unknown, unknown>;
const pt = (what: string): Point => ({ kind: 1, what, obj: null });

/**
 * A small program written twice: `nested` delegates with yield*, `flat` yields
 * its callees to a trampoline (what desync's `$step` variants do).
 */
function program(log: string[]) {
  function* leaf_n(x: number): G {
    yield pt(`leaf ${x}`);
    if (x === 3) throw new Error("leaf 3 fails");
    return x * 10;
  }
  function* mid_n(x: number): G {
    try {
      const a = (yield* leaf_n(x)) as number;
      yield pt(`mid got ${a}`);
      return a + 1;
    } catch (e) {
      yield pt(`mid caught ${(e as Error).message}`);
      return -1;
    } finally {
      log.push(`mid ${x} finally`);
    }
  }
  function* top_n(): G {
    let sum = 0;
    try {
      for (const x of [1, 3, 2]) sum += (yield* mid_n(x)) as number;
      yield* leaf_n(3); // uncaught here: out of the path
      return sum;
    } finally {
      log.push("top finally");
    }
  }
  function* leaf_f(x: number): G {
    yield pt(`leaf ${x}`);
    if (x === 3) throw new Error("leaf 3 fails");
    return x * 10;
  }
  function* mid_f(x: number): G {
    try {
      const a = (yield leaf_f(x)) as number;
      yield pt(`mid got ${a}`);
      return a + 1;
    } catch (e) {
      yield pt(`mid caught ${(e as Error).message}`);
      return -1;
    } finally {
      log.push(`mid ${x} finally`);
    }
  }
  function* top_f(): G {
    let sum = 0;
    try {
      for (const x of [1, 3, 2]) sum += (yield mid_f(x)) as number;
      yield leaf_f(3);
      return sum;
    } finally {
      log.push("top finally");
    }
  }
  return { nested: top_n, flat: top_f };
}

/** Step a path to its end (or its exception): the points, then "returned v" or "threw m". */
function drive(path: Iterator<unknown, unknown, undefined>): string[] {
  const out: string[] = [];
  try {
    for (let r = path.next(); ; r = path.next()) {
      if (r.done) {
        out.push(`returned ${String(r.value)}`);
        return out;
      }
      out.push((r.value as Point).what);
    }
  } catch (e) {
    out.push(`threw ${(e as Error).message}`);
    return out;
  }
}

function runBoth(mutant: TrampolineMutant | null) {
  const ln: string[] = [];
  const lf: string[] = [];
  const nested = drive(program(ln).nested());
  const flat = drive(new Trampoline(program(lf).flat() as never, mutant));
  return { nested: [...nested, ...ln], flat: [...flat, ...lf] };
}

/** Abandon both versions after `n` points; what their finally blocks logged. */
function abandonBoth(n: number, mutant: TrampolineMutant | null) {
  const ln: string[] = [];
  const lf: string[] = [];
  const a = program(ln).nested();
  const b = new Trampoline(program(lf).flat() as never, mutant);
  for (let i = 0; i < n; i++) {
    a.next();
    b.next();
  }
  a.return(undefined);
  b.return(undefined);
  return { nested: ln, flat: lf };
}

describe("Trampoline: a flat stack steps as the nested yield* chain", () => {
  it("same points, return values, caught and uncaught exceptions, finally blocks", () => {
    const { nested, flat } = runBoth(null);
    expect(nested).toEqual([
      "leaf 1",
      "mid got 10",
      "leaf 3",
      "mid caught leaf 3 fails",
      "leaf 2",
      "mid got 20",
      "leaf 3",
      "threw leaf 3 fails",
      "mid 1 finally",
      "mid 3 finally",
      "mid 2 finally",
      "top finally",
    ]);
    expect(flat).toEqual(nested);
  });

  it("an abandoned path runs every finally, innermost first, as return() on the nested chain does", () => {
    for (const n of [1, 2, 4, 6]) {
      const { nested, flat } = abandonBoth(n, null);
      expect(flat).toEqual(nested);
      expect(flat.at(-1)).toBe("top finally");
    }
  });

  it("flat_path without the build's rewrite is the path itself", () => {
    const g = program([]).nested();
    expect(flat_path(g as never)).toBe(g);
  });

  it("every deliberately broken trampoline is caught", () => {
    const caught = TRAMPOLINE_MUTANTS.filter((m) => {
      const r = runBoth(m);
      if (JSON.stringify(r.flat) !== JSON.stringify(r.nested)) return true;
      return [1, 2, 4, 6].some((n) => {
        const a = abandonBoth(n, m);
        return JSON.stringify(a.flat) !== JSON.stringify(a.nested);
      });
    });
    expect(caught).toEqual([...TRAMPOLINE_MUTANTS]);
  });
});

describe("flat_path on real kernel paths (the build's $step variants)", () => {
  type Proc = ReturnType<Engine["spawn"]>;
  type Path = Generator<Point, unknown, undefined>;
  /** The build's stepping variant `name$step` of an exported kernel path (test files are not rewritten: looked up by name). */
  const stepVariant = (m: object, name: string) => (m as Record<string, (...a: unknown[]) => Path>)[`${name}$step`];

  /** Step one path on a task of a fresh engine, flat or nested: the points' names and the result. */
  function stepped(flat: boolean, make: (p: Proc, flat: boolean) => Path) {
    const e = new Engine({ arch });
    const p = e.spawn();
    p.mmap(0x200000000000, 4 << 20, 3, 0x22 | 0x100000);
    p.touch(0x200000000000, 4 << 20, true, 64 << 10); // one page in 16 present: the zap has runs and holes
    p.task.stepping = true;
    const path = flat ? new Trampoline(make(p, true) as never) : make(p, false);
    const seen: string[] = [];
    let r = path.next();
    for (; !r.done; r = path.next()) seen.push(r.value.what);
    p.task.stepping = false;
    return { seen, value: r.value, rss: p.status().VmRSS };
  }

  it("a write fault and a MADV_DONTNEED pass the same points, flat or nested, with the same result", () => {
    expect(typeof stepVariant(fault, "do_user_addr_fault")).toBe("function"); // the build derived it
    const cases = [
      (p: Proc, f: boolean) => (f ? stepVariant(fault, "do_user_addr_fault") : fault.do_user_addr_fault)(p.task, 0x200000000000 + 8192, true, 7) as Path,
      (p: Proc, f: boolean) => (f ? stepVariant(madvise, "sys_madvise") : madvise.sys_madvise)(p.task, 0x200000000000, 4 << 20, madvise.MADV_DONTNEED) as Path,
    ];
    for (const make of cases) {
      const n = stepped(false, make);
      const f = stepped(true, make);
      expect(f.seen.length).toBeGreaterThan(10);
      expect(f).toEqual(n);
    }
  });
});

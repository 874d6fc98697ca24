/**
 * The compiled interpreter (compile.ts) against the reference it replaces: every
 * operation resolved with resolveOp() and a Map of loop variables, per iteration.
 * Same operations, same errors (message and location), thrown at the same point
 * of the stream. Mutant: a compiler that resolves a loop body once and replays
 * it (the values of `i` frozen at the first iteration) is caught.
 */
import { describe, expect, it } from "vitest";
import type { Script, Stmt } from "./ast.js";
import { compileStmts, forEachCompiled, runCompiled, set_compile_mutant, type Compiled } from "./compile.js";
import { evalNonNegative } from "./expr.js";
import { parseScript } from "./parser.js";
import { resolveOp, resolveScript, type ResolvedOp } from "./resolve.js";

/** The interpreter before compile.ts: resolveOp() per operation per iteration. */
function* reference(stmts: readonly Stmt[], env: Map<string, number> = new Map()): Generator<ResolvedOp> {
  for (const s of stmts) {
    if (s.op !== "repeat") {
      yield resolveOp(s, env);
      continue;
    }
    const n = evalNonNegative(s.count, env, "COUNT");
    for (let i = 0; i < n; i++) {
      env.set(s.var, i);
      yield* reference(s.body, env);
    }
    env.delete(s.var);
  }
}

/** The mutant: each loop body resolved at its first iteration only, then replayed. */
function* frozenBodies(code: readonly Compiled[], v: number[] = []): Generator<ResolvedOp> {
  for (const c of code) {
    if (c.kind === "op") {
      yield c.resolve(v);
      continue;
    }
    const n = c.count(v);
    let first: ResolvedOp[] | null = null;
    for (let i = 0; i < n; i++) {
      v[c.slot] = i;
      first ??= [...frozenBodies(c.body, v)];
      yield* first;
    }
    v.length = c.slot;
  }
}

/** The mutant of forEachCompiled(): each loop body's operations all resolved before the first of them runs. */
function aheadBodies(code: readonly Compiled[], each: (op: ResolvedOp) => void, v: number[] = []): void {
  for (const c of code) {
    if (c.kind === "op") {
      each(c.resolve(v));
      continue;
    }
    const n = c.count(v);
    for (let i = 0; i < n; i++) {
      v[c.slot] = i;
      const ops: ResolvedOp[] = [];
      aheadBodies(c.body, (op) => ops.push(op), v);
      ops.forEach(each);
    }
    v.length = c.slot;
  }
}

/** drain() of a callback walker (forEachCompiled() and its mutant): a copy of each operation as `each` gets it (forEachCompiled() reuses a statement's). */
function drainEach(walk: (code: readonly Compiled[], each: (op: ResolvedOp) => void) => void, script: Script): { ops: ResolvedOp[]; error: string | null } {
  const ops: ResolvedOp[] = [];
  try {
    walk(compileStmts(script.stmts), (op) => ops.push({ ...op }));
  } catch (e) {
    return { ops, error: (e as Error).message };
  }
  return { ops, error: null };
}

/** The stream's operations up to its first error, and that error's message. */
function drain(gen: Iterable<ResolvedOp>): { ops: ResolvedOp[]; error: string | null } {
  const ops: ResolvedOp[] = [];
  try {
    for (const op of gen) ops.push(op);
  } catch (e) {
    return { ops, error: (e as Error).message };
  }
  return { ops, error: null };
}

const SCRIPTS: Record<string, string> = {
  seed: "mmap heap 1G\nstatus before\nrepeat 512\n  touch heap i*2M 2M\n  madvise heap i*2M 2M dontneed\nend\nstatus after\n",
  nested: "mmap h 1G @0x200000000000\nrepeat 3\n  repeat i+1 as j\n    touch h i*4M+j*4K 4K write 4K\n    mprotect h j*2M 2M r\n  end\n  munmap h i*8K 4K\n  status s\nend\n",
  "every operand kind": "ram 1T\nsysctl vm.overcommit_memory=1\nthp never\nswapon 64K\nrepeat 2 as k\n  mmap m k*2M+2M rw shared noreserve @0x100000000+k*1G\n  touch m 0 k*4K+4K read k*4K+4K\n  madvise m 0 4K 77\n  reclaim k*1M+1M direct\n  reclaim 4K\n  sysctl vm.overcommit_ratio=k*10\nend\n",
  "sibling loops reuse a name": "mmap h 1G\nrepeat 2 as k\n  touch h k*4K 4K\nend\nrepeat 3 as k\n  touch h k*8K 4K\nend\n",
  "zero count": "mmap h 1G\nrepeat 0\n  touch h 0 4K\nend\nstatus z\n",
  "negative mid-loop": "mmap h 1G\nrepeat 4\n  touch h 0 2M-i*1M\nend\n",
  "overflow mid-loop": "mmap h 1G\nrepeat 3\n  touch h 0 i*0x10000000000000*2M\nend\n",
  "zero stride mid-loop": "mmap h 1G\nrepeat 3\n  touch h 0 4K write 8K-i*4K\nend\n",
  "negative count inside": "mmap h 1G\nrepeat 3\n  repeat 1-i as j\n    touch h j*4K 4K\n  end\nend\n",
  "bad swapon size": "mmap h 1G\nswapon 40K+1\n",
  "bad ram size": "ram 8K-4K+1\n",
  "error in a body's second statement": "mmap h 1G\nrepeat 4\n  touch h 0 4K\n  touch h 0 2M-i*1M\nend\n",
  "loop variable and a constant": "mmap h 1G\nrepeat 3\n  touch h i+4K i*4K+4K read i*8K+4K\n  madvise h i*2M 0 dontneed\n  munmap h i-0 4K\nend\n",
  "loop variable minus a constant goes negative": "mmap h 1G\nrepeat 3\n  touch h 0 4K\n  madvise h 4K i-1 dontneed\nend\n",
  "loop variable times a constant overflows": "mmap h 1G\nrepeat 3\n  touch h i*0x10000000000000 4K\nend\n",
};

describe("compiled repeat bodies", () => {
  for (const [name, text] of Object.entries(SCRIPTS)) {
    it(`${name}: same operations and errors as resolving each iteration`, () => {
      const script: Script = parseScript(text, "t.wl");
      const want = drain(reference(script.stmts));
      const got = drain(resolveScript(script));
      expect(got).toEqual(want);
      // Same objects field for field, in the same key order (what `mmsim host` streams).
      expect(got.ops.map((o) => JSON.stringify(o))).toEqual(want.ops.map((o) => JSON.stringify(o)));
    });
  }

  it("errors stop the stream where the reference stops", () => {
    const { ops, error } = drain(resolveScript(parseScript(SCRIPTS["negative mid-loop"], "t.wl")));
    expect(ops.length).toBe(4); // mmap, then i = 0, 1, 2
    expect(error).toBe("t.wl:3:13: LENGTH must not be negative");
  });

  it("forEachCompiled() calls back with runCompiled()'s operations and stops at its errors", () => {
    for (const text of Object.values(SCRIPTS)) {
      const script = parseScript(text, "t.wl");
      const want = drain(runCompiled(compileStmts(script.stmts)));
      const got = drainEach((code, each) => forEachCompiled(code, each), script);
      expect(got).toEqual(want);
      expect(got.ops.map((o) => JSON.stringify(o))).toEqual(want.ops.map((o) => JSON.stringify(o)));
    }
  });

  it("forEachCompiled() hands a loop's touch and madvise its statement's object each time (no allocation per iteration)", () => {
    const seen: ResolvedOp[] = [];
    forEachCompiled(compileStmts(parseScript(SCRIPTS.seed, "t.wl").stmts), (op) => {
      if (op.op === "touch" || op.op === "madvise") seen.push(op);
    });
    expect(seen.length).toBe(1024);
    expect(new Set(seen).size).toBe(2);
  });

  it("mutant: a shared operation whose length is filled in only once is caught", () => {
    set_compile_mutant("shared-stale");
    try {
      // Against the reference (resolveOp() per iteration): runCompiled() copies the shared objects, so it is wrong too.
      const script = parseScript(SCRIPTS["negative mid-loop"], "t.wl");
      const want = drain(reference(script.stmts));
      expect(drainEach((code, each) => forEachCompiled(code, each), script)).not.toEqual(want);
      expect(drain(runCompiled(compileStmts(script.stmts)))).not.toEqual(want);
    } finally {
      set_compile_mutant(null);
    }
  });

  it("mutant: a walker that resolves a loop body ahead of running it is caught (an error in its second statement)", () => {
    const script = parseScript(SCRIPTS["error in a body's second statement"], "t.wl");
    const want = drain(runCompiled(compileStmts(script.stmts)));
    expect(want.ops.length).toBe(8); // mmap, i = 0..2 (two each), then i = 3's first touch
    expect(drainEach(aheadBodies, script)).not.toEqual(want);
  });

  it("a statement's values are those of its iteration (the frozen-body mutant differs)", () => {
    for (const name of ["seed", "nested", "sibling loops reuse a name"]) {
      const script = parseScript(SCRIPTS[name], "t.wl");
      expect(drain(frozenBodies(compileStmts(script.stmts)))).not.toEqual(drain(reference(script.stmts)));
      expect(drain(runCompiled(compileStmts(script.stmts)))).toEqual(drain(reference(script.stmts)));
    }
  });
});

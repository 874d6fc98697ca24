/**
 * A parsed script compiled once into closures (issue #10 §1): each statement's
 * operands become functions of the loop variables' values, held in an array by
 * nesting depth (the parser forbids shadowing, so a name stands for one depth
 * wherever it is read). A `repeat` body is compiled once and run `COUNT` times;
 * nothing is looked up by name or re-dispatched on the statement kind per
 * iteration.
 *
 * What a compiled statement returns, and every ScriptError it throws (message,
 * location, and when: as the stream reaches the statement, never ahead), are
 * resolveOp()'s: evaluation order is the same (left operand before right, the
 * operands in resolveOp()'s order), and so are the checks (a safe integer after
 * each operator, no -0, non-negative operands, STRIDE > 0, swapon's and ram's
 * sizes). compile.test.ts compares the two on scripts and on their errors.
 */
import type { Expr, Loc, Stmt } from "./ast.js";
import { ScriptError } from "./errors.js";
import { startLoc } from "./expr.js";
import { SWAP_MIN_BYTES } from "../mm/swapfile.js";
import type { ResolvedOp } from "./resolve.js";

/** The loop variables' current values, outermost loop first. */
type Vars = number[];
type Num = (v: Vars) => number;
/** Loop variable name → its index in Vars, for the loops enclosing a statement. */
type Slots = ReadonlyMap<string, number>;

/** A compiled statement list: an operation, or a loop over a compiled body. */
export type Compiled = { readonly kind: "op"; readonly resolve: (v: Vars) => ResolvedOp } | { readonly kind: "repeat"; readonly count: Num; readonly slot: number; readonly body: readonly Compiled[] };

function overflowCheck(op: string, loc: Loc): (x: number) => number {
  return (x) => {
    if (!Number.isSafeInteger(x)) throw new ScriptError(`'${op}' overflows: result is not a safe integer`, loc);
    return x === 0 ? 0 : x; // no -0
  };
}

/** A touch operation: one object literal, so that every touch has one shape (see compileOp). */
function touchOp(loc: Loc, name: string, offset: number, length: number, write: boolean, stride: number): ResolvedOp {
  return { op: "touch", loc, name, offset, length, write, stride };
}

/** evalExpr() as a closure over the variables' slots. */
function compileExpr(e: Expr, slots: Slots): Num {
  switch (e.kind) {
    case "num": {
      const x = e.value;
      return () => x;
    }
    case "var": {
      const i = slots.get(e.name);
      const name = e.name;
      const loc = e.loc;
      return (v) => {
        const x = i === undefined ? undefined : v[i];
        if (x === undefined) throw new ScriptError(`unknown variable '${name}'`, loc);
        return x;
      };
    }
    case "bin": {
      const l = compileExpr(e.left, slots);
      const r = compileExpr(e.right, slots);
      const check = overflowCheck(e.op, e.loc);
      switch (e.op) {
        case "+":
          return (v) => check(l(v) + r(v));
        case "-":
          return (v) => check(l(v) - r(v));
        case "*":
          return (v) => check(l(v) * r(v));
      }
    }
  }
}

/** evalNonNegative() as a closure. */
function nonNegative(e: Expr, slots: Slots, what: string): Num {
  const f = compileExpr(e, slots);
  const loc = startLoc(e);
  return (v) => {
    const x = f(v);
    if (x < 0) throw new ScriptError(`${what} must not be negative`, loc);
    return x;
  };
}

type SimpleStmt = Exclude<Stmt, { op: "repeat" }>;

/** resolveOp(s, env) as a closure over the variables' slots. */
function compileOp(s: SimpleStmt, slots: Slots): (v: Vars) => ResolvedOp {
  switch (s.op) {
    case "mmap": {
      const size = nonNegative(s.size, slots, "SIZE");
      const addr = s.addr ? nonNegative(s.addr, slots, "ADDR") : null;
      const { loc, name, prot, shared, thp } = s;
      if (s.noreserve) return (v) => ({ op: "mmap", loc, name, size: size(v), prot, shared, thp, addr: addr ? addr(v) : null, noreserve: true });
      return (v) => ({ op: "mmap", loc, name, size: size(v), prot, shared, thp, addr: addr ? addr(v) : null });
    }
    case "touch": {
      const strideOf = s.stride ? nonNegative(s.stride, slots, "STRIDE") : null;
      const strideLoc = s.stride?.loc;
      const offset = nonNegative(s.offset, slots, "OFFSET");
      const length = nonNegative(s.length, slots, "LENGTH");
      const { loc, name, write } = s;
      // One operation made now with an offset past 2^30 (no V8 small integer) gives every touch
      // object's `offset` field that representation from the start: the seed loop's i*2M passes
      // 2^30 at i = 512, which would otherwise throw away the code V8 built for runScript() on the
      // first ones and compile it again (issue #10 §4).
      touchOp(loc, name, 2 ** 31, 0, write, 4096);
      return (v) => {
        const stride = strideOf ? strideOf(v) : 4096;
        if (stride === 0) throw new ScriptError("touch: STRIDE must be positive", strideLoc!);
        return touchOp(loc, name, offset(v), length(v), write, stride);
      };
    }
    case "madvise":
    case "munmap":
    case "mprotect": {
      const offset = nonNegative(s.offset, slots, "OFFSET");
      const length = nonNegative(s.length, slots, "LENGTH");
      return (v) => ({ ...s, offset: offset(v), length: length(v) }) as ResolvedOp;
    }
    case "status":
    case "thp":
      return () => s;
    case "swapon": {
      const size = nonNegative(s.size, slots, "SIZE");
      const { loc } = s;
      const sizeLoc = s.size.loc;
      return (v) => {
        const n = size(v);
        // mkswap's rules, so the simulator and `mmsim host` get the same area.
        if (n % 4096 !== 0 || n < SWAP_MIN_BYTES) throw new ScriptError(`swapon: SIZE ${n} must be a multiple of 4096 and at least ${SWAP_MIN_BYTES} (mkswap's 10 pages)`, sizeLoc);
        return { op: "swapon", loc, size: n };
      };
    }
    case "reclaim": {
      const size = nonNegative(s.size, slots, "SIZE");
      const { loc, direct } = s;
      return (v) => ({ op: "reclaim", loc, size: size(v), direct });
    }
    case "ram": {
      const size = nonNegative(s.size, slots, "SIZE");
      const { loc } = s;
      const sizeLoc = s.size.loc;
      return (v) => {
        const n = size(v);
        if (n < 4096 || n % 4096 !== 0) throw new ScriptError(`ram: SIZE ${n} must be a positive multiple of 4096`, sizeLoc);
        return { op: "ram", loc, size: n };
      };
    }
    case "sysctl": {
      const value = nonNegative(s.value, slots, "VALUE");
      const { loc, name } = s;
      return (v) => ({ op: "sysctl", loc, name, value: value(v) });
    }
  }
  return s satisfies never;
}

/** Compiles a statement list whose enclosing loops bind `slots`. */
export function compileStmts(stmts: readonly Stmt[], slots: Slots = new Map()): Compiled[] {
  return stmts.map((s): Compiled => {
    if (s.op !== "repeat") return { kind: "op", resolve: compileOp(s, slots) };
    const slot = slots.size;
    const inner = new Map(slots);
    inner.set(s.var, slot);
    return { kind: "repeat", count: nonNegative(s.count, slots, "COUNT"), slot, body: compileStmts(s.body, inner) };
  });
}

/**
 * runCompiled() without a generator: calls `each` with every operation in the
 * same order, each resolved right before its call (so an operand error is thrown
 * where the stream would throw it, after the operations before it ran). What
 * runScript() drives (issue #10 §4: no generator resumed, no iterator result
 * allocated, per operation of a long loop); compile.test.ts compares the two.
 */
export function forEachCompiled(code: readonly Compiled[], each: (op: ResolvedOp) => void, v: Vars = []): void {
  for (let k = 0; k < code.length; k++) {
    const c = code[k];
    if (c.kind === "op") {
      each(c.resolve(v));
      continue;
    }
    const n = c.count(v);
    const body = c.body;
    for (let i = 0; i < n; i++) {
      v[c.slot] = i;
      for (let j = 0; j < body.length; j++) {
        const b = body[j];
        if (b.kind === "op") each(b.resolve(v));
        else forEachCompiled([b], each, v);
      }
    }
    v.length = c.slot; // the variable is unbound after its loop
  }
}

/** Runs compiled statements: the operations in order, each resolved as the consumer asks for it. */
export function* runCompiled(code: readonly Compiled[], v: Vars = []): Generator<ResolvedOp> {
  for (const c of code) {
    if (c.kind === "op") {
      yield c.resolve(v);
      continue;
    }
    const n = c.count(v);
    const body = c.body;
    for (let i = 0; i < n; i++) {
      v[c.slot] = i;
      for (const b of body) {
        if (b.kind === "op") yield b.resolve(v);
        else yield* runCompiled([b], v);
      }
    }
    v.length = c.slot; // the variable is unbound after its loop
  }
}

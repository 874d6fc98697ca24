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

/**
 * A compiled statement list: an operation, or a loop over a compiled body. An
 * operation resolves to a new object (`resolve`), or, for forEachCompiled(), to
 * one its statement fills in again at each of its operations (`shared`: the same
 * fields, values and key order; see forEachCompiled()).
 */
export type Compiled =
  | { readonly kind: "op"; readonly resolve: (v: Vars) => ResolvedOp; readonly shared: (v: Vars) => ResolvedOp }
  | { readonly kind: "repeat"; readonly count: Num; readonly slot: number; readonly body: readonly Compiled[] };

/** A compiled operation: its two resolvers (Compiled). */
type CompiledOp = { resolve: (v: Vars) => ResolvedOp; shared: (v: Vars) => ResolvedOp };

/**
 * The shared resolvers' mutant (compile.test.ts shows it caught): "shared-stale"
 * fills in a shared operation's `length` only the first time.
 */
export type CompileMutant = "shared-stale";
let compile_mutant: CompileMutant | null = null;

/** Turns the mutant on (a CompileMutant) or off (null), for compile.test.ts. */
export function set_compile_mutant(m: CompileMutant | null): void {
  compile_mutant = m;
}

/** The error an operator's result that is not a safe integer raises. */
function overflow(op: string, loc: Loc): ScriptError {
  return new ScriptError(`'${op}' overflows: result is not a safe integer`, loc);
}

/** The error an unbound variable raises. */
function unknownVar(name: string, loc: Loc): ScriptError {
  return new ScriptError(`unknown variable '${name}'`, loc);
}

/** A touch operation: one object literal, so that every touch has one shape (see compileOp). */
function touchOp(loc: Loc, name: string, offset: number, length: number, write: boolean, stride: number): ResolvedOp {
  return { op: "touch", loc, name, offset, length, write, stride };
}

/*
 * The closures below check what evalExpr() checks, in its order, written out in
 * each closure rather than in helper closures: a `repeat` body's operands are
 * evaluated once per iteration, and for the first few thousand iterations of a long
 * loop V8 runs them unoptimised, where every closure call costs (issue #10 §4: the
 * seed loop's `i*2M` operands took ~10 closure calls per operation, now 2-3).
 */

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
      if (i === undefined) {
        return () => {
          throw unknownVar(name, loc);
        };
      }
      return (v) => {
        const x = v[i];
        if (x === undefined) throw unknownVar(name, loc);
        return x;
      };
    }
    case "bin":
      return compileBin(e, slots);
  }
}

/** A `bin` node: the left operand, then the right, then the operator's safe-integer check (no -0). */
function compileBin(e: Extract<Expr, { kind: "bin" }>, slots: Slots): Num {
  const { op, loc } = e;
  const mul = op === "*";
  const add = op === "+";
  const l = compileExpr(e.left, slots);
  if (e.right.kind === "num") {
    // A constant right operand (`j*4K+4K`): read, not called.
    const c = e.right.value;
    return (v) => {
      const a = l(v);
      const x = mul ? a * c : add ? a + c : a - c;
      if (!Number.isSafeInteger(x)) throw overflow(op, loc);
      return x === 0 ? 0 : x;
    };
  }
  const r = compileExpr(e.right, slots);
  return (v) => {
    const a = l(v);
    const b = r(v);
    const x = mul ? a * b : add ? a + b : a - b;
    if (!Number.isSafeInteger(x)) throw overflow(op, loc);
    return x === 0 ? 0 : x;
  };
}

/**
 * evalNonNegative() as a closure. A constant operand is checked when evaluated, as
 * any other (an error is thrown as the stream reaches the statement, never ahead),
 * but a non-negative one is just returned.
 */
function nonNegative(e: Expr, slots: Slots, what: string): Num {
  const loc = startLoc(e);
  if (e.kind === "num" && e.value >= 0) {
    const x = e.value;
    return () => x;
  }
  if (e.kind === "bin" && e.left.kind === "var" && e.right.kind === "num" && slots.get(e.left.name) !== undefined) {
    // A loop variable and a constant (`i*2M`, a loop's usual offset): one closure.
    const i = slots.get(e.left.name)!;
    const { name, loc: vloc } = e.left;
    const c = e.right.value;
    const { op, loc: oloc } = e;
    const mul = op === "*";
    const add = op === "+";
    return (v) => {
      const a = v[i];
      if (a === undefined) throw unknownVar(name, vloc);
      const r = mul ? a * c : add ? a + c : a - c;
      if (!Number.isSafeInteger(r)) throw overflow(op, oloc);
      if (r < 0) throw new ScriptError(`${what} must not be negative`, loc);
      return r === 0 ? 0 : r;
    };
  }
  const f = compileExpr(e, slots);
  return (v) => {
    const x = f(v);
    if (x < 0) throw new ScriptError(`${what} must not be negative`, loc);
    return x;
  };
}

type SimpleStmt = Exclude<Stmt, { op: "repeat" }>;

/** The statements a long loop repeats: compiled to fill in one object (see sharedTouch()). */
type RangeStmt = Extract<SimpleStmt, { op: "madvise" | "munmap" | "mprotect" }>;
type TouchStmt = Extract<SimpleStmt, { op: "touch" }>;
type TouchOp = Extract<ResolvedOp, { op: "touch" }>;

/**
 * resolveOp(s, env) as closures over the variables' slots. A touch, madvise, munmap
 * or mprotect fills in its statement's one object (`shared`: forEachCompiled()'s
 * callers get the operation without an allocation per iteration, ~4 MB per `mmsim
 * run seed`, issue #10 §4), and `resolve` copies it: one set of operand closures
 * and checks per statement.
 */
function compileOp(s: SimpleStmt, slots: Slots): CompiledOp {
  switch (s.op) {
    case "touch": {
      const shared = sharedTouch(s, slots);
      return {
        resolve: (v) => {
          const o = shared(v);
          return touchOp(o.loc, o.name, o.offset, o.length, o.write, o.stride);
        },
        shared,
      };
    }
    case "madvise":
    case "munmap":
    case "mprotect": {
      const shared = sharedRange(s, slots);
      return { resolve: (v) => ({ ...shared(v) }), shared };
    }
    default: {
      const resolve = compileResolve(s, slots);
      return { resolve, shared: resolve };
    }
  }
}

/**
 * A touch's operands evaluated as resolveOp() evaluates them, in its order, then
 * stored into the statement's one object. That object is made with an offset past
 * 2^30 (no V8 small integer), so that its `offset` field holds a double from the
 * start: the seed loop's i*2M passes 2^30 at i = 512, which would otherwise throw
 * away the code V8 built for the loop and compile it again.
 */
function sharedTouch(s: TouchStmt, slots: Slots): (v: Vars) => TouchOp {
  const stale = compile_mutant === "shared-stale";
  const strideOf = s.stride ? nonNegative(s.stride, slots, "STRIDE") : null;
  const strideLoc = s.stride?.loc;
  const offset = nonNegative(s.offset, slots, "OFFSET");
  const length = nonNegative(s.length, slots, "LENGTH");
  const op = touchOp(s.loc, s.name, 2 ** 31, 0, s.write, 4096) as TouchOp;
  let first = true;
  return (v) => {
    const stride = strideOf ? strideOf(v) : 4096;
    if (stride === 0) throw new ScriptError("touch: STRIDE must be positive", strideLoc!);
    const off = offset(v);
    const len = length(v);
    op.offset = off;
    if (!stale || first) op.length = len;
    op.stride = stride;
    first = false;
    return op;
  };
}

/** A madvise, munmap or mprotect as `{ ...s, offset, length }`, filled into the statement's one object. */
function sharedRange(s: RangeStmt, slots: Slots): (v: Vars) => ResolvedOp {
  const offset = nonNegative(s.offset, slots, "OFFSET");
  const length = nonNegative(s.length, slots, "LENGTH");
  // s's keys in s's order (offset and length are s's own). Built key by key with numbers past
  // 2^30 in offset and length, so that its fields hold doubles (a copy of s would keep s's
  // fields, which hold expressions: each store would box).
  const op: Record<string, unknown> = {};
  for (const key of Object.keys(s)) op[key] = key === "offset" || key === "length" ? 2 ** 31 : s[key as keyof typeof s];
  return (v) => {
    const off = offset(v);
    const len = length(v);
    op.offset = off;
    op.length = len;
    return op as ResolvedOp;
  };
}

/** resolveOp(s, env) as a closure over the variables' slots, for the other statements: a new object per operation. */
function compileResolve(s: Exclude<SimpleStmt, TouchStmt | RangeStmt>, slots: Slots): (v: Vars) => ResolvedOp {
  switch (s.op) {
    case "mmap": {
      const size = nonNegative(s.size, slots, "SIZE");
      const addr = s.addr ? nonNegative(s.addr, slots, "ADDR") : null;
      const { loc, name, prot, shared, thp } = s;
      if (s.noreserve) return (v) => ({ op: "mmap", loc, name, size: size(v), prot, shared, thp, addr: addr ? addr(v) : null, noreserve: true });
      return (v) => ({ op: "mmap", loc, name, size: size(v), prot, shared, thp, addr: addr ? addr(v) : null });
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
    if (s.op !== "repeat") return { kind: "op", ...compileOp(s, slots) };
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
 * A touch, madvise, munmap or mprotect operation is its statement's shared object
 * (Compiled): valid until `each` returns; `each` copies what it keeps.
 */
export function forEachCompiled(code: readonly Compiled[], each: (op: ResolvedOp) => void, v: Vars = []): void {
  for (let k = 0; k < code.length; k++) {
    const c = code[k];
    if (c.kind === "op") each(c.shared(v));
    else forEachRepeat(c, each, v);
  }
}

/** forEachCompiled() of one `repeat`. */
function forEachRepeat(c: Extract<Compiled, { kind: "repeat" }>, each: (op: ResolvedOp) => void, v: Vars): void {
  const n = c.count(v);
  const body = c.body;
  for (let i = 0; i < n; i++) {
    v[c.slot] = i;
    for (let j = 0; j < body.length; j++) {
      const b = body[j];
      if (b.kind === "op") each(b.shared(v));
      else forEachRepeat(b, each, v);
    }
  }
  v.length = c.slot; // the variable is unbound after its loop
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

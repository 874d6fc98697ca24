/**
 * What a script will do, found without running it and without unrolling its
 * loops: how many operations and status lines it performs, and every bad operand
 * the parser could not see (a negative length, an overflow, a zero stride),
 * reported with its file:line:col before anything runs. `repeat 1000000000000`
 * costs no more to check than `repeat 2`.
 *
 * Checking: each statement is resolved (resolveOp, as the run will) once per
 * loop, with each enclosing loop variable at its first value and, when the body
 * reads it, at its last (a loop's first and last iterations are where a
 * `base+i*2M` operand goes negative or overflows). A value in the middle of a
 * loop that is bad only there is still reported with its location, when the run
 * gets to it. Checking stops after MAX_CHECKS resolutions (the run checks the
 * rest as it goes).
 *
 * Counting: a loop whose body's counts do not depend on its variable multiplies;
 * one whose inner loop counts read it sums over its iterations, up to
 * MAX_SUMMED iterations in all, and beyond that takes the mean of its first and last iteration
 * (exact when the inner count is linear in the variable).
 */
import type { Expr, Script, Stmt } from "./ast.js";
import { evalNonNegative, exprVars } from "./expr.js";
import { resolveOp } from "./resolve.js";

const MAX_CHECKS = 200_000;
const MAX_SUMMED = 100_000;

export interface ScriptShape {
  /** Operations the script performs (loops counted, not unrolled). */
  ops: number;
  /** Status lines it prints. */
  statuses: number;
}

/** The variables a statement list reads, nested loops included. */
function readsOf(stmts: readonly Stmt[], out = new Set<string>()): Set<string> {
  const add = (e: Expr | null) => {
    if (e) for (const v of exprVars(e)) out.add(v.name);
  };
  for (const s of stmts) {
    switch (s.op) {
      case "mmap":
        add(s.size);
        add(s.addr);
        break;
      case "touch":
        add(s.offset);
        add(s.length);
        add(s.stride);
        break;
      case "madvise":
      case "munmap":
      case "mprotect":
        add(s.offset);
        add(s.length);
        break;
      case "swapon":
      case "reclaim":
      case "ram":
        add(s.size);
        break;
      case "sysctl":
        add(s.value);
        break;
      case "thp":
        break;
      case "status":
        break;
      case "repeat":
        add(s.count);
        readsOf(s.body, out);
        break;
    }
  }
  return out;
}

/** The variables the loop counts in a statement list read (what the counts depend on). */
function countReads(stmts: readonly Stmt[], out = new Set<string>()): Set<string> {
  for (const s of stmts) {
    if (s.op !== "repeat") continue;
    for (const v of exprVars(s.count)) out.add(v.name);
    countReads(s.body, out);
  }
  return out;
}

class Preflight {
  private checks = 0;
  private summed = 0;
  private readonly reads = new Map<Stmt, Set<string>>();
  private readonly counts = new Map<Stmt, Set<string>>();

  /** Resolves every statement once (loop variables at their ends) and counts. */
  walk(stmts: readonly Stmt[], env: Map<string, number>, check: boolean): ScriptShape {
    let ops = 0;
    let statuses = 0;
    for (const s of stmts) {
      if (s.op !== "repeat") {
        if (check && this.checks++ < MAX_CHECKS) resolveOp(s, env);
        ops++;
        if (s.op === "status") statuses++;
        continue;
      }
      const n = evalNonNegative(s.count, env, "COUNT");
      if (n === 0) continue; // the body never runs, as in the run
      const first = this.iteration(s, env, 0, check);
      let shape = { ops: first.ops * n, statuses: first.statuses * n };
      const last = n > 1 && (this.readsVar(s) || this.countsReadVar(s)) ? this.iteration(s, env, n - 1, check && this.readsVar(s)) : first;
      if (this.countsReadVar(s)) shape = this.sum(s, env, n, first, last);
      ops += shape.ops;
      statuses += shape.statuses;
    }
    return { ops, statuses };
  }

  private iteration(s: Extract<Stmt, { op: "repeat" }>, env: Map<string, number>, i: number, check: boolean): ScriptShape {
    env.set(s.var, i);
    const r = this.walk(s.body, env, check);
    env.delete(s.var);
    return r;
  }

  /** A loop whose inner counts read its variable: the sum over its iterations (or the mean of its ends, times n). */
  private sum(s: Extract<Stmt, { op: "repeat" }>, env: Map<string, number>, n: number, first: ScriptShape, last: ScriptShape): ScriptShape {
    if (n > MAX_SUMMED - this.summed) return { ops: Math.round(((first.ops + last.ops) / 2) * n), statuses: Math.round(((first.statuses + last.statuses) / 2) * n) };
    this.summed += n;
    let ops = 0;
    let statuses = 0;
    for (let i = 0; i < n; i++) {
      const r = this.iteration(s, env, i, false);
      ops += r.ops;
      statuses += r.statuses;
    }
    return { ops, statuses };
  }

  private readsVar(s: Extract<Stmt, { op: "repeat" }>): boolean {
    let r = this.reads.get(s);
    if (!r) this.reads.set(s, (r = readsOf(s.body)));
    return r.has(s.var);
  }

  private countsReadVar(s: Extract<Stmt, { op: "repeat" }>): boolean {
    let r = this.counts.get(s);
    if (!r) this.counts.set(s, (r = countReads(s.body)));
    return r.has(s.var);
  }
}

/** Checks every operand of `script` (once per loop) and counts its operations and status lines; throws ScriptError. */
export function preflightScript(script: Script): ScriptShape {
  return new Preflight().walk(script.stmts, new Map(), true);
}

/** How many operations a script performs (for progress reporting), without running or unrolling it. */
export function countOps(script: Script): number {
  return preflightScript(script).ops;
}

/**
 * Expansion of a parsed script into resolved operations: loops unrolled, every
 * operand evaluated (loop variables bound), names kept symbolic. Both the
 * simulator and `mmsim host` execute this same stream, so the two outputs can be
 * compared line by line.
 */
import type { Advice, Loc, Prot, Script, Stmt } from "./ast.js";
import { ScriptError } from "./errors.js";
import { evalNonNegative } from "./expr.js";
import { SWAP_MIN_BYTES } from "../mm/swapfile.js";

export type ResolvedOp =
  | { op: "mmap"; loc: Loc; name: string; size: number; prot: Prot; shared: boolean; thp: "hugepage" | "nohugepage" | null; addr: number | null }
  | { op: "touch"; loc: Loc; name: string; offset: number; length: number; write: boolean; stride: number }
  | { op: "madvise"; loc: Loc; name: string; offset: number; length: number; advice: Advice }
  | { op: "munmap"; loc: Loc; name: string; offset: number; length: number }
  | { op: "mprotect"; loc: Loc; name: string; offset: number; length: number; prot: Prot }
  | { op: "status"; loc: Loc; label: string }
  | { op: "swapon"; loc: Loc; size: number };

function* expand(stmts: readonly Stmt[], env: Map<string, number>): Generator<ResolvedOp> {
  for (const s of stmts) {
    switch (s.op) {
      case "mmap":
        yield {
          op: "mmap",
          loc: s.loc,
          name: s.name,
          size: evalNonNegative(s.size, env, "SIZE"),
          prot: s.prot,
          shared: s.shared,
          thp: s.thp,
          addr: s.addr ? evalNonNegative(s.addr, env, "ADDR") : null,
        };
        break;
      case "touch": {
        const stride = s.stride ? evalNonNegative(s.stride, env, "STRIDE") : 4096;
        if (stride === 0) throw new ScriptError("touch: STRIDE must be positive", s.stride!.loc);
        yield {
          op: "touch",
          loc: s.loc,
          name: s.name,
          offset: evalNonNegative(s.offset, env, "OFFSET"),
          length: evalNonNegative(s.length, env, "LENGTH"),
          write: s.write,
          stride,
        };
        break;
      }
      case "madvise":
      case "munmap":
        yield { ...s, offset: evalNonNegative(s.offset, env, "OFFSET"), length: evalNonNegative(s.length, env, "LENGTH") } as ResolvedOp;
        break;
      case "mprotect":
        yield { ...s, offset: evalNonNegative(s.offset, env, "OFFSET"), length: evalNonNegative(s.length, env, "LENGTH") };
        break;
      case "status":
        yield s;
        break;
      case "swapon": {
        const size = evalNonNegative(s.size, env, "SIZE");
        // mkswap's rules, so the simulator and `mmsim host` get the same area.
        if (size % 4096 !== 0 || size < SWAP_MIN_BYTES) throw new ScriptError(`swapon: SIZE ${size} must be a multiple of 4096 and at least ${SWAP_MIN_BYTES} (mkswap's 10 pages)`, s.size.loc);
        yield { op: "swapon", loc: s.loc, size };
        break;
      }
      case "repeat": {
        const n = evalNonNegative(s.count, env, "COUNT");
        for (let i = 0; i < n; i++) {
          env.set(s.var, i);
          yield* expand(s.body, env);
        }
        env.delete(s.var);
        break;
      }
    }
  }
}

/** The operations a script performs, in order. Throws ScriptError (with its location) on a bad operand. */
export function resolveScript(script: Script): Generator<ResolvedOp> {
  return expand(script.stmts, new Map());
}

/** How many operations a script performs (for progress reporting), without running it. */
export function countOps(script: Script): number {
  const count = (stmts: readonly Stmt[], env: Map<string, number>): number => {
    let n = 0;
    for (const s of stmts) {
      if (s.op !== "repeat") {
        n++;
        continue;
      }
      const c = evalNonNegative(s.count, env, "COUNT");
      if (!s.body.some((b) => b.op === "repeat")) n += c * s.body.length;
      else
        for (let i = 0; i < c; i++) {
          env.set(s.var, i);
          n += count(s.body, env);
        }
      env.delete(s.var);
    }
    return n;
  };
  return count(script.stmts, new Map());
}

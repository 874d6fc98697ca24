/**
 * Expansion of a parsed script into resolved operations, streamed: each loop
 * iteration is resolved as the consumer asks for it (nothing is unrolled ahead),
 * every operand evaluated (loop variables bound), names kept symbolic. Both the
 * simulator and `mmsim host` execute this same stream, so the two outputs can be
 * compared line by line.
 */
import type { Advice, Loc, Prot, Script, Stmt, Sysctl, ThpMode } from "./ast.js";
import { ScriptError } from "./errors.js";
import { evalNonNegative } from "./expr.js";
import { SWAP_MIN_BYTES } from "../mm/swapfile.js";
import { compileStmts, runCompiled } from "./compile.js";

export type ResolvedOp =
  | { op: "mmap"; loc: Loc; name: string; size: number; prot: Prot; shared: boolean; thp: "hugepage" | "nohugepage" | null; addr: number | null; noreserve?: boolean }
  | { op: "touch"; loc: Loc; name: string; offset: number; length: number; write: boolean; stride: number }
  | { op: "madvise"; loc: Loc; name: string; offset: number; length: number; advice: Advice | number }
  | { op: "munmap"; loc: Loc; name: string; offset: number; length: number }
  | { op: "mprotect"; loc: Loc; name: string; offset: number; length: number; prot: Prot }
  | { op: "status"; loc: Loc; label: string }
  | { op: "swapon"; loc: Loc; size: number }
  | { op: "ram"; loc: Loc; size: number }
  | { op: "sysctl"; loc: Loc; name: Sysctl; value: number }
  | { op: "thp"; loc: Loc; mode: ThpMode }
  | { op: "reclaim"; loc: Loc; size: number; direct: boolean };

type SimpleStmt = Exclude<Stmt, { op: "repeat" }>;

/** One statement other than `repeat`, its operands evaluated with the loop variables in `env`. */
export function resolveOp(s: SimpleStmt, env: ReadonlyMap<string, number>): ResolvedOp {
  switch (s.op) {
    case "mmap":
      return {
        op: "mmap",
        loc: s.loc,
        name: s.name,
        size: evalNonNegative(s.size, env, "SIZE"),
        prot: s.prot,
        shared: s.shared,
        thp: s.thp,
        addr: s.addr ? evalNonNegative(s.addr, env, "ADDR") : null,
        ...(s.noreserve ? { noreserve: true } : {}),
      };
    case "touch": {
      const stride = s.stride ? evalNonNegative(s.stride, env, "STRIDE") : 4096;
      if (stride === 0) throw new ScriptError("touch: STRIDE must be positive", s.stride!.loc);
      return {
        op: "touch",
        loc: s.loc,
        name: s.name,
        offset: evalNonNegative(s.offset, env, "OFFSET"),
        length: evalNonNegative(s.length, env, "LENGTH"),
        write: s.write,
        stride,
      };
    }
    case "madvise":
    case "munmap":
      return { ...s, offset: evalNonNegative(s.offset, env, "OFFSET"), length: evalNonNegative(s.length, env, "LENGTH") } as ResolvedOp;
    case "mprotect":
      return { ...s, offset: evalNonNegative(s.offset, env, "OFFSET"), length: evalNonNegative(s.length, env, "LENGTH") };
    case "status":
      return s;
    case "swapon": {
      const size = evalNonNegative(s.size, env, "SIZE");
      // mkswap's rules, so the simulator and `mmsim host` get the same area.
      if (size % 4096 !== 0 || size < SWAP_MIN_BYTES) throw new ScriptError(`swapon: SIZE ${size} must be a multiple of 4096 and at least ${SWAP_MIN_BYTES} (mkswap's 10 pages)`, s.size.loc);
      return { op: "swapon", loc: s.loc, size };
    }
    case "reclaim":
      return { op: "reclaim", loc: s.loc, size: evalNonNegative(s.size, env, "SIZE"), direct: s.direct };
    case "ram": {
      const size = evalNonNegative(s.size, env, "SIZE");
      if (size < 4096 || size % 4096 !== 0) throw new ScriptError(`ram: SIZE ${size} must be a positive multiple of 4096`, s.size.loc);
      return { op: "ram", loc: s.loc, size };
    }
    case "sysctl":
      return { op: "sysctl", loc: s.loc, name: s.name, value: evalNonNegative(s.value, env, "VALUE") };
    case "thp":
      return s;
  }
  return s satisfies never;
}

/**
 * The operations a script performs, in order, streamed: a loop's body is resolved
 * as each iteration comes, never unrolled ahead. The script is compiled first
 * (compile.ts: each `repeat` body once, not per iteration); the operations and
 * errors are resolveOp()'s. Throws ScriptError (with its location) on a bad operand.
 */
export function resolveScript(script: Script): Generator<ResolvedOp> {
  return runCompiled(compileStmts(script.stmts));
}

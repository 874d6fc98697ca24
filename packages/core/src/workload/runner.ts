/**
 * Runs a workload script on a simulated process. Output lines are the status lines
 * and error lines (see output.ts); a failing syscall prints its error and the
 * script goes on. A mapping whose mmap failed stays bound to MAP_FAILED, as a C
 * program ignoring the error would: its later syscalls use MAP_FAILED + offset,
 * with the pointer arithmetic of 64-bit C, and its touches raise SIGSEGV.
 */
import type { AccessResult } from "../mm/fault.js";
import { EINVAL, strerror } from "../mm/errno.js";
import {
  MADV_COLD,
  MADV_COLLAPSE,
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_HUGEPAGE,
  MADV_KEEPONFORK,
  MADV_MERGEABLE,
  MADV_NOHUGEPAGE,
  MADV_NORMAL,
  MADV_PAGEOUT,
  MADV_RANDOM,
  MADV_REMOVE,
  MADV_SEQUENTIAL,
  MADV_UNMERGEABLE,
  MADV_WILLNEED,
  MADV_WIPEONFORK,
} from "../mm/madvise.js";
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from "../mm/madvise_guard.js";
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from "../mm/mmap.js";
import { render_status, type ProcStatus } from "../proc/status.js";
import type { Advice, Prot, Script } from "./ast.js";
import { formatError, formatStatus, SIGNAL_TEXT, type StatusLine } from "./output.js";
import { ScriptError } from "./errors.js";
import { countOps } from "./preflight.js";
import { compileStmts, forEachCompiled } from "./compile.js";
import type { ResolvedOp } from "./resolve.js";

export const PROT_BITS: Record<Prot, number> = { rw: PROT_READ | PROT_WRITE, r: PROT_READ, none: 0 };
export const ADVICE: Record<Advice, number> = {
  dontneed: MADV_DONTNEED,
  free: MADV_FREE,
  hugepage: MADV_HUGEPAGE,
  nohugepage: MADV_NOHUGEPAGE,
  willneed: MADV_WILLNEED,
  cold: MADV_COLD,
  pageout: MADV_PAGEOUT,
  normal: MADV_NORMAL,
  random: MADV_RANDOM,
  sequential: MADV_SEQUENTIAL,
  dontfork: MADV_DONTFORK,
  dofork: MADV_DOFORK,
  wipeonfork: MADV_WIPEONFORK,
  keeponfork: MADV_KEEPONFORK,
  dontdump: MADV_DONTDUMP,
  dodump: MADV_DODUMP,
  mergeable: MADV_MERGEABLE,
  unmergeable: MADV_UNMERGEABLE,
  guard_install: MADV_GUARD_INSTALL,
  guard_remove: MADV_GUARD_REMOVE,
  remove: MADV_REMOVE,
  collapse: MADV_COLLAPSE,
};

/** Marks a name whose mmap failed. */
export const MAP_FAILED = -1;

export interface RunOptions {
  /** Called with each output line as it is produced. */
  onLine?: (line: string) => void;
  /** Called now and then with operations done and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * What the result keeps (default "all"): "all" every line and every status
   * line; "statuses" every status line and no other line; "ends" no line and
   * only the first and the last status line. A caller that takes the lines
   * through onLine runs a status line inside `repeat 1000000000000` in constant
   * memory with "ends" (with "all", the result grows until the heap runs out).
   */
  keep?: "all" | "statuses" | "ends";
}

/**
 * What a script runs on: a simulated Process satisfies it; so can a real one.
 * Syscalls return the result or -errno, as the raw syscall does.
 */
export interface Backend {
  mmap(addr: number, len: number, prot: number, flags: number): number;
  munmap(addr: number, len: number): number;
  mprotect(addr: number, len: number, prot: number): number;
  madvise(addr: number, len: number, advice: number): number;
  touch(addr: number, len: number, write: boolean, stride: number): AccessResult;
  status(): ProcStatus;
  /** swapon(2) of a swap area of `bytes` (the `swapon` statement): 0 or -errno. */
  swapon?(bytes: number): number;
  /** The machine's RAM (the `ram` statement). */
  set_ram?(bytes: number): void;
  /** A write to /proc/sys/vm/overcommit_* (the `sysctl` statement): 0 or -errno. */
  sysctl?(name: string, value: number): number;
  /** A write to /sys/kernel/mm/transparent_hugepage/enabled (the `thp` statement). */
  set_thp?(mode: "always" | "madvise" | "never"): void;
  /** Memory pressure (the `reclaim` statement): reclaim `bytes` (kswapd, or `direct` reclaim in the process). */
  reclaim?(bytes: number, direct: boolean): unknown;
}

export interface RunResult {
  lines: string[];
  statuses: StatusLine[];
  /** /proc/<pid>/status at the end. */
  final: ProcStatus;
  proc_status: string;
}

export type { StatusLine };

/** Run `script` on `p` (a simulated Process). Throws ScriptError (file:line:col) on a bad operand value. */
export function runScript(script: Script, p: Backend, opts: RunOptions = {}): RunResult {
  const lines: string[] = [];
  const statuses: StatusLine[] = [];
  const keep = opts.keep ?? "all";
  const emit = (l: string) => {
    if (keep === "all") lines.push(l);
    opts.onLine?.(l);
  };
  const names = new Map<string, number>();
  const total = opts.onProgress ? countOps(script) : 0;
  let done = 0;
  /** Status lines print dVmSwap once a swapon succeeded. */
  let swap = false;
  const err = (op: string, r: number) => {
    if (r < 0) emit(formatError(op, strerror(-r)));
  };
  // Each operation as the compiled script reaches it (forEachCompiled(): resolveScript()'s order and errors, no generator).
  const each = (op: ResolvedOp): void => {
    if (opts.onProgress && (++done & 1023) === 0) opts.onProgress(done, total);
    if (op.op === "status") {
      const s = p.status();
      const cur: StatusLine = { label: op.label, VmSize: s.VmSize, VmRSS: s.VmRSS, VmPTE: s.VmPTE };
      if (swap) cur.VmSwap = s.VmSwap;
      // "ends": [first] and then [first, latest] (the dVm* are relative to the first).
      if (keep !== "ends" || statuses.length < 2) statuses.push(cur);
      else statuses[1] = cur;
      emit(formatStatus(statuses[0], cur));
      return;
    }
    if (op.op === "swapon") {
      if (!p.swapon) throw new ScriptError("swapon: this backend cannot turn swap on", op.loc);
      const r = p.swapon(op.size);
      if (r < 0) err("swapon", r);
      else swap = true;
      return;
    }
    if (op.op === "ram" || op.op === "sysctl" || op.op === "thp") {
      const what = op.op === "ram" ? "set the machine's RAM" : op.op === "sysctl" ? "write sysctls" : "set the THP mode";
      if (op.op === "ram" && p.set_ram) p.set_ram(op.size);
      else if (op.op === "sysctl" && p.sysctl) err("sysctl", p.sysctl(op.name, op.value));
      else if (op.op === "thp" && p.set_thp) p.set_thp(op.mode);
      else throw new ScriptError(`${op.op}: this backend cannot ${what}`, op.loc);
      return;
    }
    if (op.op === "reclaim") {
      if (!p.reclaim) throw new ScriptError("reclaim: this backend cannot apply memory pressure", op.loc);
      p.reclaim(op.size, op.direct);
      return;
    }
    if (op.op === "mmap") {
      const flags = MAP_ANONYMOUS | (op.shared ? MAP_SHARED : MAP_PRIVATE) | (op.addr !== null ? MAP_FIXED_NOREPLACE : 0) | (op.noreserve ? MAP_NORESERVE : 0);
      const r = p.mmap(op.addr ?? 0, op.size, PROT_BITS[op.prot], flags);
      names.set(op.name, r < 0 ? MAP_FAILED : r);
      if (r < 0) err("mmap", r);
      else if (op.thp) err("madvise", p.madvise(r, op.size, ADVICE[op.thp]));
      return;
    }
    const base = names.get(op.name)!;
    // MAP_FAILED + offset wraps like the C pointer: (void *)-1 + 0 is unaligned and
    // above TASK_SIZE (EINVAL, SIGSEGV); (void *)-1 + n is address n - 1.
    const wild = base === MAP_FAILED && op.offset === 0;
    const addr = base === MAP_FAILED ? op.offset - 1 : base + op.offset;
    switch (op.op) {
      case "touch": {
        // Nothing is mapped near MAP_FAILED + offset: a touch of a failed name faults (as `mmsim host` reports).
        const r = base === MAP_FAILED ? "SIGSEGV" : p.touch(addr, op.length, op.write, op.stride);
        if (r !== "ok") emit(formatError("touch", SIGNAL_TEXT[r]));
        break;
      }
      case "madvise":
        err("madvise", wild ? -EINVAL : p.madvise(addr, op.length, typeof op.advice === "number" ? op.advice : ADVICE[op.advice]));
        break;
      case "munmap":
        err("munmap", wild ? -EINVAL : p.munmap(addr, op.length));
        break;
      case "mprotect":
        err("mprotect", wild ? -EINVAL : p.mprotect(addr, op.length, PROT_BITS[op.prot]));
        break;
    }
  };
  forEachCompiled(compileStmts(script.stmts), each);
  opts.onProgress?.(total, total);
  const final = p.status();
  return { lines, statuses, final, proc_status: render_status(final) };
}

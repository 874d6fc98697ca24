/**
 * A parsed trace that cannot be replayed faithfully, found before replaying it
 * (instead of replaying into zeros): events out of time order (perf script sorts
 * them; a trace concatenated or edited by hand may not be), or a trace recorded
 * with another set of tracepoints than `mmsim record`'s (TRACE_EVENTS): no page
 * faults, or no memory syscalls, or neither.
 */
import { isKnownSyscall, type ParsedTrace } from "./events.js";

/** Why a trace is refused; `message` names the line or the tracepoints. */
export class TraceFormatError extends Error {
  constructor(
    message: string,
    readonly reason: "out-of-order" | "tracepoints",
  ) {
    super(message);
    this.name = "TraceFormatError";
  }
}

/** perf prints microseconds: a step back smaller than this is rounding, not disorder. */
const EPSILON_S = 0.5e-6;

/** The first place where time goes backwards, or null. */
export function outOfOrder(trace: ParsedTrace): { line: number; time: number; prevLine: number; prevTime: number } | null {
  let prev: { line: number; time: number } | null = null;
  for (const e of trace.events) {
    if (e.time === null) continue;
    if (prev && e.time < prev.time - EPSILON_S) return { line: e.line, time: e.time, prevLine: prev.line, prevTime: prev.time };
    prev = { line: e.line, time: e.time };
  }
  return null;
}

/** Throws TraceFormatError when the trace is out of time order or lacks the tracepoints a replay needs. */
export function checkTrace(trace: ParsedTrace): void {
  const back = outOfOrder(trace);
  if (back) {
    throw new TraceFormatError(
      `events out of time order: line ${back.line} (${back.time.toFixed(6)} s) comes after line ${back.prevLine} (${back.prevTime.toFixed(6)} s); write the trace with one perf script run (mmsim record does), not by joining or editing traces`,
      "out-of-order",
    );
  }
  let faults = 0;
  let syscalls = 0;
  const other = new Map<string, number>();
  for (const e of trace.events) {
    if (e.kind === "fault") faults++;
    else if ((e.kind === "sys_enter" || e.kind === "sys_exit") && isKnownSyscall(e.name)) syscalls++;
    else if (e.kind === "other") other.set(e.event, (other.get(e.event) ?? 0) + 1);
  }
  if (faults > 0 && syscalls > 0) return;
  const missing = [faults ? null : "exceptions:page_fault_user/kernel", syscalls ? null : "syscalls:sys_enter/exit_{mmap,munmap,madvise,mprotect,mremap,brk}"].filter((x) => x !== null);
  const found = [...other.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, n]) => `${name} ${n}`);
  throw new TraceFormatError(
    `not recorded with mmsim record's tracepoints: no ${missing.join(" and no ")} events` + (found.length ? ` (it has ${found.join(", ")})` : "") + "; record with `mmsim record`",
    "tracepoints",
  );
}

/**
 * The event model: what one line of `perf script` text of the tracepoints
 * `mmsim record` records becomes (parse.ts makes them; the replay consumes
 * them). Every event carries its 1-based trace line, the command name, the
 * thread-group id when perf printed `PID/TID`, the thread id, the CPU and the
 * time. Syscall arguments are kept by their tracepoint field names
 * (/sys/kernel/tracing/events/syscalls/sys_enter_NAME/format).
 */

/** The syscalls the replay understands, and the arguments (by tracepoint field name) each must have. */
export const SYSCALL_ARGS = {
  mmap: ["addr", "len", "prot", "flags", "fd", "off"],
  munmap: ["addr", "len"],
  mprotect: ["start", "len", "prot"],
  madvise: ["start", "len_in", "behavior"],
  mremap: ["addr", "old_len", "new_len", "flags", "new_addr"],
  brk: ["brk"],
} as const satisfies Record<string, readonly string[]>;

export type KnownSyscall = keyof typeof SYSCALL_ARGS;

export function isKnownSyscall(name: string): name is KnownSyscall {
  return Object.prototype.hasOwnProperty.call(SYSCALL_ARGS, name);
}

/** What every event line starts with. */
export interface EventHeader {
  /** 1-based line number in the trace text. */
  line: number;
  comm: string;
  /** The thread-group id (process id), when perf printed `PID/TID`; null when it printed only the TID. */
  pid: number | null;
  tid: number;
  cpu: number | null;
  /** Seconds, when perf printed the time. */
  time: number | null;
}

export interface FaultEvent extends EventHeader {
  kind: "fault";
  /** exceptions:page_fault_user or exceptions:page_fault_kernel (a kernel-mode fault, e.g. copy_to_user). */
  mode: "user" | "kernel";
  address: number;
  /** The faulting instruction: a hex address (user) or a kernel symbol as perf prints it. */
  ip: string;
  /** The x86 page-fault error code: 1 protection, 2 write, 4 user, 0x10 instruction fetch. */
  errorCode: number;
}

export interface SysEnterEvent extends EventHeader {
  kind: "sys_enter";
  name: string;
  /** The arguments by their tracepoint field name. */
  args: Record<string, number>;
}

export interface SysExitEvent extends EventHeader {
  kind: "sys_exit";
  name: string;
  /** The return value as a signed 64-bit number: an address, 0, or -errno. */
  ret: number;
}

export interface ExecEvent extends EventHeader {
  kind: "exec";
  filename: string;
  /** The process (thread-group) id after exec. */
  execPid: number;
  oldPid: number;
}

export interface ForkEvent extends EventHeader {
  kind: "fork";
  parentPid: number;
  childPid: number;
  childComm: string;
}

export interface ExitEvent extends EventHeader {
  kind: "exit";
  exitPid: number;
  /** Whether the whole thread group is gone (Linux 6.16+ prints it); null when the kernel does not say. */
  groupDead: boolean | null;
}

export interface LostEvent extends EventHeader {
  kind: "lost";
  count: number;
}

/** A tracepoint the replay does not know (counted, never silently dropped). */
export interface OtherEvent extends EventHeader {
  kind: "other";
  event: string;
  payload: string;
}

export type TraceEvent = FaultEvent | SysEnterEvent | SysExitEvent | ExecEvent | ForkEvent | ExitEvent | LostEvent | OtherEvent;

export interface MalformedLine {
  line: number;
  text: string;
  reason: string;
}

export interface ParsedTrace {
  events: TraceEvent[];
  malformed: MalformedLine[];
  /** Lost events: their sum, and the number of lost records (PERF_RECORD_LOST / LOST lines / "lost N chunks"). */
  lost: { events: number; records: number; chunks: number };
  /** Lines that carry no event, by reason: "blank", "comment", "PERF_RECORD_MMAP2", ... */
  skipped: Record<string, number>;
  lines: number;
}

export interface ParseOptions {
  /** Throw TraceSyntaxError at the first malformed line. */
  strict?: boolean;
}

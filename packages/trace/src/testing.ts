/** Helpers for the trace tests: the checked-in fixtures, and synthetic perf script text in the real format. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";
import { SYSCALL_ARGS, type KnownSyscall } from "./events.js";

/** packages/trace/traces */
export const TRACES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "traces");

export const fixture = (name: string) => readFileSync(join(TRACES_DIR, name), "utf8");

/** A fresh temp directory, removed when the calling test ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mmsim-trace-test-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Expected {
  VmSize: number;
  VmRSS: number;
  VmPTE: number;
  child?: { VmSize: number; VmRSS: number; VmPTE: number };
  command: string;
}

export const expectedOf = (name: string) => JSON.parse(fixture(`${name}.expected.json`)) as Expected;

const hex = (v: number) => "0x" + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(8, "0");

interface Who {
  pid?: number;
  tid?: number;
  comm?: string;
}

/**
 * Builds perf script text the way `mmsim record` gets it
 * (`-F comm,pid,tid,cpu,time,event,trace`), one event per line.
 */
export class TraceBuilder {
  readonly lines: string[] = [];
  private t = 1000;

  constructor(
    public pid = 4242,
    public comm = "prog",
  ) {}

  line(event: string, payload: string, who: Who = {}): this {
    const pid = who.pid ?? this.pid;
    const tid = who.tid ?? pid;
    this.t += 0.000005;
    this.lines.push(`${(who.comm ?? this.comm).padStart(16)} ${pid}/${tid} [000] ${this.t.toFixed(6)}: ${event.padStart(30)}: ${payload}`);
    return this;
  }

  fault(address: number, write = true, who: Who & { kernel?: boolean; errorCode?: number } = {}): this {
    const ec = who.errorCode ?? (write ? 6 : 4) & (who.kernel ? ~4 : ~0);
    const ip = who.kernel ? "_copy_to_user" : "0x401000";
    return this.line(`exceptions:page_fault_${who.kernel ? "kernel" : "user"}`, `address=${hex(address).replace(/^0x0+(?=.)/, "0x")} ip=${ip} error_code=0x${ec.toString(16)}`, who);
  }

  /** A syscall's enter and exit lines. */
  sys(name: KnownSyscall, args: Record<string, number>, ret: number, who: Who = {}): this {
    return this.enter(name, args, who).exit(name, ret, who);
  }

  enter(name: string, args: Record<string, number>, who: Who = {}): this {
    const keys: readonly string[] = name in SYSCALL_ARGS ? SYSCALL_ARGS[name as KnownSyscall] : Object.keys(args);
    return this.line(`syscalls:sys_enter_${name}`, keys.map((k) => `${k}: ${hex(args[k] ?? 0)}`).join(", "), who);
  }

  exit(name: string, ret: number, who: Who = {}): this {
    return this.line(`syscalls:sys_exit_${name}`, "0x" + BigInt.asUintN(64, BigInt(ret)).toString(16), who);
  }

  mmap(addr: number, len: number, ret = addr, prot = 3, flags = 0x22, who: Who = {}): this {
    return this.sys("mmap", { addr: 0, len, prot, flags, fd: flags & 0x20 ? 0xffffffff : 3, off: 0 }, ret, who);
  }

  exec(filename: string, who: Who = {}): this {
    const pid = who.pid ?? this.pid;
    return this.line("sched:sched_process_exec", `filename=${filename} pid=${pid} old_pid=${pid}`, who);
  }

  fork(child: number, who: Who = {}): this {
    const pid = who.tid ?? who.pid ?? this.pid;
    const comm = who.comm ?? this.comm;
    return this.line("sched:sched_process_fork", `comm=${comm} pid=${pid} child_comm=${comm} child_pid=${child}`, who);
  }

  exitProcess(who: Who = {}, groupDead = true): this {
    const tid = who.tid ?? who.pid ?? this.pid;
    return this.line("sched:sched_process_exit", `comm=${who.comm ?? this.comm} pid=${tid} prio=120 group_dead=${groupDead}`, who);
  }

  text(): string {
    return this.lines.join("\n") + "\n";
  }
}

/**
 * Parser for `perf script` text of the tracepoints `mmsim record` records
 * (see the package README for the exact line formats, as perf 6.1
 * prints them for Linux 6.18):
 *
 *   COMM PID/TID [CPU] SECS.USECS: exceptions:page_fault_user: address=0x7f.. ip=0x7f.. error_code=0x6
 *   COMM PID/TID [CPU] SECS.USECS: exceptions:page_fault_kernel: address=0x55.. ip=elf_load error_code=0x2
 *   COMM PID/TID [CPU] SECS.USECS: syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x00002000, prot: ...
 *   COMM PID/TID [CPU] SECS.USECS: syscalls:sys_exit_mmap: 0x7fba6439b000
 *   COMM PID/TID [CPU] SECS.USECS: sched:sched_process_exec: filename=./tiny pid=26376 old_pid=26376
 *   COMM PID/TID [CPU] SECS.USECS: sched:sched_process_fork: comm=tiny pid=26376 child_comm=tiny child_pid=26381
 *   COMM PID/TID [CPU] SECS.USECS: sched:sched_process_exit: comm=tiny pid=26381 prio=120 group_dead=true
 *   COMM PID/TID [CPU] SECS.USECS: PERF_RECORD_LOST lost 482
 *
 * `PID/` is there when perf script ran with `-F ...,pid,tid,...` (what
 * `mmsim record` asks for); perf's default output has the TID only. The CPU
 * and the time are optional. Fields are found by name, never by position.
 *
 * Nothing is dropped silently: unparsable or truncated lines are collected in
 * `malformed` with their 1-based line number (or thrown as TraceSyntaxError
 * with `strict`), lost-event records are summed in `lost`, and every other
 * line is counted in `skipped` by reason.
 */
import { isKnownSyscall, SYSCALL_ARGS, type EventHeader, type ParsedTrace, type ParseOptions, type TraceEvent } from "./events.js";

export class TraceSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly text: string,
  ) {
    super(`line ${line}: ${reason}: ${text.length > 160 ? text.slice(0, 160) + "..." : text}`);
    this.name = "TraceSyntaxError";
  }
}

/** A number as perf prints it: 0x hex or decimal; unsigned 64-bit unless `signed`. */
export function parseNumber(text: string, signed = false): number | null {
  const t = text.trim();
  if (!/^(0x[0-9a-fA-F]+|-?\d+)$/.test(t)) return null;
  let v = BigInt(t);
  if (v > 0xffffffffffffffffn) return null;
  if (signed) v = BigInt.asIntN(64, v);
  return Number(v);
}

/*
 * COMM, PID[/TID], [CPU], TIME:, then the event name. COMM may contain spaces
 * (it is matched lazily and the rest of the pattern decides where it ends).
 */
const HEADER =
  /^\s*(?<comm>.*?)\s+(?<id1>-?\d+)(?:\/(?<id2>-?\d+))?\s+(?:\[(?<cpu>\d+)\]\s+)?(?:(?<time>\d+\.\d+):\s+)?(?<event>[A-Za-z_][\w-]*:[\w-]+(?=:(?:\s|$))|PERF_RECORD_[A-Z0-9_]+)(?<rest>.*)$/;

const LOST_ANYWHERE = /\bPERF_RECORD_LOST(?:_SAMPLES)?\b[^\d]*?lost[: ]*(\d+)/i;
const LOST_CHUNKS = /Processed \d+ events and lost (\d+) chunks/;
const LOST_LINE = /^\s*LOST\s+(\d+)/;

/** key=value fields, values without spaces (page faults, fork/exit). */
function keyValues(payload: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of payload.matchAll(/(?:^|\s)([A-Za-z_]\w*)=(\S*)/g)) m.set(kv[1], kv[2]);
  return m;
}

/** `name: value, name: value` (syscall enter arguments). */
function syscallArgs(payload: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of payload.matchAll(/([A-Za-z_]\w*):\s*(\S+?)(?:,|\s|$)/g)) m.set(kv[1], kv[2]);
  return m;
}

class Malformed extends Error {}

function parseTracepoint(h: EventHeader, event: string, payload: string): TraceEvent {
  const fail = (reason: string): never => {
    throw new Malformed(`${event}: ${reason}`);
  };
  const num = (fields: Map<string, string>, key: string, signed = false): number => {
    const v = fields.get(key);
    if (v === undefined) return fail(`missing field '${key}' (truncated line?)`);
    const n = parseNumber(v, signed);
    if (n === null) return fail(`field '${key}' is not a number: '${v}'`);
    return n;
  };

  if (event === "exceptions:page_fault_user" || event === "exceptions:page_fault_kernel") {
    const f = keyValues(payload);
    return {
      ...h,
      kind: "fault",
      mode: event.endsWith("user") ? "user" : "kernel",
      address: num(f, "address"),
      ip: f.get("ip") ?? fail("missing field 'ip' (truncated line?)"),
      errorCode: num(f, "error_code"),
    };
  }
  const sys = /^syscalls:sys_(enter|exit)_(\w+)$/.exec(event);
  if (sys) {
    const name = sys[2];
    if (sys[1] === "exit") {
      const ret = parseNumber(payload, true);
      if (ret === null) return fail(payload.trim() === "" ? "missing return value (truncated line?)" : `return value is not a number: '${payload.trim()}'`);
      return { ...h, kind: "sys_exit", name, ret };
    }
    const f = syscallArgs(payload);
    const args: Record<string, number> = {};
    const required: readonly string[] = isKnownSyscall(name) ? SYSCALL_ARGS[name] : [...f.keys()];
    for (const key of required) args[key] = num(f, key);
    return { ...h, kind: "sys_enter", name, args };
  }
  if (event === "sched:sched_process_exec") {
    const m = /^filename=(.*) pid=(\d+) old_pid=(\d+)\s*$/.exec(payload);
    if (!m) return fail("expected 'filename=... pid=N old_pid=N'");
    return { ...h, kind: "exec", filename: m[1], execPid: Number(m[2]), oldPid: Number(m[3]) };
  }
  if (event === "sched:sched_process_fork") {
    const m = /^comm=(.*) pid=(\d+) child_comm=(.*) child_pid=(\d+)(?:\s.*)?$/.exec(payload);
    if (!m) return fail("expected 'comm=... pid=N child_comm=... child_pid=N'");
    return { ...h, kind: "fork", parentPid: Number(m[2]), childComm: m[3], childPid: Number(m[4]) };
  }
  if (event === "sched:sched_process_exit") {
    const m = /^comm=(.*) pid=(\d+) prio=(-?\d+)(?: group_dead=(\w+))?\s*$/.exec(payload);
    if (!m) return fail("expected 'comm=... pid=N prio=N [group_dead=true|false]'");
    const gd = m[4] === undefined ? null : m[4] === "true" || m[4] === "1";
    return { ...h, kind: "exit", exitPid: Number(m[2]), groupDead: gd };
  }
  return { ...h, kind: "other", event, payload };
}

/** Parses `perf script` text. */
export function parseTrace(text: string, opts: ParseOptions = {}): ParsedTrace {
  const out: ParsedTrace = { events: [], malformed: [], lost: { events: 0, records: 0, chunks: 0 }, skipped: {}, lines: 0 };
  const skip = (why: string) => (out.skipped[why] = (out.skipped[why] ?? 0) + 1);
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  out.lines = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, "");
    const line = i + 1;
    const bad = (reason: string) => {
      if (opts.strict) throw new TraceSyntaxError(line, reason, raw);
      out.malformed.push({ line, text: raw, reason });
    };
    if (raw.trim() === "") {
      skip("blank");
      continue;
    }
    if (raw.trimStart().startsWith("#")) {
      skip("comment");
      continue;
    }
    const chunks = LOST_CHUNKS.exec(raw);
    if (chunks) {
      out.lost.chunks += Number(chunks[1]);
      skip("perf lost-chunks message");
      continue;
    }
    const m = HEADER.exec(raw);
    if (!m || !m.groups) {
      const lost = LOST_ANYWHERE.exec(raw) ?? LOST_LINE.exec(raw);
      if (lost) {
        out.lost.events += Number(lost[1]);
        out.lost.records++;
        continue;
      }
      bad("not a perf script event line");
      continue;
    }
    const g = m.groups;
    const id1 = Number(g.id1);
    const h: EventHeader = {
      line,
      comm: g.comm,
      pid: g.id2 === undefined ? null : id1,
      tid: g.id2 === undefined ? id1 : Number(g.id2),
      cpu: g.cpu === undefined ? null : Number(g.cpu),
      time: g.time === undefined ? null : Number(g.time),
    };
    const event = g.event;
    if (event.startsWith("PERF_RECORD_")) {
      if (event === "PERF_RECORD_LOST" || event === "PERF_RECORD_LOST_SAMPLES") {
        const n = /lost[: ]*(\d+)/i.exec(g.rest);
        if (!n) {
          bad(`${event}: no count`);
          continue;
        }
        out.lost.events += Number(n[1]);
        out.lost.records++;
        out.events.push({ ...h, kind: "lost", count: Number(n[1]) });
      } else skip(event);
      continue;
    }
    // The tracepoint payload follows "event: ".
    const payload = g.rest.replace(/^:\s?/, "");
    try {
      out.events.push(parseTracepoint(h, event, payload));
    } catch (e) {
      if (e instanceof Malformed) bad(e.message);
      else throw e;
    }
  }
  return out;
}

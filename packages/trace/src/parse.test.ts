import { describe, expect, it } from "vitest";
import type { TraceEvent } from "./events.js";
import { parseNumber, parseTrace, TraceSyntaxError } from "./parse.js";
import { fixture } from "./testing.js";

const kinds = (evs: TraceEvent[]) => evs.map((e) => (e.kind === "sys_enter" || e.kind === "sys_exit" ? `${e.kind}_${e.name}` : e.kind === "fault" ? `fault_${e.mode}` : e.kind));

describe("parseTrace on real perf script snippets (traces/snippets, cut by trace-tools/make-traces.sh)", () => {
  for (const [file, withPid] of [
    ["snippets/events.trace", true],
    ["snippets/events-tid.trace", false],
  ] as const) {
    it(`${file}: every event kind, fields by name${withPid ? " (PID/TID)" : " (perf's default: TID only)"}`, () => {
      const t = parseTrace(fixture(file));
      expect(t.malformed).toEqual([]);
      expect(t.lost).toEqual({ events: 0, records: 0, chunks: 0 });
      expect(t.events.length).toBe(t.lines);
      const seen = new Set(kinds(t.events));
      for (const k of [
        "fault_user",
        "fault_kernel",
        "exec",
        "fork",
        "exit",
        ...["mmap", "munmap", "madvise", "mprotect", "mremap", "brk"].flatMap((s) => [`sys_enter_${s}`, `sys_exit_${s}`]),
      ]) {
        expect(seen, k).toContain(k);
      }

      // The ELF loader's kernel-mode faults come before the exec event (perf enables the events at exec).
      const [k0] = t.events;
      expect(k0).toMatchObject({ kind: "fault", mode: "kernel", ip: "elf_load", errorCode: 2, comm: "fork-remap", cpu: 0, line: 1 });
      expect(k0.pid).toBe(withPid ? k0.tid : null);
      const exec = t.events.find((e) => e.kind === "exec")!;
      expect(exec).toMatchObject({ filename: "./fork-remap", execPid: exec.tid, oldPid: exec.tid });
      expect(exec.line).toBe(4);

      const user = t.events.find((e) => e.kind === "fault" && e.mode === "user")!;
      expect(user.kind === "fault" && user.errorCode).toBe(0x14); // an instruction fetch
      expect(user.kind === "fault" && user.address).toBe(Number.parseInt(/address=0x([0-9a-f]+)/.exec(fixture(file).split("\n")[user.line - 1])![1], 16));

      const mmap = t.events.find((e) => e.kind === "sys_enter" && e.name === "mmap")!;
      expect(mmap.kind === "sys_enter" && mmap.args).toEqual({ addr: 0, len: 0x2000, prot: 3, flags: 0x22, fd: 0xffffffff, off: 0 });
      const madvise = t.events.find((e) => e.kind === "sys_enter" && e.name === "madvise")!;
      expect(madvise.kind === "sys_enter" && madvise.args.behavior).toBe(4);
      expect(madvise.kind === "sys_enter" && madvise.args.len_in).toBe(32 << 20);
      const mremap = t.events.find((e) => e.kind === "sys_enter" && e.name === "mremap")!;
      expect(mremap.kind === "sys_enter" && Object.keys(mremap.args)).toEqual(["addr", "old_len", "new_len", "flags", "new_addr"]);
      const brk = t.events.find((e) => e.kind === "sys_exit" && e.name === "brk")!;
      expect(brk.kind === "sys_exit" && brk.ret).toBeGreaterThan(0x500000000000);
      // munmap(0x1001, 10) failed with EINVAL: the exit value is the signed -22.
      expect(t.events.some((e) => e.kind === "sys_exit" && e.name === "munmap" && e.ret === -22)).toBe(true);

      const fork = t.events.find((e) => e.kind === "fork")!;
      expect(fork.kind === "fork" && fork.parentPid).toBe(exec.tid);
      const exit = t.events.find((e) => e.kind === "exit")!;
      expect(exit.kind === "exit" && [exit.exitPid, exit.groupDead]).toEqual([fork.kind === "fork" && fork.childPid, true]);
    });
  }

  it("snippets/lost.trace: PERF_RECORD_LOST records are summed (and kept as events)", () => {
    const t = parseTrace(fixture("snippets/lost.trace"));
    expect(t.malformed).toEqual([]);
    const lost = fixture("snippets/lost.trace")
      .split("\n")
      .map((l) => /PERF_RECORD_LOST lost (\d+)/.exec(l)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    expect(lost.length).toBe(3);
    expect(t.lost).toEqual({ events: lost.reduce((a, b) => a + b, 0), records: 3, chunks: 0 });
    expect(t.events.filter((e) => e.kind === "lost").map((e) => e.kind === "lost" && e.count)).toEqual(lost);
  });

  it("snippets/truncated.trace: the cut last line is reported with its line number; the rest is parsed", () => {
    const text = fixture("snippets/truncated.trace");
    const t = parseTrace(text);
    expect(t.lines).toBe(41);
    expect(t.events.length).toBe(40);
    expect(t.malformed).toEqual([{ line: 41, text: text.split("\n")[40], reason: expect.stringMatching(/^syscalls:sys_enter_mmap: missing field '\w+' \(truncated line\?\)$/) as unknown }]);
    expect(() => parseTrace(text, { strict: true })).toThrow(TraceSyntaxError);
    expect(() => parseTrace(text, { strict: true })).toThrow(/^line 41: syscalls:sys_enter_mmap: missing field/);
  });
});

describe("parseTrace: malformed and unusual lines", () => {
  const good = "            prog 10/10 [000]   1.000001:   exceptions:page_fault_user: address=0x7f0000001000 ip=0x401000 error_code=0x6";

  it("collects every malformed line with its line number and keeps going", () => {
    const text = [
      good,
      "garbage that is not an event",
      "            prog 10/10 [000]   1.000002:   exceptions:page_fault_user: address=some_symbol ip=0x401000 error_code=0x6",
      "            prog 10/10 [000]   1.000003:   exceptions:page_fault_user: address=0x7f0000002000 ip=0x401000",
      "            prog 10/10 [000]   1.000004:        syscalls:sys_exit_mmap: ",
      "            prog 10/10 [000]   1.000005:     sched:sched_process_exec: filename=./x",
      "",
      "# a comment",
      good,
      "            prog 10/1",
    ].join("\n");
    const t = parseTrace(text);
    expect(t.events.length).toBe(2);
    expect(t.malformed.map((m) => [m.line, m.reason])).toEqual([
      [2, "not a perf script event line"],
      [3, "exceptions:page_fault_user: field 'address' is not a number: 'some_symbol'"],
      [4, "exceptions:page_fault_user: missing field 'error_code' (truncated line?)"],
      [5, "syscalls:sys_exit_mmap: missing return value (truncated line?)"],
      [6, "sched:sched_process_exec: expected 'filename=... pid=N old_pid=N'"],
      [10, "not a perf script event line"],
    ]);
    expect(t.skipped).toEqual({ blank: 1, comment: 1 });
  });

  it("comm with spaces and digits, no CPU, no time; unknown tracepoints and syscalls are kept as such", () => {
    const t = parseTrace(
      [
        "  Web Content 2 77/78 12.5: exceptions:page_fault_user: address=0x1000000 ip=0x1 error_code=0x4",
        "prog 5 exceptions:page_fault_kernel: address=0x2000000 ip=__clear_user+0x3c error_code=0x2",
        "prog 5/5 [001] 3.0: syscalls:sys_enter_mlock: start: 0x1000, len: 0x2000",
        "prog 5/5 [001] 3.1: kmem:rss_stat: mm_id=1 curr=1 type=MM_ANONPAGES size=4096B",
      ].join("\n"),
    );
    expect(t.malformed).toEqual([]);
    expect(t.events[0]).toMatchObject({ comm: "Web Content 2", pid: 77, tid: 78, cpu: null, time: 12.5, address: 0x1000000, errorCode: 4 });
    expect(t.events[1]).toMatchObject({ comm: "prog", pid: null, tid: 5, mode: "kernel", ip: "__clear_user+0x3c" });
    expect(t.events[2]).toMatchObject({ kind: "sys_enter", name: "mlock", args: { start: 0x1000, len: 0x2000 } });
    expect(t.events[3]).toMatchObject({ kind: "other", event: "kmem:rss_stat" });
  });

  it("lost events in other spellings: perf's 'lost N chunks' message and LOST lines", () => {
    const t = parseTrace([good, "LOST 17 events!", "Processed 361252 events and lost 30 chunks!", good].join("\n"));
    expect(t.lost).toEqual({ events: 17, records: 1, chunks: 30 });
    expect(t.malformed).toEqual([]);
  });

  it("exit events without group_dead (kernels before 6.16)", () => {
    const t = parseTrace("prog 5/5 [001] 3.0: sched:sched_process_exit: comm=prog pid=5 prio=120");
    expect(t.events[0]).toMatchObject({ kind: "exit", exitPid: 5, groupDead: null });
  });
});

describe("parseNumber", () => {
  it("reads hex and decimal, unsigned or as signed 64-bit", () => {
    expect(parseNumber("0x7fba6439b000")).toBe(0x7fba6439b000);
    expect(parseNumber("0xffffffffffffffea", true)).toBe(-22);
    expect(parseNumber("0xfffffffffffffff2", true)).toBe(-14);
    expect(parseNumber("42")).toBe(42);
    expect(parseNumber("0x")).toBeNull();
    expect(parseNumber("elf_load")).toBeNull();
    expect(parseNumber("0x1ffffffffffffffff")).toBeNull();
  });
});

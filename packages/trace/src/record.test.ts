import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace } from "./parse.js";
import { perfRecordArgs, perfScriptArgs, PERF_SCRIPT_FIELDS, recordTrace, RecordError, TRACE_EVENTS, type RecordIo } from "./record.js";
import { fixture, tempDir, TRACES_DIR } from "./testing.js";

/** A stand-in for perf: logs its arguments, runs the command for `record`, prints a snippet for `script`. */
function fakePerf(dir: string, recordBehaviour = 'shift; while [ "$1" != "--" ]; do [ "$1" = "-o" ] && out=$2; shift; done; shift; "$@"; st=$?; echo data > "$out"; echo "[ perf record: done ]" >&2; exit $st'): string {
  const perf = join(dir, "perf");
  writeFileSync(join(dir, "snippet.trace"), fixture("snippets/events.trace"));
  writeFileSync(
    perf,
    `#!/bin/sh
echo "$@" >> "${dir}/perf.log"
case "$1" in
  --version) echo "perf version 6.1.fake"; exit 0 ;;
  record) ${recordBehaviour} ;;
  script) echo "'trace' not valid for hardware events. Ignoring." >&2; cat "${dir}/snippet.trace" ;;
esac
`,
  );
  chmodSync(perf, 0o755);
  return perf;
}

function io() {
  const r = { stdout: "", stderr: "" };
  const sink: RecordIo = { out: (s) => void (r.stdout += s), err: (s) => void (r.stderr += s) };
  return { r, sink };
}

async function failure(p: Promise<unknown>): Promise<RecordError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RecordError) return e;
    throw e;
  }
  throw new Error("recordTrace did not fail");
}

describe("recordTrace", () => {
  it("runs perf record with exactly the trace events, then perf script into the trace file; the command's output passes through", async () => {
    const dir = tempDir();
    const perf = fakePerf(dir);
    const { r, sink } = io();
    const res = await recordTrace(["sh", "-c", "echo hello; exit 3"], { perf, output: "out.trace", cwd: dir }, sink);
    expect(res).toEqual({ trace: join(dir, "out.trace"), lines: 26, commandStatus: 3, interrupted: false });
    expect(r.stdout).toBe("hello\n");
    expect(r.stderr).toBe("[ perf record: done ]\n"); // perf script's "'trace' not valid" noise is dropped
    expect(readFileSync(join(dir, "out.trace"), "utf8")).toBe(fixture("snippets/events.trace"));
    expect(parseTrace(readFileSync(join(dir, "out.trace"), "utf8")).malformed).toEqual([]);
    const data = join(dir, "out.trace.data");
    expect(existsSync(data)).toBe(false); // removed unless keepData
    expect(readFileSync(join(dir, "perf.log"), "utf8").trim().split("\n")).toEqual([
      "--version",
      perfRecordArgs(data, ["sh", "-c", "echo hello; exit 3"]).join(" "),
      perfScriptArgs(data).join(" "),
    ]);
  });

  it("records the page faults, the memory syscalls' enter and exit, and exec/fork/exit; PID/TID in perf script", () => {
    expect(TRACE_EVENTS).toEqual([
      "exceptions:page_fault_user",
      "exceptions:page_fault_kernel",
      "syscalls:sys_enter_mmap",
      "syscalls:sys_exit_mmap",
      "syscalls:sys_enter_munmap",
      "syscalls:sys_exit_munmap",
      "syscalls:sys_enter_madvise",
      "syscalls:sys_exit_madvise",
      "syscalls:sys_enter_mprotect",
      "syscalls:sys_exit_mprotect",
      "syscalls:sys_enter_mremap",
      "syscalls:sys_exit_mremap",
      "syscalls:sys_enter_brk",
      "syscalls:sys_exit_brk",
      "sched:sched_process_exec",
      "sched:sched_process_fork",
      "sched:sched_process_exit",
    ]);
    expect(perfRecordArgs("f.data", ["ls", "-l"])).toEqual(["record", ...TRACE_EVENTS.flatMap((e) => ["-e", e]), "-m", "1024", "-o", "f.data", "--", "ls", "-l"]);
    expect(perfScriptArgs("f.data")).toEqual(["script", "-i", "f.data", "--show-lost-events", "-F", "comm,pid,tid,cpu,time,event,trace"]);
  });

  it("trace-tools/make-traces.sh records the same events with the same perf script fields", () => {
    const sh = readFileSync(join(TRACES_DIR, "..", "trace-tools", "make-traces.sh"), "utf8");
    const events = /^EVENTS=\(\n([\s\S]*?)\n\)$/m.exec(sh)![1].trim().split(/\s+/);
    expect(events).toEqual(TRACE_EVENTS);
    expect(/^FIELDS=(.*)$/m.exec(sh)![1]).toBe(PERF_SCRIPT_FIELDS);
  });

  it("keepData keeps perf's data file; the output defaults to mmsim.trace", async () => {
    const dir = tempDir();
    const res = await recordTrace(["true"], { perf: fakePerf(dir), keepData: true, cwd: dir }, io().sink);
    expect(res.trace).toBe(join(dir, "mmsim.trace"));
    expect(existsSync(join(dir, "mmsim.trace.data"))).toBe(true);
  });

  it("fails with a RecordError saying why: no command, perf missing, no permission, a missing tracepoint", async () => {
    const dir = tempDir();
    expect(await failure(recordTrace([], { cwd: dir }, io().sink))).toMatchObject({ reason: "usage" });
    const missing = await failure(recordTrace(["true"], { perf: join(dir, "no-such-perf"), cwd: dir }, io().sink));
    expect(missing.reason).toBe("perf-missing");
    expect(missing.message).toBe(`perf not found (${join(dir, "no-such-perf")}): install it (Debian: apt-get install linux-perf), or name it with --perf <path> or $PERF`);
    // What perf 6.1 prints for an unprivileged user (measured).
    const denied = fakePerf(
      dir,
      `echo "event syntax error: 'exceptions:page_fault_user'" >&2; echo "                     \\___ can't access trace events" >&2; echo "Error:	No permissions to read /sys/kernel/tracing/events/exceptions/page_fault_user" >&2; exit 129`,
    );
    const perm = await failure(recordTrace(["true"], { perf: denied, cwd: dir }, io().sink));
    expect(perm.reason).toBe("permission");
    expect(perm.message).toMatch(/^perf has no permission to record the tracepoints: run as root, or give perf CAP_PERFMON and lower \/proc\/sys\/kernel\/perf_event_paranoid \(now [-\d?]+;/);
    expect(perm.message).toContain("/sys/kernel/tracing");
    const lacking = fakePerf(dir, `echo "event syntax error: 'exceptions:page_fault_user'" >&2; echo "  \\___ unknown tracepoint" >&2; exit 129`);
    const tp = await failure(recordTrace(["true"], { perf: lacking, cwd: dir }, io().sink));
    expect(tp.reason).toBe("tracepoint");
    expect(tp.message).toMatch(/^this kernel lacks the tracepoint exceptions:page_fault_user/);
  });

  it("a program that does not exist: one error before perf runs, and no file left behind", async () => {
    const dir = tempDir();
    const perf = fakePerf(dir);
    const e = await failure(recordTrace(["no-such-program-xyz", "-a"], { perf, output: "t.trace", cwd: dir }, io().sink));
    expect(e.reason).toBe("command-missing");
    expect(e.message).toBe("mmsim record: no-such-program-xyz: command not found (not an executable file on $PATH)");
    const rel = await failure(recordTrace(["./nope"], { perf, output: "t.trace", cwd: dir }, io().sink));
    expect(rel.message).toBe("mmsim record: ./nope: no such executable file");
    expect(existsSync(join(dir, "perf.log"))).toBe(false);
    expect(existsSync(join(dir, "t.trace"))).toBe(false);
    expect(existsSync(join(dir, "t.trace.data"))).toBe(false);
  });

  it("a trace file that cannot be written (-o a directory, in a missing directory, or its .data a directory): one error before perf runs, nothing removed", async () => {
    const dir = tempDir();
    const perf = fakePerf(dir);
    mkdirSync(join(dir, "d.trace"));
    const isDir = await failure(recordTrace(["true"], { perf, output: "d.trace", cwd: dir }, io().sink));
    expect(isDir.reason).toBe("output");
    expect(isDir.message).toBe(
      `mmsim record: cannot write the trace ${join(dir, "d.trace")}: ${join(dir, "d.trace")} is a directory (-o names the trace file; perf's data goes beside it as <file>.data)`,
    );
    expect(existsSync(join(dir, "d.trace"))).toBe(true);
    const noDir = await failure(recordTrace(["true"], { perf, output: "no/such/t.trace", cwd: dir }, io().sink));
    expect(noDir.reason).toBe("output");
    expect(noDir.message).toContain(`no such directory ${join(dir, "no", "such")}`);
    writeFileSync(join(dir, "file"), "");
    const notDir = await failure(recordTrace(["true"], { perf, output: "file/t.trace", cwd: dir }, io().sink));
    expect(notDir.message).toContain(`${join(dir, "file")} is not a directory`);
    mkdirSync(join(dir, "e.trace.data"));
    const dataDir = await failure(recordTrace(["true"], { perf, output: "e.trace", cwd: dir }, io().sink));
    expect(dataDir.message).toContain(`cannot write perf's data file ${join(dir, "e.trace.data")}: ${join(dir, "e.trace.data")} is a directory`);
    expect(existsSync(join(dir, "perf.log"))).toBe(false); // perf never ran
  });

  it("a perf that fails midway leaves neither the data file nor a partial trace", async () => {
    const dir = tempDir();
    const perf = fakePerf(dir);
    writeFileSync(perf, readFileSync(perf, "utf8").replace(/script\) .*/, 'script) echo partial; echo "perf script: broken" >&2; exit 1 ;;'));
    const e = await failure(recordTrace(["true"], { perf, output: "t.trace", cwd: dir }, io().sink));
    expect(e.reason).toBe("perf-failed");
    expect(existsSync(join(dir, "t.trace"))).toBe(false);
    expect(existsSync(join(dir, "t.trace.data"))).toBe(false);
  });

  it("Ctrl-C stops the recording, not mmsim: SIGINT goes to perf record, and the trace is still written", async () => {
    const dir = tempDir();
    // perf record as perf does it: on SIGINT it stops the program and writes its data.
    const perf = fakePerf(dir, `shift; while [ "$1" != "--" ]; do [ "$1" = "-o" ] && out=$2; shift; done; trap 'kill $! 2>/dev/null; echo data > "$out"; exit 0' INT; sleep 30 >/dev/null 2>&1 & wait $!`);
    const pending = recordTrace(["true"], { perf, output: "t.trace", cwd: dir }, io().sink);
    await new Promise((r) => setTimeout(r, 500));
    expect(process.listenerCount("SIGINT")).toBeGreaterThan(0);
    process.emit("SIGINT", "SIGINT");
    const res = await pending;
    expect(res.interrupted).toBe(true);
    expect(readFileSync(join(dir, "t.trace"), "utf8")).toBe(fixture("snippets/events.trace"));
  }, 20_000);

  it("Ctrl-C before perf recorded any event (a loaded machine, perf still setting up): an error, and no empty trace left to replay", async () => {
    const dir = tempDir();
    const perf = fakePerf(dir, `shift; while [ "$1" != "--" ]; do [ "$1" = "-o" ] && out=$2; shift; done; trap 'kill $! 2>/dev/null; echo header > "$out"; exit 0' INT; sleep 30 >/dev/null 2>&1 & wait $!`);
    writeFileSync(perf, readFileSync(perf, "utf8").replace(/script\) .*/, "script) exit 0 ;;"));
    const pending = recordTrace(["true"], { perf, output: "t.trace", cwd: dir }, io().sink);
    await new Promise((r) => setTimeout(r, 500));
    process.emit("SIGINT", "SIGINT");
    const e = await failure(pending);
    expect(e.reason).toBe("interrupted");
    expect(e.message).toBe("the recording was interrupted (Ctrl-C) before perf recorded any event: no trace written");
    expect(existsSync(join(dir, "t.trace"))).toBe(false);
    expect(existsSync(join(dir, "t.trace.data"))).toBe(false);
  }, 20_000);
});


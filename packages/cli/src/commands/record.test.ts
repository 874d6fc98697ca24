import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { parseTrace, perfRecordArgs, perfScriptArgs } from "@mmsim/trace";
import { tempDir } from "../testing.js";
import { recordCommand } from "./record.js";

/** A snippet of a real recording, from @mmsim/trace's fixtures. */
const SNIPPET = join(dirname(createRequire(import.meta.url).resolve("@mmsim/trace/package.json")), "traces", "snippets", "events.trace");
const fixture = () => readFileSync(SNIPPET, "utf8");

/** A stand-in for perf: logs its arguments, runs the command for `record`, prints a snippet for `script`. */
function fakePerf(dir: string, recordBehaviour = 'shift; while [ "$1" != "--" ]; do [ "$1" = "-o" ] && out=$2; shift; done; shift; "$@"; st=$?; echo data > "$out"; echo "[ perf record: done ]" >&2; exit $st'): string {
  const perf = join(dir, "perf");
  writeFileSync(join(dir, "snippet.trace"), fixture());
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

async function record(argv: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  const code = await recordCommand(argv, { out: (s) => void (stdout += s), err: (s) => void (stderr += s), cwd });
  return { code, stdout, stderr };
}

describe("mmsim record", () => {
  it("runs perf record with exactly the trace events, then perf script into the trace file", async () => {
    const dir = tempDir();
    const perf = fakePerf(dir);
    const r = await record(["--perf", perf, "-o", "out.trace", "--", "sh", "-c", "echo hello; exit 3"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("hello\n");
    expect(r.stderr).toBe(`[ perf record: done ]\nmmsim record: wrote ${join(dir, "out.trace")} (26 lines) (the command exited with status 3); replay it with: mmsim replay ${join(dir, "out.trace")}\n`);
    expect(readFileSync(join(dir, "out.trace"), "utf8")).toBe(fixture());
    expect(parseTrace(readFileSync(join(dir, "out.trace"), "utf8")).malformed).toEqual([]);
    const data = join(dir, "out.trace.data");
    expect(existsSync(data)).toBe(false); // removed unless --keep-data
    expect(readFileSync(join(dir, "perf.log"), "utf8").trim().split("\n")).toEqual([
      "--version",
      perfRecordArgs(data, ["sh", "-c", "echo hello; exit 3"]).join(" "),
      perfScriptArgs(data).join(" "),
    ]);
  });

  it("-o defaults to mmsim.trace; --keep-data keeps perf's data file; the command may follow without --", async () => {
    const dir = tempDir();
    const r = await record(["--perf", fakePerf(dir), "--keep-data", "true"], dir);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "mmsim.trace"))).toBe(true);
    expect(existsSync(join(dir, "mmsim.trace.data"))).toBe(true);
  });

  it("a missing perf is a clear error", async () => {
    const dir = tempDir();
    const r = await record(["--perf", join(dir, "no-such-perf"), "--", "true"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: perf not found (${join(dir, "no-such-perf")}): install it (Debian: apt-get install linux-perf), or name it with --perf <path> or $PERF\n`);
  });

  it("perf without permission: the error names perf_event_paranoid and tracefs", async () => {
    const dir = tempDir();
    // What perf 6.1 prints for an unprivileged user (measured).
    const perf = fakePerf(
      dir,
      `echo "event syntax error: 'exceptions:page_fault_user'" >&2; echo "                     \\___ can't access trace events" >&2; echo "Error:	No permissions to read /sys/kernel/tracing/events/exceptions/page_fault_user" >&2; exit 129`,
    );
    const r = await record(["--perf", perf, "--", "true"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: perf has no permission to record the tracepoints: run as root, or give perf CAP_PERFMON and lower \/proc\/sys\/kernel\/perf_event_paranoid \(now [-\d?]+;/m);
    expect(r.stderr).toContain("/sys/kernel/tracing");
  });

  it("a kernel without one of the tracepoints", async () => {
    const dir = tempDir();
    const perf = fakePerf(dir, `echo "event syntax error: 'exceptions:page_fault_user'" >&2; echo "  \\___ unknown tracepoint" >&2; exit 129`);
    const r = await record(["--perf", perf, "--", "true"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: this kernel lacks the tracepoint exceptions:page_fault_user/m);
  });

  it("usage errors: no command, unknown option (exit 2); --help (exit 0)", async () => {
    const dir = tempDir();
    expect((await record(["--perf", fakePerf(dir)], dir)).code).toBe(2);
    const u = await record(["--frob", "--", "true"], dir);
    expect([u.code, u.stderr]).toEqual([2, "error: mmsim record: unknown option '--frob' (put the command after --)\n"]);
    const h = await record(["-h"], dir);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: mmsim record \[options\] -- <command\.\.\.>/);
  });
});

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { tempDir } from "../testing.js";
import { replayCommand, type ReplayCommandOptions, type ReplayJson } from "./replay.js";

/** The recorded traces @mmsim/trace keeps (packages/trace/traces). */
const TRACES_DIR = join(dirname(createRequire(import.meta.url).resolve("@mmsim/trace/package.json")), "traces");
const fixture = (name: string) => readFileSync(join(TRACES_DIR, name), "utf8");

/** One perf script line as `mmsim record` writes it. */
const line = (t: number, event: string, payload: string) => `${"p".padStart(16)} 4242/4242 [000] ${(1000 + t / 1e6).toFixed(6)}: ${event.padStart(30)}: ${payload}`;

async function replay(path: string, opts: ReplayCommandOptions, cwd = TRACES_DIR) {
  let stdout = "";
  let stderr = "";
  const code = await replayCommand(path, opts, { out: (s) => void (stdout += s), err: (s) => void (stderr += s), cwd });
  return { code, stdout, stderr };
}

describe("mmsim replay <trace>", () => {
  it("prints the final figures under each plugin, the comparison with --expected, and every replay count", async () => {
    const r = await replay("fork-remap.trace", { reclaim: "none,pt-reclaim", expected: "fork-remap.expected.json" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^fork-remap\.trace: 1\d{3} lines, 1\d{3} events, 2 process images$/);
    expect(lines[1]).toMatch(/^process \d+ \(fork-remap\): exec of \.\/fork-remap at line 4, exited at line \d+; final figures:$/);
    expect(lines[3]).toMatch(/^\s+none\s+pt-reclaim\s+recorded$/);
    expect(r.stdout).toMatch(/^VmPTE\s+236 kB\s+220 kB\s+220 kB$/m);
    expect(r.stdout).toMatch(/^VmPTE error\s+\+7\.3%\s+\+0\.0%$/m);
    for (const label of ["page faults", "outside every VMA", "file mmaps approximated", "mremap approximated", "brk heap", "madvise", "placement conflicts", "unpaired syscall events", "unknown syscalls", "lines without events"]) {
      expect(r.stdout).toContain(`  ${label}`);
    }
    expect(r.stdout).toMatch(/mremap approximated\s+0 in place, 1 moved \(32 pages re-faulted\)/);
    expect(r.stdout).toMatch(/failed in the trace\s+munmap 1/);
    expect(r.stdout).toMatch(/other process images \(none\):\n\s+\d+ fork-remap\s+fork\s+VmPTE \d+ kB/);
  });

  it("--json: results per plugin, the summary, the trace's global counts", async () => {
    const r = await replay("jemalloc.trace", { reclaim: "pt-reclaim,none", json: true, expected: "jemalloc.expected.json" });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as ReplayJson;
    expect(j.comm).toBe("alloc-churn");
    expect(j.results.map((x) => x.reclaim)).toEqual(["pt-reclaim", null]);
    expect(j.results[0].status.VmPTE).toBe(j.expected!.VmPTE);
    expect(j.results[0].vmPteErrorPct).toBe(0);
    expect(j.results[1].status.VmPTE).toBeGreaterThan(j.results[0].status.VmPTE);
    expect(j.results[0].processes.map((p) => p.comm)).toEqual(["env", "alloc-churn"]);
    expect(j.summary.faults.total).toBeGreaterThan(7000);
    expect(j.summary.mmap.filePrivate).toBeGreaterThan(0);
    expect(j.global).toMatchObject({ malformed: 0, lost: { events: 0, records: 0, chunks: 0 } });
    expect(j.malformed).toEqual([]);
  });

  it("--pid picks a process; an unknown one is an error (exit 1)", async () => {
    const ok = await replay("fork-remap.trace", { reclaim: "pt-reclaim", json: true });
    const child = (JSON.parse(ok.stdout) as ReplayJson).results[0].processes.find((p) => p.origin === "fork")!;
    const r = await replay("fork-remap.trace", { reclaim: "pt-reclaim", json: true, pid: String(child.pid) });
    expect((JSON.parse(r.stdout) as ReplayJson).results[0].status.VmPTE).toBe(child.VmPTE);
    const bad = await replay("fork-remap.trace", { reclaim: "pt-reclaim", pid: 1 });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: fork-remap\.trace: process 1 is not in the trace \(processes: \d+ \(fork-remap\), \d+ \(fork-remap\)\)\n$/);
  });

  it("malformed lines: a warning with their line numbers, or with --strict an error (exit 1)", async () => {
    const r = await replay("snippets/truncated.trace", { reclaim: "none" });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: 1 malformed line\(s\) skipped \(line 41: syscalls:sys_enter_mmap: missing field 'len' \(truncated line\?\)\)\n$/);
    const s = await replay("snippets/truncated.trace", { reclaim: "none", strict: true });
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/^error: snippets\/truncated\.trace: line 41: syscalls:sys_enter_mmap: missing field 'len'/);
  });

  it("lost events: a warning with the count", async () => {
    const r = await replay("snippets/lost.trace", { reclaim: "none" });
    expect(r.code).toBe(0);
    const n = [...fixture("snippets/lost.trace").matchAll(/PERF_RECORD_LOST lost (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    expect(r.stderr).toContain(`warning: perf lost ${n} events (3 lost records)`);
  });

  it("reads gzip-compressed traces; unreadable or empty files are errors", async () => {
    const dir = tempDir();
    const text = [
      line(5, "sched:sched_process_exec", "filename=./p pid=4242 old_pid=4242"),
      line(10, "syscalls:sys_enter_mmap", "addr: 0x00000000, len: 0x00001000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000"),
      line(15, "syscalls:sys_exit_mmap", "0x200000000000"),
      line(20, "exceptions:page_fault_user", "address=0x200000000000 ip=0x401000 error_code=0x6"),
    ].join("\n");
    writeFileSync(join(dir, "t.trace.gz"), gzipSync(text + "\n"));
    writeFileSync(join(dir, "empty.trace"), "\n");
    const r = await replay("t.trace.gz", { reclaim: "none", json: true }, dir);
    expect((JSON.parse(r.stdout) as ReplayJson).results[0].status.VmPTE).toBe(12);
    const missing = await replay("nope.trace", { reclaim: "none" }, dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read trace nope\.trace: no such file or directory$/m);
    const empty = await replay("empty.trace", { reclaim: "none" }, dir);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no trace events/);
    const badPid = await replay("t.trace.gz", { reclaim: "none", pid: "x" }, dir);
    expect(badPid.code).toBe(2);
  });
});

/**
 * Traces that would replay into zeros are refused: out of time order, or
 * recorded with other tracepoints. Every checked-in trace passes. Mutant: an
 * outOfOrder() that never finds anything (the swapped-lines test fails).
 */
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkTrace, outOfOrder, TraceFormatError } from "./check.js";
import { parseTrace } from "./parse.js";
import { fixture, TraceBuilder, TRACES_DIR } from "./testing.js";

const program = () => new TraceBuilder().exec("./p").mmap(0x200000000000, 0x2000).fault(0x200000000000);

describe("checkTrace", () => {
  it("passes every checked-in trace and a trace as mmsim record writes it", () => {
    for (const name of ["fork-remap.trace", "jemalloc.trace", "tcmalloc.trace"]) expect(() => checkTrace(parseTrace(fixture(name)))).not.toThrow();
    expect(() => checkTrace(parseTrace(gunzipSync(readFileSync(join(TRACES_DIR, "node.trace.gz"))).toString()))).not.toThrow();
    expect(() => checkTrace(parseTrace(program().text()))).not.toThrow();
  });

  it("refuses events out of time order, naming the lines", () => {
    const lines = program().text().trimEnd().split("\n");
    [lines[2], lines[3]] = [lines[3], lines[2]];
    const t = parseTrace(lines.join("\n") + "\n");
    expect(outOfOrder(t)).toMatchObject({ line: 4, prevLine: 3 });
    expect(() => checkTrace(t)).toThrow(/^events out of time order: line 4 \(1000\.\d{6} s\) comes after line 3/);
  });

  it("refuses a trace of other tracepoints, or without faults or syscalls", () => {
    const sched = new TraceBuilder().line("sched:sched_switch", "prev_comm=a prev_pid=1 next_comm=b next_pid=2").line("sched:sched_switch", "x=1").text();
    expect(() => checkTrace(parseTrace(sched))).toThrow(
      "not recorded with mmsim record's tracepoints: no exceptions:page_fault_user/kernel and no syscalls:sys_enter/exit_{mmap,munmap,madvise,mprotect,mremap,brk} events (it has sched:sched_switch 2); record with `mmsim record`",
    );
    const faultsOnly = new TraceBuilder().exec("./p").fault(0x1000).text();
    expect(() => checkTrace(parseTrace(faultsOnly))).toThrow(TraceFormatError);
    expect(() => checkTrace(parseTrace(faultsOnly))).toThrow("no syscalls:sys_enter/exit_");
  });
});

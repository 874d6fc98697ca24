/**
 * The real kernel as referee: traces of real programs recorded on Linux 6.18
 * (CONFIG_PT_RECLAIM=y) by trace-tools/make-traces.sh, each with the program's
 * own final /proc/self/status figures. Our kernel reclaims empty PTE tables on
 * MADV_DONTNEED, so it corresponds to the pt-reclaim plugin: replayed with it,
 * the predicted final VmPTE must be what the program saw, exactly.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { parseTrace } from "./parse.js";
import { readTrace } from "./read.js";
import { errorPct, replayTrace } from "./summary.js";
import { expectedOf, fixture, TRACES_DIR } from "./testing.js";

/** traces/NAME.trace, or NAME.trace.gz. */
const traceText = (name: string) => {
  const plain = join(TRACES_DIR, `${name}.trace`);
  return readTrace(existsSync(plain) ? plain : `${plain}.gz`);
};

describe.each(["jemalloc", "tcmalloc", "fork-remap", "node"])("traces/%s.trace", (name) => {
  const trace = parseTrace(traceText(name));
  const expected = expectedOf(name);

  it("is a clean recording: no malformed lines, no lost events, every syscall paired, nothing refused", () => {
    expect(trace.malformed).toEqual([]);
    expect(trace.lost).toEqual({ events: 0, records: 0, chunks: 0 });
    const r = replayTrace(trace, { reclaim: ptReclaim() });
    for (const img of r.images) {
      expect(img.counts.unpaired).toEqual({ enters: 0, exits: 0 });
      expect(img.counts.faults.signalled).toBe(0);
      expect(img.counts.simErrors).toBe(0);
      expect(img.counts.overlapsTraced).toBe(0);
      for (const s of Object.values(img.counts.syscalls)) expect(s.simDiffers).toBe(0);
    }
    expect(r.notes).toEqual([]);
  });

  it("replayed with pt-reclaim, predicts the recorded final VmPTE exactly", () => {
    const r = replayTrace(trace, { reclaim: ptReclaim() });
    const without = replayTrace(trace, { reclaim: null });
    const err = errorPct(r.target.status.VmPTE, expected.VmPTE);
    console.log(
      `${name}: recorded VmPTE ${expected.VmPTE} kB, predicted ${r.target.status.VmPTE} kB with pt-reclaim (error ${err.toFixed(1)}%), ` +
        `${without.target.status.VmPTE} kB without reclaim [${expected.command}]`,
    );
    expect(r.figures.VmPTE).toBe(expected.VmPTE);
    expect(without.target.status.VmPTE).toBeGreaterThanOrEqual(r.target.status.VmPTE);
  });

  if (expected.child) {
    const child = expected.child;
    it("the forked child's final VmPTE (Process.fork(): dup_mm) is exact too", () => {
      const parent = replayTrace(trace, { reclaim: ptReclaim() });
      const forked = parent.images.filter((i) => i.origin === "fork");
      expect(forked.length).toBe(1);
      const r = replayTrace(trace, { reclaim: ptReclaim(), pid: forked[0].pid });
      const err = errorPct(r.target.status.VmPTE, child.VmPTE);
      console.log(`${name} child: recorded VmPTE ${child.VmPTE} kB, predicted ${r.target.status.VmPTE} kB (error ${err.toFixed(1)}%)`);
      expect(r.target.exited).toBe(true);
      expect(r.figures.VmPTE).toBe(child.VmPTE);
    });
  }
});

describe("what the allocator traces exercise", () => {
  it("jemalloc and tcmalloc hand memory back with MADV_DONTNEED, and pt-reclaim frees the emptied PTE tables", () => {
    for (const name of ["jemalloc", "tcmalloc"]) {
      const r = replayTrace(parseTrace(fixture(`${name}.trace`)), { reclaim: ptReclaim() });
      expect(r.target.comm).toBe("alloc-churn");
      expect(r.target.counts.advice.DONTNEED).toBeGreaterThan(100);
      // env's image came first (LD_PRELOAD is set by env, which then execs the program).
      expect(r.images.map((i) => i.comm)).toEqual(["env", "alloc-churn"]);
      // The ELF loader's mappings (executable, ld.so, stack, vDSO) are synthesized from faults.
      expect(r.target.counts.synthesized.mappings).toBeGreaterThan(0);
      expect(r.target.counts.mmap.filePrivate).toBeGreaterThan(0);
    }
  });
});

describe("what the multithreaded trace exercises (node: main thread, V8's GC threads, libuv's thread pool)", () => {
  it("one mm, several threads, kernel-mode faults on threads other than the main one, brk, munmap and MADV_DONTNEED from them", () => {
    const trace = parseTrace(traceText("node"));
    const r = replayTrace(trace, { reclaim: ptReclaim() });
    expect(r.images.length).toBe(1);
    expect(r.target.threads).toBeGreaterThanOrEqual(4);
    const pid = r.target.pid;
    const kernelFaultThreads = new Set(trace.events.filter((e) => e.kind === "fault" && e.mode === "kernel" && e.tid !== pid).map((e) => e.tid));
    expect(kernelFaultThreads.size).toBeGreaterThan(0);
    const fromOthers = (name: string) => trace.events.filter((e) => e.kind === "sys_exit" && e.name === name && e.tid !== pid).length;
    expect(fromOthers("munmap")).toBeGreaterThan(0);
    expect(fromOthers("madvise")).toBeGreaterThan(0);
    expect(r.summary.faults.kernel).toBeGreaterThan(10000);
    expect(r.summary.brk.shrinks).toBeGreaterThan(0);
  });
});

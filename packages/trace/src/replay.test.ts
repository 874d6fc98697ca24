import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { parseTrace } from "./parse.js";
import { ReplayError } from "./replay.js";
import { replayText, replayTrace, type ReplayResult } from "./summary.js";
import { fixture, TraceBuilder } from "./testing.js";

// 0x200000000000 (32 TiB) lies in a 512 GiB PGD slot of its own: the first page
// touched there allocates a PUD, a PMD and a PTE table (12 kB of VmPTE).
const BASE = 0x200000000000;
const M = 1 << 20;
const G = 1024 * M;

const none = (b: TraceBuilder, pid?: number) => replayText(b.text(), { reclaim: null, pid });
const pt = (b: TraceBuilder, pid?: number) => replayText(b.text(), { reclaim: ptReclaim(), pid });
const fig = (r: ReplayResult) => ({ VmSize: r.target.status.VmSize, VmRSS: r.target.status.VmRSS, VmPTE: r.target.status.VmPTE });

describe("replay: syscalls and faults at the traced addresses", () => {
  it("mmap, write faults, munmap", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE).fault(BASE).fault(BASE + 2 * M + 100);
    expect(fig(none(b))).toEqual({ VmSize: 4096, VmRSS: 8, VmPTE: 16 });
    b.sys("munmap", { addr: BASE, len: 4 * M }, 0);
    const r = none(b);
    expect(fig(r)).toEqual({ VmSize: 0, VmRSS: 0, VmPTE: 0 });
    expect(r.target.counts.faults).toMatchObject({ total: 2, user: 2, replayed: 2, outsideVma: 0 });
    expect(r.target.counts.syscalls).toEqual({
      mmap: { calls: 1, replayed: 1, failedInTrace: 0, simDiffers: 0 },
      munmap: { calls: 1, replayed: 1, failedInTrace: 0, simDiffers: 0 },
    });
    expect(r.target.counts.mmap).toMatchObject({ anonymousPrivate: 1, filePrivate: 0 });
    expect(r.notes).toEqual([]);
  });

  it("MADV_DONTNEED: the PTE tables stay without reclaim and go with pt-reclaim", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE).fault(BASE).fault(BASE + 2 * M);
    b.sys("madvise", { start: BASE, len_in: 4 * M, behavior: 4 }, 0);
    expect(fig(none(b))).toEqual({ VmSize: 4096, VmRSS: 0, VmPTE: 16 });
    const r = pt(b);
    expect(fig(r)).toEqual({ VmSize: 4096, VmRSS: 0, VmPTE: 8 });
    expect(r.reclaim).toBe("pt-reclaim");
    expect(r.target.counts.advice).toEqual({ DONTNEED: 1 });
  });

  it("read faults map the zero page (tables, no RSS); a write to a read-only VMA is replayed as a read and counted", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4096, BASE, 1).fault(BASE, true);
    const r = none(b);
    expect(fig(r)).toEqual({ VmSize: 4, VmRSS: 0, VmPTE: 12 });
    expect(r.target.counts.faults).toMatchObject({ writeAsRead: 1, signalled: 0, replayed: 1 });
  });

  it("failed syscalls are counted and not replayed; madvise's -ENOMEM is replayed (Linux applies it to the mapped parts)", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, -12).mmap(0, 4 * M, BASE).fault(BASE);
    b.sys("munmap", { addr: 0x1001, len: 10 }, -22);
    b.sys("madvise", { start: BASE, len_in: 8 * M, behavior: 4 }, -12);
    const r = pt(b);
    expect(r.target.counts.syscalls.mmap).toEqual({ calls: 2, replayed: 1, failedInTrace: 1, simDiffers: 0 });
    expect(r.target.counts.syscalls.munmap).toEqual({ calls: 1, replayed: 0, failedInTrace: 1, simDiffers: 0 });
    expect(r.target.counts.syscalls.madvise).toEqual({ calls: 1, replayed: 1, failedInTrace: 0, simDiffers: 0 });
    expect(fig(r)).toEqual({ VmSize: 4096, VmRSS: 0, VmPTE: 8 });
  });

  it("file-backed mmaps are approximated as anonymous private/shared mappings and counted", () => {
    const b = new TraceBuilder().exec("./prog");
    b.mmap(0, 3 * 4096, BASE, 1, 0x02).mmap(0, 8192, BASE + M, 3, 0x01).fault(BASE, false).fault(BASE + M, true);
    const r = none(b);
    expect(r.target.counts.mmap).toMatchObject({ filePrivate: 1, fileShared: 1, fileKb: 20, anonymousPrivate: 0, anonymousShared: 0 });
    expect(fig(r)).toEqual({ VmSize: 20, VmRSS: 4, VmPTE: 12 });
    expect(r.target.status.RssShmem).toBe(4);
  });

  it("MAP_POPULATE and MADV_POPULATE_WRITE fault every page in (Linux does it without fault events)", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 64 * 4096, BASE, 3, 0x22 | 0x8000);
    b.mmap(0, 16 * 4096, BASE + 4 * M).sys("madvise", { start: BASE + 4 * M, len_in: 16 * 4096, behavior: 23 }, 0);
    const r = none(b);
    expect(r.target.status.VmRSS).toBe(80 * 4);
    expect(r.target.counts.mmap.populated).toBe(1);
    expect(r.target.counts.advicePopulated).toBe(1);
    expect(r.target.counts.advice).toEqual({ POPULATE_WRITE: 1 });
  });

  it("advice the simulator does not implement is counted, not replayed", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE).sys("madvise", { start: BASE, len_in: 4 * M, behavior: 100 }, 0);
    b.sys("madvise", { start: BASE, len_in: 4 * M, behavior: 101 }, 0);
    const r = none(b);
    expect(r.target.counts.adviceIgnored).toEqual({ HWPOISON: 1, SOFT_OFFLINE: 1 });
    expect(r.target.counts.syscalls.madvise).toMatchObject({ calls: 2, replayed: 0 });
  });

  it("MADV_COLLAPSE and MADV_REMOVE are replayed: the collapse keeps VmPTE (the table is deposited), the hole frees the shmem pages", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 2 * M, BASE).mmap(0, 2 * M, BASE + 4 * M, 3, 0x21);
    for (let o = 0; o < 2 * M; o += 4096) b.fault(BASE + o, true).fault(BASE + 4 * M + o, true);
    b.sys("madvise", { start: BASE, len_in: 2 * M, behavior: 25 }, 0);
    b.sys("madvise", { start: BASE + 4 * M, len_in: M, behavior: 9 }, 0);
    const r = none(b);
    expect(r.target.counts.adviceIgnored).toEqual({});
    expect(r.target.counts.syscalls.madvise).toEqual({ calls: 2, replayed: 2, failedInTrace: 0, simDiffers: 0 });
    expect(r.target.status.RssShmem).toBe(1024);
    expect(r.target.status.RssAnon).toBe(2048);
    expect(fig(r).VmPTE).toBe(16);
  });

  it("the advice that only sets vm_flags (DONTFORK, DONTDUMP, MERGEABLE, ...) and guard regions are replayed", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE);
    for (const behavior of [10, 16, 12, 18, 1]) b.sys("madvise", { start: BASE, len_in: 2 * M, behavior }, 0);
    b.sys("madvise", { start: BASE + 2 * M, len_in: 4096, behavior: 102 }, 0);
    const r = none(b);
    expect(r.target.counts.adviceIgnored).toEqual({});
    expect(r.target.counts.syscalls.madvise).toEqual({ calls: 6, replayed: 6, failedInTrace: 0, simDiffers: 0 });
    // The guard's marker needs a PTE table (and the PMD and PUD above it).
    expect(fig(r)).toEqual({ VmSize: 4096, VmRSS: 0, VmPTE: 12 });
  });
});

describe("replay: mappings the trace never shows being made", () => {
  it("a fault outside every VMA synthesizes the 2 MiB-aligned region around it, clipped to the neighbours", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4096, BASE + M).fault(BASE + 5000).fault(BASE + 20000);
    const r = none(b);
    expect(r.target.counts.faults).toMatchObject({ outsideVma: 1, replayed: 2 });
    expect(r.target.counts.synthesized).toEqual({ mappings: 1, kb: 1024, holes: 0, holesKb: 0 });
    expect(fig(r)).toEqual({ VmSize: 1024 + 4, VmRSS: 8, VmPTE: 12 });
  });

  it("a traced mmap over a synthesized region unmaps that part first (a placement conflict, counted)", () => {
    const b = new TraceBuilder().exec("./prog").fault(BASE + 5000).mmap(0, 64 * 1024, BASE + M);
    const r = none(b);
    expect(r.target.counts.placementConflicts).toBe(1);
    expect(r.target.counts.overlapsTraced).toBe(0);
    expect(r.target.counts.syscalls.mmap.simDiffers).toBe(0);
    expect(r.target.status.VmSize).toBe(2048);
    expect(r.notes).toEqual([]);
  });

  it("a traced mmap over a mapping the trace made (its munmap was lost) is counted and noted", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 8192, BASE).enter("munmap", { addr: BASE, len: 8192 }).mmap(0, 4096, BASE + 4096);
    const r = none(b);
    expect(r.target.counts).toMatchObject({ placementConflicts: 0, overlapsTraced: 1, unpaired: { enters: 1, exits: 0 } });
    expect(r.notes).toEqual([expect.stringMatching(/^line \d+: mapping \[0x200000001000, 0x200000002000\) overlapped simulated mappings that the trace made \(\[0x200000001000, 0x200000002000\)\): unmapped them first$/) as unknown]);
    expect(r.target.status.VmSize).toBe(8);
  });

  it("a successful mprotect over unmapped memory (the executable's RELRO) maps the holes first", () => {
    const b = new TraceBuilder().exec("./prog").sys("mprotect", { start: BASE, len: 8192, prot: 1 }, 0);
    const r = none(b);
    expect(r.target.counts.synthesized).toMatchObject({ holes: 1, holesKb: 8 });
    expect(r.target.counts.syscalls.mprotect.simDiffers).toBe(0);
  });

  it("faults on kernel addresses and below mmap_min_addr are counted, not replayed", () => {
    const b = new TraceBuilder().exec("./prog").fault(0xffffffffff600000, false).fault(0x10, false);
    const r = none(b);
    expect(r.target.counts.faults).toMatchObject({ total: 2, kernelAddress: 1, belowMinAddr: 1, replayed: 0 });
    expect(r.target.status.VmPTE).toBe(0);
  });
});

describe("replay: brk and mremap", () => {
  it("brk models the heap as an anonymous mapping grown and shrunk at the break", () => {
    const heap = 0x555555600000;
    const b = new TraceBuilder().exec("./prog").sys("brk", { brk: 0 }, heap);
    b.sys("brk", { brk: heap + 4 * M }, heap + 4 * M).fault(heap).fault(heap + 3 * M);
    expect(fig(none(b))).toEqual({ VmSize: 4096, VmRSS: 8, VmPTE: 16 });
    b.sys("brk", { brk: heap + 100 }, heap + 100);
    const r = none(b);
    expect(fig(r)).toEqual({ VmSize: 4, VmRSS: 4, VmPTE: 12 });
    expect(r.target.counts.brk).toEqual({ grows: 1, shrinks: 1, unchanged: 1, startUnknown: 0 });
  });

  it("a moving mremap re-faults the moved pages at the new address", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 2 * M, BASE).fault(BASE).fault(BASE + M, false);
    b.sys("mremap", { addr: BASE, old_len: 2 * M, new_len: 4 * M, flags: 1, new_addr: 0 }, BASE + 1024 * 1024 * M);
    const r = none(b);
    expect(r.target.counts.mremap).toEqual({ inPlace: 0, moved: 1, pagesMoved: 2 });
    // old range unmapped (its tables freed), the new one in another 1 GiB: PTE + PMD there, one PUD.
    expect(fig(r)).toEqual({ VmSize: 4096, VmRSS: 4, VmPTE: 12 });
  });

  it("an mremap in place maps or unmaps the tail", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 2 * M, BASE);
    b.sys("mremap", { addr: BASE, old_len: 2 * M, new_len: 4 * M, flags: 1, new_addr: 0 }, BASE).fault(BASE + 3 * M);
    const r = none(b);
    expect(r.target.counts.mremap).toEqual({ inPlace: 1, moved: 0, pagesMoved: 0 });
    expect(fig(r)).toEqual({ VmSize: 4096, VmRSS: 4, VmPTE: 12 });
  });
});

describe("replay: processes", () => {
  const child = 5000;

  it("fork copies the VMAs and re-faults private pages; shared mappings are not copied (they refault)", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE).fault(BASE).fault(BASE + 2 * M);
    b.mmap(0, 2 * M, BASE + 8 * M, 3, 0x21).fault(BASE + 8 * M);
    b.fork(child).fault(BASE + 8 * M + 4096, true, { pid: child });
    b.sys("madvise", { start: BASE, len_in: 2 * M, behavior: 4 }, 0, { pid: child }).exitProcess({ pid: child });
    b.sys("munmap", { addr: BASE, len: 4 * M }, 0);
    const parent = pt(b);
    expect(parent.target.pid).toBe(4242);
    expect(fig(parent)).toEqual({ VmSize: 2048, VmRSS: 4, VmPTE: 12 });
    const c = pt(b, child);
    expect(c.target).toMatchObject({ pid: child, origin: "fork", parent: 4242, exited: true });
    // 4M private (1 page left after DONTNEED) + 2M shared (the child touched one page): 2 PTE tables, PMD, PUD.
    expect(fig(c)).toEqual({ VmSize: 6144, VmRSS: 8, VmPTE: 16 });
    expect(c.images.map((i) => [i.pid, i.origin])).toEqual([
      [4242, "exec"],
      [child, "fork"],
    ]);
  });

  it("fork after MADV_DONTFORK / MADV_WIPEONFORK: the child gets no copy of those ranges' tables and pages", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 8 * M, BASE);
    for (let a = 0; a < 8 * M; a += 2 * M) b.fault(BASE + a, true);
    b.sys("madvise", { start: BASE, len_in: 2 * M, behavior: 10 }, 0).sys("madvise", { start: BASE + 2 * M, len_in: 2 * M, behavior: 18 }, 0);
    b.fork(child);
    expect(fig(none(b))).toEqual({ VmSize: 8192, VmRSS: 16, VmPTE: 24 });
    // The child: no VMA over the first 2M (VmSize 6M), the wiped 2M without a page or table: 2 PTE tables, PMD, PUD.
    expect(fig(none(b, child))).toEqual({ VmSize: 6144, VmRSS: 8, VmPTE: 16 });
  });

  it("a child that execs right after fork (vfork + exec, posix_spawn) gets no copy of the parent", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE).fault(BASE).fork(child);
    b.fault(0x400000, true, { pid: child, kernel: true }).exec("/bin/true", { pid: child, comm: "true" }).fault(0x400000 + 4096, false, { pid: child, comm: "true" });
    const r = none(b, child);
    expect(r.images.map((i) => [i.pid, i.origin, i.copySkipped])).toEqual([
      [4242, "exec", false],
      [child, "fork", true],
      [child, "exec", false],
    ]);
    expect(r.images[1].status).toMatchObject({ VmSize: 0, VmPTE: 0 });
    expect(r.target.counts.faults).toMatchObject({ total: 2, kernel: 1, carriedAcrossExec: 1 });
    expect(fig(r)).toEqual({ VmSize: 2048, VmRSS: 4, VmPTE: 12 });
  });

  it("threads (a fork whose child's events carry the parent's PID) share the mm", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE).fork(4243).fault(BASE + 2 * M, true, { pid: 4242, tid: 4243 });
    b.exitProcess({ pid: 4242, tid: 4243 }, false).fault(BASE);
    const r = none(b);
    expect(r.images.length).toBe(1);
    expect(r.target.threads).toBe(1);
    expect(r.target.exited).toBe(false);
    expect(fig(r)).toEqual({ VmSize: 4096, VmRSS: 8, VmPTE: 16 });
  });

  it("a thread's kernel-mode fault is replayed where it is in the trace, not at the thread's next event (another thread may unmap the page first)", () => {
    // Thread 4243 read()s into a buffer (copy_to_user faults it in), then the main thread unmaps the buffer,
    // and only later does thread 4243 do anything else.
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE).mmap(0, 4096, BASE + G).fork(4243);
    b.fault(BASE + 2 * M, true, { pid: 4242, tid: 4243, kernel: true });
    b.sys("munmap", { addr: BASE, len: 4 * M }, 0);
    b.fault(BASE + G, true, { pid: 4242, tid: 4243 });
    const r = none(b);
    expect(r.target.counts.faults).toMatchObject({ total: 2, kernel: 1, replayed: 2, outsideVma: 0 });
    expect(r.target.counts.synthesized.mappings).toBe(0);
    // Only BASE + 1 GiB's tables are left: a PTE table, its PMD and the PUD.
    expect(fig(r)).toEqual({ VmSize: 4, VmRSS: 4, VmPTE: 12 });
  });

  it("exec starts a fresh mm; the kernel-mode faults just before the exec event (the ELF loader's) belong to the new image", () => {
    const b = new TraceBuilder(4242, "sh").fault(0x400000, false, { kernel: true });
    b.exec("/bin/sh").mmap(0, 4 * M, BASE).fault(BASE).fault(BASE + 2 * M);
    b.fault(0x500000, true, { kernel: true, comm: "prog" }).exec("./prog", { comm: "prog" }).fault(0x500000 + 8192, true, { comm: "prog" });
    const r = none(b);
    expect(r.images.map((i) => [i.comm, i.origin, i.filename])).toEqual([
      ["sh", "exec", "/bin/sh"],
      ["prog", "exec", "./prog"],
    ]);
    expect(r.target.comm).toBe("prog");
    expect(r.target.counts.faults).toMatchObject({ total: 2, kernel: 1, carriedAcrossExec: 1, replayed: 2, outsideVma: 1 });
    expect(fig(r)).toEqual({ VmSize: 2048, VmRSS: 8, VmPTE: 12 });
    // The first image (frozen at the second exec) got its own loader fault at 0x400000: one more PTE table, PMD and PUD.
    expect(r.images[0].status.VmPTE).toBe(12 + 16);
  });

  it("the default process is the first that exec'd; --pid picks another; an unknown pid is an error", () => {
    const b = new TraceBuilder().fault(BASE, true, { pid: 7 }).exec("./prog").fault(BASE);
    expect(none(b).target.pid).toBe(4242);
    expect(none(b, 7).target.pid).toBe(7);
    expect(() => none(b, 99)).toThrow(ReplayError);
    expect(() => none(b, 99)).toThrow("process 99 is not in the trace (processes: 7 (prog), 4242 (prog))");
  });

  it("events after the exit event are counted and ignored; the status is the one at exit", () => {
    const b = new TraceBuilder().exec("./prog").mmap(0, 4 * M, BASE).fault(BASE).exitProcess().fault(BASE + 2 * M);
    const r = none(b);
    expect(r.target.counts.eventsAfterExit).toBe(1);
    expect(r.target.status.VmPTE).toBe(12);
  });
});

describe("replay: nothing is dropped silently", () => {
  it("unknown syscalls and tracepoints, unpaired enters and exits are counted", () => {
    const b = new TraceBuilder().exec("./prog");
    b.enter("mlock", { start: BASE, len: 4096 }).exit("mlock", 0);
    b.exit("mmap", BASE); // no enter (e.g. recording started mid-call)
    b.enter("munmap", { addr: BASE, len: 4096 }); // no exit (lost)
    b.line("kmem:rss_stat", "mm_id=1 curr=1 type=MM_ANONPAGES size=4096B");
    const r = none(b);
    expect(r.target.counts.unknownSyscalls).toEqual({ mlock: 1 });
    expect(r.target.counts.unpaired).toEqual({ enters: 1, exits: 1 });
    expect(r.global.unknownEvents).toEqual({ "kmem:rss_stat": 1 });
  });

  it("a trace in perf's default format (TID only) with forks: a warning that threads look like processes", () => {
    const text = new TraceBuilder().exec("./prog").fork(4243).text().replace(/ 4242\/4242 /g, " 4242 ");
    const r = replayTrace(parseTrace(text), { reclaim: null });
    expect(r.warnings).toEqual([expect.stringMatching(/^the trace has no PID\/ before the TIDs/) as unknown]);
    expect(r.images.map((i) => [i.pid, i.origin])).toEqual([
      [4242, "exec"],
      [4243, "fork"],
    ]);
  });

  it("lost events and malformed lines become warnings", () => {
    const text = new TraceBuilder().exec("./prog").mmap(0, 4096, BASE).text() + "  prog 4242/4242 [000] 1.0: PERF_RECORD_LOST lost 12\nprog 4242/42\n";
    const r = replayTrace(parseTrace(text), { reclaim: null });
    expect(r.global.lost).toEqual({ events: 12, records: 1, chunks: 0 });
    expect(r.warnings).toEqual([
      expect.stringMatching(/^perf lost 12 events \(1 lost records\): the replay misses them/) as unknown,
      "1 malformed line(s) skipped (line 5: not a perf script event line)",
    ]);
  });
});

describe("replayTrace onProgress", () => {
  it("reports the events replayed, ending at the total", () => {
    const calls: [number, number][] = [];
    const t = parseTrace(fixture("fork-remap.trace"));
    replayTrace(t, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[calls.length - 1]).toEqual([t.events.length, t.events.length]);
    expect(calls.every(([d, n], i) => n === t.events.length && (i === 0 || d >= calls[i - 1][0]))).toBe(true);
  });
});

/**
 * Replays a parsed perf trace into simulated mms, addresses kept 1:1: one
 * simulated mm per traced process image, each syscall applied at the address
 * the real kernel returned, each page fault replayed as an access at the
 * traced address. Everything the simulator cannot reproduce exactly is
 * approximated and counted (see README.md, "What is approximated").
 */
import { EEXIST, ENOMEM, Engine, MADV_COLD, MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_NORMAL, MADV_PAGEOUT, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, VM_HUGEPAGE, VM_NOHUGEPAGE, VM_NORESERVE, VM_SHARED, VM_WRITE, errno_name, type Kernel, type MmStruct, type ProcStatus, type Process, type ReclaimPlugin } from "@mmsim/core";
import { walk_pmd } from "@mmsim/core/check";
import { archOf, type ArchName } from "../simulate.js";
import { isKnownSyscall, parseTrace, type ExecEvent, type ExitEvent, type FaultEvent, type ForkEvent, type ParsedTrace, type ParseOptions, type SysEnterEvent, type SysExitEvent, type TraceEvent } from "./parse.js";

const PAGE = 4096;
const PMD = 2 * 1024 * 1024;
const MMAP_MIN_ADDR = 65536;
const pageUp = (x: number) => Math.ceil(x / PAGE) * PAGE;
const pageDown = (x: number) => Math.floor(x / PAGE) * PAGE;
const hex = (x: number) => "0x" + x.toString(16);

/* Linux's uapi values that the replay reads from the trace (x86_64). */
const MAP_TYPE = 0x0f;
const MAP_SHARED_VALIDATE = 0x03;
const MAP_LOCKED = 0x2000;
const MAP_POPULATE = 0x8000;
const MAP_NONBLOCK = 0x10000;
const MAP_HUGETLB = 0x40000;
const MREMAP_FIXED = 2;
const MREMAP_DONTUNMAP = 4;
const MADV_POPULATE_READ = 22;
const MADV_POPULATE_WRITE = 23;

/** Advice names (include/uapi/asm-generic/mman-common.h). */
export const ADVICE_NAMES: Record<number, string> = {
  0: "NORMAL",
  1: "RANDOM",
  2: "SEQUENTIAL",
  3: "WILLNEED",
  4: "DONTNEED",
  8: "FREE",
  9: "REMOVE",
  10: "DONTFORK",
  11: "DOFORK",
  12: "MERGEABLE",
  13: "UNMERGEABLE",
  14: "HUGEPAGE",
  15: "NOHUGEPAGE",
  16: "DONTDUMP",
  17: "DODUMP",
  18: "WIPEONFORK",
  19: "KEEPONFORK",
  20: "COLD",
  21: "PAGEOUT",
  22: "POPULATE_READ",
  23: "POPULATE_WRITE",
  24: "DONTNEED_LOCKED",
  25: "COLLAPSE",
  100: "HWPOISON",
  101: "SOFT_OFFLINE",
  102: "GUARD_INSTALL",
  103: "GUARD_REMOVE",
};
export const adviceName = (a: number) => ADVICE_NAMES[a] ?? `advice ${a}`;

/** The advice the simulator implements itself. */
const SIMULATED_ADVICE = new Set([MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE, MADV_COLD, MADV_PAGEOUT, MADV_HUGEPAGE, MADV_NOHUGEPAGE]);

export interface SyscallCounts {
  /** Completed calls (enter + exit paired). */
  calls: number;
  /** Applied to the simulated mm. */
  replayed: number;
  /** Failed in the trace (returned -errno): not replayed (madvise's -ENOMEM is replayed: Linux applies it to the mapped parts). */
  failedInTrace: number;
  /** Replayed, but the simulator's result differs from the traced one (see `notes`). */
  simDiffers: number;
}

/** What happened while replaying one process image (exec starts a new image). */
export interface ImageCounts {
  faults: {
    /** Page-fault events of this image. */
    total: number;
    user: number;
    /** Kernel-mode faults on user addresses (copy_to_user, the ELF loader, ...). */
    kernel: number;
    /** Replayed as an access in the simulation. */
    replayed: number;
    /** Faults where no simulated VMA covered the address: a mapping was synthesized first. */
    outsideVma: number;
    /** Write faults the simulated VMA refused (its protection differs): replayed as reads. */
    writeAsRead: number;
    /** Accesses that raised SIGSEGV/SIGBUS in the simulation even as reads. */
    signalled: number;
    /** On kernel addresses (>= TASK_SIZE): not replayed. */
    kernelAddress: number;
    /** Below mmap_min_addr (NULL-pointer faults): not replayed. */
    belowMinAddr: number;
    /** Of the kernel-mode faults: those just before this image's exec event (the ELF loader's, in the new mm). */
    carriedAcrossExec: number;
  };
  synthesized: {
    /** Anonymous mappings created around faults outside every VMA (ELF loader, stack, vDSO: mappings the trace never shows being made). */
    mappings: number;
    kb: number;
    /** Holes mapped so that a syscall that succeeded in the trace covers only mapped memory (e.g. mprotect of the executable's RELRO). */
    holes: number;
    holesKb: number;
  };
  syscalls: Record<string, SyscallCounts>;
  mmap: {
    anonymousPrivate: number;
    anonymousShared: number;
    /** File-backed mmaps, approximated as anonymous private/shared mappings of the same size. */
    filePrivate: number;
    fileShared: number;
    fileKb: number;
    /** MAP_POPULATE / MAP_LOCKED: populated by touching every page (Linux faults them in without fault events). */
    populated: number;
    /** MAP_HUGETLB: approximated as normal pages. */
    hugetlb: number;
  };
  /** mremap approximated: in place = map/unmap the tail; moved = munmap old + mmap new + re-touch the moved pages. */
  mremap: { inPlace: number; moved: number; pagesMoved: number };
  brk: { grows: number; shrinks: number; unchanged: number; startUnknown: number };
  /** Every madvise advice seen, by name. */
  advice: Record<string, number>;
  /** Advice the simulator does not implement: not replayed. */
  adviceIgnored: Record<string, number>;
  /** MADV_POPULATE_READ/WRITE emulated by touching the pages. */
  advicePopulated: number;
  /** A traced mapping landed on a synthesized one (expected: the synthesized extent is a guess): that part was unmapped first. */
  placementConflicts: number;
  /** A traced mapping landed on a mapping the trace made, which should have been gone (a model difference, noted): unmapped first too. */
  overlapsTraced: number;
  unpaired: { enters: number; exits: number };
  /** Syscall events the replay does not know, by name. */
  unknownSyscalls: Record<string, number>;
  /** Events of this process after its exit event (ignored). */
  eventsAfterExit: number;
  /** The simulation threw (a model error) while replaying an event: counted and skipped. */
  simErrors: number;
}

export interface ImageInfo {
  /** The process (thread-group) id. */
  pid: number;
  comm: string;
  /** How the image began: "exec" (of `filename`), "fork" (of `parent`), or "first-seen" (events before any exec/fork). */
  origin: "exec" | "fork" | "first-seen";
  filename: string | null;
  parent: number | null;
  /** Whether the trace shows the process exit. */
  exited: boolean;
  /** 1-based trace lines where the image began and where it ended (exit event or exec), or null. */
  firstLine: number;
  lastLine: number | null;
  /** Threads other than the main one. */
  threads: number;
  /** A fork child whose first event is its exec: the copy of the parent's mm was skipped (it would be discarded). */
  copySkipped: boolean;
  status: ProcStatus;
  counts: ImageCounts;
}

export interface ReplayResult {
  /** The selected process's last image. */
  target: ImageInfo;
  /** Every image of every process, in the order they began. */
  images: ImageInfo[];
  /** The reclaim plugin's name, or null. */
  reclaim: string | null;
  global: {
    lines: number;
    events: number;
    malformed: number;
    lost: { events: number; records: number; chunks: number };
    skipped: Record<string, number>;
    /** Tracepoints the replay does not know, by name. */
    unknownEvents: Record<string, number>;
  };
  /** Human-readable warnings (lost events, malformed lines, ...). */
  warnings: string[];
  /** The first differences between the simulator and the trace, with their trace lines. */
  notes: string[];
  /** How many notes there were in all (`notes` keeps the first 50). */
  notesTotal: number;
}

export interface ReplayOptions {
  /** The reclaim plugin instance for this replay's engine (null: Linux without page-table reclaim). */
  reclaim: ReclaimPlugin | null;
  arch?: ArchName;
  /** Transparent huge pages mode of the simulated kernel (default "madvise", like our machines). */
  thp?: "always" | "madvise" | "never";
  /** The process to report (default: the first that exec'd, else the first seen). */
  pid?: number;
}

export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayError";
  }
}

function emptyCounts(): ImageCounts {
  return {
    faults: { total: 0, user: 0, kernel: 0, replayed: 0, outsideVma: 0, writeAsRead: 0, signalled: 0, kernelAddress: 0, belowMinAddr: 0, carriedAcrossExec: 0 },
    synthesized: { mappings: 0, kb: 0, holes: 0, holesKb: 0 },
    syscalls: {},
    mmap: { anonymousPrivate: 0, anonymousShared: 0, filePrivate: 0, fileShared: 0, fileKb: 0, populated: 0, hugetlb: 0 },
    mremap: { inPlace: 0, moved: 0, pagesMoved: 0 },
    brk: { grows: 0, shrinks: 0, unchanged: 0, startUnknown: 0 },
    advice: {},
    adviceIgnored: {},
    advicePopulated: 0,
    placementConflicts: 0,
    overlapsTraced: 0,
    unpaired: { enters: 0, exits: 0 },
    unknownSyscalls: {},
    eventsAfterExit: 0,
    simErrors: 0,
  };
}

const bump = (r: Record<string, number>, key: string, n = 1) => (r[key] = (r[key] ?? 0) + n);

/** A present page of a simulated mm: its address, and whether it maps the shared zero page (was only read). */
interface PresentPage {
  addr: number;
  zero: boolean;
  huge: boolean;
}

/** The present pages of `mm` in [start, end), walking PMD by PMD. */
export function presentPages(k: Kernel, mm: MmStruct, start: number, end: number): PresentPage[] {
  const a = k.arch;
  const out: PresentPage[] = [];
  for (let addr = start; addr < end; ) {
    const next = Math.min(end, Math.floor(addr / PMD) * PMD + PMD);
    const pmdp = walk_pmd(k, mm, addr);
    const pmd = pmdp < 0 ? 0 : k.pt.ent[pmdp];
    if (pmdp >= 0 && !a.pxd_none(pmd)) {
      if (a.pmd_trans_huge(pmd)) {
        out.push({ addr: Math.floor(addr / PMD) * PMD, zero: a.pxd_pfn(pmd) === k.frames.huge_zero_pfn, huge: true });
      } else {
        const table = a.pxd_pfn(pmd);
        for (let x = addr; x < next; x += PAGE) {
          const pte = k.pt.ent[k.pt.entry(table, Math.floor(x / PAGE) % 512)];
          if (!a.pte_none(pte) && a.pte_present(pte)) out.push({ addr: x, zero: a.pte_pfn(pte) === k.frames.zero_pfn, huge: false });
        }
      }
    }
    addr = next;
  }
  return out;
}

/** One process image being replayed. */
class Image {
  readonly counts = emptyCounts();
  brkStart: number | null = null;
  brkEnd: number | null = null;
  exited = false;
  lastLine: number | null = null;
  threads = 0;
  frozen: ProcStatus | null = null;
  /** The address ranges of synthesized mappings (and holes) not since replaced by traced ones. */
  synthetic: [number, number][] = [];
  /** A fork child that execs before anything else: its copy of the parent was not made. */
  copySkipped = false;

  constructor(
    readonly r: Replayer,
    readonly p: Process,
    readonly pid: number,
    public comm: string,
    readonly origin: ImageInfo["origin"],
    readonly filename: string | null,
    readonly parent: number | null,
    readonly firstLine: number,
  ) {}

  get mm(): MmStruct {
    return this.p.mm;
  }

  sys(name: string): SyscallCounts {
    return (this.counts.syscalls[name] ??= { calls: 0, replayed: 0, failedInTrace: 0, simDiffers: 0 });
  }

  /** The gaps (unmapped parts) of [start, end) in the simulated mm. */
  holes(start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    let at = start;
    for (const v of this.mm.mm_mt.range(start, end)) {
      if (v.vm_start > at) out.push([at, v.vm_start]);
      at = Math.max(at, v.vm_end);
    }
    if (at < end) out.push([at, end]);
    return out;
  }

  /**
   * Maps [addr, addr + len) anonymous at exactly addr. `fixed`: the traced call
   * replaced what was there (MAP_FIXED). Otherwise MAP_FIXED_NOREPLACE, and a
   * collision with the simulation's own extra mappings (synthesized regions) is
   * resolved by unmapping that part first (counted).
   */
  mapAt(line: number, addr: number, len: number, prot: number, shared: boolean, fixed: boolean, noreserve = false, synthetic = false): boolean {
    const flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE) | (fixed ? MAP_FIXED : MAP_FIXED_NOREPLACE) | (noreserve ? MAP_NORESERVE : 0);
    const end = addr + pageUp(len);
    let r = this.p.mmap(addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), flags);
    if (r === -EEXIST) {
      // Expected where the simulation synthesized mappings the trace does not show; anywhere else
      // the simulated layout has gone wrong (a missed munmap?): noted.
      const overlap = this.mm.mm_mt.range(addr, end).map((v): [number, number] => [Math.max(v.vm_start, addr), Math.min(v.vm_end, end)]);
      const unexplained = overlap.flatMap(([s, e]) => subtract([s, e], this.synthetic));
      if (unexplained.length) {
        this.counts.overlapsTraced++;
        this.r.note(line, `mapping [${hex(addr)}, ${hex(end)}) overlapped simulated mappings that the trace made (${unexplained.map(([s, e]) => `[${hex(s)}, ${hex(e)})`).join(", ")}): unmapped them first`);
      } else this.counts.placementConflicts++;
      this.p.munmap(addr, len);
      r = this.p.mmap(addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), flags);
    }
    if (r !== addr) {
      this.r.note(line, `mmap at ${hex(addr)} (${len} bytes) returned ${r < 0 ? `-${errno_name(-r)}` : hex(r)} in the simulation`);
      return false;
    }
    this.synthetic = synthetic ? mergeRanges([...this.synthetic, [addr, end]]) : this.synthetic.flatMap((x) => subtract(x, [[addr, end]]));
    return true;
  }

  /** Maps the unmapped parts of [start, end) (anonymous private, `prot`), counting them as synthesized holes. */
  fillHoles(line: number, start: number, end: number, prot: number): void {
    for (const [s, e] of this.holes(start, end)) {
      if (s < MMAP_MIN_ADDR) continue;
      if (this.mapAt(line, s, e - s, prot, false, false, false, true)) {
        this.counts.synthesized.holes++;
        this.counts.synthesized.holesKb += (e - s) / 1024;
      }
    }
  }

  /**
   * A mapping around a fault outside every VMA: the 2 MiB-aligned region
   * around the address, clipped to the neighbouring VMAs (so between one page
   * and 2 MiB), read-write private anonymous.
   */
  synthesize(line: number, addr: number): void {
    const page = pageDown(addr);
    let start = Math.max(Math.floor(page / PMD) * PMD, MMAP_MIN_ADDR);
    let end = Math.min(Math.floor(page / PMD) * PMD + PMD, this.r.k.arch.TASK_SIZE);
    const mt = this.mm.mm_mt;
    const next = mt.find_vma(page);
    if (next && next.vm_start < end) end = next.vm_start;
    const i = next ? mt.list.indexOf(next) : mt.list.length;
    const prev = i > 0 ? mt.list[i - 1] : null;
    if (prev && prev.vm_end > start) start = prev.vm_end;
    if (this.mapAt(line, start, end - start, PROT_READ | PROT_WRITE, false, false, false, true)) {
      this.counts.synthesized.mappings++;
      this.counts.synthesized.kb += (end - start) / 1024;
    }
  }

  /** Touches pages like a populate would: a write for private writable memory, else a read. */
  populate(start: number, end: number, write: boolean | null): void {
    for (const v of this.mm.mm_mt.range(start, end)) {
      const w = write ?? (v.vm_flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
      const s = Math.max(start, v.vm_start);
      const e = Math.min(end, v.vm_end);
      for (let a = s; a < e; a += PAGE) this.p.access(a, w);
    }
  }

  fault(e: FaultEvent, carried = false): void {
    const c = this.counts.faults;
    c.total++;
    if (e.mode === "user") c.user++;
    else c.kernel++;
    if (carried) c.carriedAcrossExec++;
    const k = this.r.k;
    if (e.address >= k.arch.TASK_SIZE) {
      c.kernelAddress++;
      return;
    }
    if (e.address < MMAP_MIN_ADDR) {
      c.belowMinAddr++;
      return;
    }
    if (!this.mm.mm_mt.vma_lookup(e.address)) {
      c.outsideVma++;
      this.synthesize(e.line, e.address);
    }
    const write = (e.errorCode & 2) !== 0 && (e.errorCode & 0x10) === 0;
    let r = this.p.access(e.address, write);
    if (r !== "ok" && write) {
      c.writeAsRead++;
      r = this.p.access(e.address, false);
    }
    if (r !== "ok") {
      c.signalled++;
      this.r.note(e.line, `${write ? "write" : "read"} fault at ${hex(e.address)} raised ${r} in the simulation`);
      return;
    }
    c.replayed++;
  }

  syscall(enter: SysEnterEvent, exit: SysExitEvent): void {
    const name = enter.name;
    const s = this.sys(name);
    s.calls++;
    const ret = exit.ret;
    const failed = ret < 0 && ret > -4096;
    const a = enter.args;
    const line = exit.line;
    switch (name) {
      case "mmap": {
        if (failed) return void s.failedInTrace++;
        const len = pageUp(a.len);
        const flags = a.flags;
        const type = flags & MAP_TYPE;
        const shared = type === MAP_SHARED || type === MAP_SHARED_VALIDATE;
        const m = this.counts.mmap;
        if (flags & MAP_ANONYMOUS) {
          if (shared) m.anonymousShared++;
          else m.anonymousPrivate++;
        } else {
          if (shared) m.fileShared++;
          else m.filePrivate++;
          m.fileKb += len / 1024;
        }
        if (flags & MAP_HUGETLB) m.hugetlb++;
        const ok = this.mapAt(line, ret, len, a.prot, shared, (flags & MAP_FIXED) !== 0 && (flags & MAP_FIXED_NOREPLACE) === 0, (flags & MAP_NORESERVE) !== 0);
        s.replayed++;
        if (!ok) return void s.simDiffers++;
        if ((flags & MAP_POPULATE && !(flags & MAP_NONBLOCK)) || flags & MAP_LOCKED) {
          m.populated++;
          this.populate(ret, ret + len, null);
        }
        return;
      }
      case "munmap": {
        if (failed) return void s.failedInTrace++;
        s.replayed++;
        const r = this.p.munmap(a.addr, a.len);
        if (r !== 0) {
          s.simDiffers++;
          this.r.note(line, `munmap(${hex(a.addr)}, ${a.len}) returned -${errno_name(-r)} in the simulation`);
        }
        return;
      }
      case "mprotect": {
        if (failed) return void s.failedInTrace++;
        s.replayed++;
        let r = this.p.mprotect(a.start, a.len, a.prot & 7);
        if (r === -ENOMEM) {
          this.fillHoles(line, pageDown(a.start), pageUp(a.start + a.len), a.prot & 7);
          r = this.p.mprotect(a.start, a.len, a.prot & 7);
        }
        if (r !== 0) {
          s.simDiffers++;
          this.r.note(line, `mprotect(${hex(a.start)}, ${a.len}, ${a.prot}) returned -${errno_name(-r)} in the simulation`);
        }
        return;
      }
      case "madvise":
        return this.madvise(s, line, a.start, a.len_in, a.behavior, ret);
      case "brk":
        return this.brk(s, line, ret);
      case "mremap":
        if (failed) return void s.failedInTrace++;
        return this.mremap(s, line, a.addr, a.old_len, a.new_len, a.flags, ret);
      default:
        bump(this.counts.unknownSyscalls, name);
    }
  }

  private madvise(s: SyscallCounts, line: number, start: number, len: number, advice: number, ret: number): void {
    const name = adviceName(advice);
    bump(this.counts.advice, name);
    // -ENOMEM: a hole in the range, but Linux has applied the advice to the mapped parts.
    if (ret < 0 && ret !== -ENOMEM) return void s.failedInTrace++;
    const end = pageUp(start + len);
    if (advice === MADV_POPULATE_READ || advice === MADV_POPULATE_WRITE) {
      s.replayed++;
      this.counts.advicePopulated++;
      if (ret === 0) this.fillHoles(line, start, end, PROT_READ | PROT_WRITE);
      this.populate(start, end, advice === MADV_POPULATE_WRITE);
      return;
    }
    if (!SIMULATED_ADVICE.has(advice)) {
      bump(this.counts.adviceIgnored, name);
      return;
    }
    s.replayed++;
    let r = this.p.madvise(start, len, advice);
    if (r === -ENOMEM && ret === 0) {
      this.fillHoles(line, start, end, PROT_READ | PROT_WRITE);
      r = this.p.madvise(start, len, advice);
    }
    if (r !== ret) {
      s.simDiffers++;
      this.r.note(line, `madvise(${hex(start)}, ${len}, MADV_${name}) returned ${r} in the simulation, ${ret} in the trace`);
    }
  }

  private brk(s: SyscallCounts, line: number, ret: number): void {
    if (ret < 0 && ret > -4096) return void s.failedInTrace++;
    const b = this.counts.brk;
    const end = pageUp(ret);
    s.replayed++;
    if (this.brkEnd === null) {
      // brk(0) returns the current break; glibc's first call is brk(0), at the heap's start.
      this.brkStart = end;
      this.brkEnd = end;
      return void b.unchanged++;
    }
    if (end > this.brkEnd) {
      b.grows++;
      if (!this.mapAt(line, this.brkEnd, end - this.brkEnd, PROT_READ | PROT_WRITE, false, false)) s.simDiffers++;
    } else if (end < this.brkEnd) {
      b.shrinks++;
      if (end < (this.brkStart ?? end)) b.startUnknown++;
      const r = this.p.munmap(end, this.brkEnd - end);
      if (r !== 0) s.simDiffers++;
    } else b.unchanged++;
    this.brkEnd = end;
  }

  private mremap(s: SyscallCounts, line: number, old: number, oldLenIn: number, newLenIn: number, flags: number, ret: number): void {
    const m = this.counts.mremap;
    const oldLen = pageUp(oldLenIn);
    const newLen = pageUp(newLenIn);
    s.replayed++;
    const v = this.mm.mm_mt.vma_lookup(old);
    const prot = v ? v.vm_flags & 7 : PROT_READ | PROT_WRITE;
    const shared = v ? (v.vm_flags & VM_SHARED) !== 0 : false;
    if (!v) {
      s.simDiffers++;
      this.r.note(line, `mremap of ${hex(old)}: no simulated mapping there; mapping the destination read-write private`);
    }
    if (ret === old && oldLen !== 0) {
      m.inPlace++;
      if (newLen > oldLen) {
        if (!this.mapAt(line, old + oldLen, newLen - oldLen, prot, shared, false)) s.simDiffers++;
      } else if (newLen < oldLen) this.p.munmap(old + newLen, oldLen - newLen);
      return;
    }
    m.moved++;
    const pages = oldLen ? presentPages(this.r.k, this.mm, old, old + Math.min(oldLen, newLen)) : [];
    if (oldLen !== 0) {
      if (flags & MREMAP_DONTUNMAP) this.p.madvise(old, oldLen, MADV_DONTNEED);
      else this.p.munmap(old, oldLen);
    }
    if (!this.mapAt(line, ret, newLen, prot, shared, (flags & MREMAP_FIXED) !== 0)) return void s.simDiffers++;
    this.retouch(pages, ret - old, prot);
    m.pagesMoved += pages.length;
  }

  /** Faults `pages` (of another mm or range) in at `delta` from where they were, with the same kind of access. */
  retouch(pages: PresentPage[], delta: number, prot: number): void {
    const needWrite = pages.some((pg) => !pg.zero);
    const ro = needWrite && !(prot & PROT_WRITE);
    const ranges = ro ? mergeRanges(pages.map((pg) => [pg.addr + delta, pg.addr + delta + (pg.huge ? PMD : PAGE)])) : [];
    for (const [s, e] of ranges) this.p.mprotect(s, e - s, prot | PROT_READ | PROT_WRITE);
    for (const pg of pages) this.p.access(pg.addr + delta, !pg.zero);
    for (const [s, e] of ranges) this.p.mprotect(s, e - s, prot);
  }

  /** fork(): the child's copy of this image (see README.md: VMAs copied, private pages with an anon_vma re-faulted). */
  forkInto(child: Image): void {
    for (const v of [...this.mm.mm_mt.list]) {
      const len = v.vm_end - v.vm_start;
      const shared = (v.vm_flags & VM_SHARED) !== 0;
      if (!child.mapAt(child.firstLine, v.vm_start, len, v.vm_flags & 7, shared, false, (v.vm_flags & VM_NORESERVE) !== 0)) continue;
      if (v.vm_flags & VM_HUGEPAGE) child.p.madvise(v.vm_start, len, MADV_HUGEPAGE);
      if (v.vm_flags & VM_NOHUGEPAGE) child.p.madvise(v.vm_start, len, MADV_NOHUGEPAGE);
      // copy_page_range() runs only for VMAs with an anon_vma (vma_needs_copy): shared ones refault in the child.
      if (shared || !v.anon_vma) continue;
      const pages = presentPages(this.r.k, this.mm, v.vm_start, v.vm_end);
      child.retouch(pages, 0, v.vm_flags & 7);
    }
    child.synthetic = this.synthetic.map(([s, e]): [number, number] => [s, e]);
    child.brkStart = this.brkStart;
    child.brkEnd = this.brkEnd;
  }

  status(): ProcStatus {
    return this.frozen ?? this.p.status();
  }

  info(): ImageInfo {
    return {
      pid: this.pid,
      comm: this.comm,
      origin: this.origin,
      filename: this.filename,
      parent: this.parent,
      exited: this.exited,
      firstLine: this.firstLine,
      lastLine: this.lastLine,
      threads: this.threads,
      copySkipped: this.copySkipped,
      status: this.status(),
      counts: this.counts,
    };
  }
}

/** The parts of `r` outside every range of `minus` (sorted, disjoint). */
function subtract(r: [number, number], minus: readonly [number, number][]): [number, number][] {
  let parts: [number, number][] = [r];
  for (const [ms, me] of minus) {
    parts = parts.flatMap(([s, e]): [number, number][] => {
      if (me <= s || ms >= e) return [[s, e]];
      const out: [number, number][] = [];
      if (s < ms) out.push([s, ms]);
      if (me < e) out.push([me, e]);
      return out;
    });
  }
  return parts;
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [s, e] of ranges.sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

const MAX_NOTES = 50;

class Replayer {
  readonly engine: Engine;
  readonly k: Kernel;
  /** The current image of each process (thread-group id). */
  readonly current = new Map<number, Image>();
  readonly images: Image[] = [];
  /** Thread id -> thread-group id, from the `PID/TID` headers of the whole trace. */
  readonly tgidOf = new Map<number, number>();
  /** Syscall enter events waiting for their exit, by thread. */
  readonly pending = new Map<number, SysEnterEvent>();
  /** Kernel-mode faults of each thread waiting for its next event (an exec's carries them into the new image). */
  readonly waiting = new Map<number, FaultEvent[]>();
  readonly unknownEvents: Record<string, number> = {};
  readonly notes: string[] = [];
  notesTotal = 0;
  /** Each thread's first event other than a kernel-mode fault: "exec" right after a fork (vfork + exec, posix_spawn) needs no copy. */
  readonly firstKind = new Map<number, TraceEvent["kind"]>();
  firstExec: number | null = null;
  firstSeen: number | null = null;

  constructor(
    readonly trace: ParsedTrace,
    readonly opts: ReplayOptions,
  ) {
    this.engine = new Engine({ arch: archOf(opts.arch ?? "x86_64"), reclaim: opts.reclaim, thp: opts.thp ?? "madvise" });
    this.k = this.engine.k;
    for (const e of trace.events) {
      if (e.pid !== null && !this.tgidOf.has(e.tid)) this.tgidOf.set(e.tid, e.pid);
      if (!this.firstKind.has(e.tid) && !(e.kind === "fault" && e.mode === "kernel")) this.firstKind.set(e.tid, e.kind);
    }
  }

  note(line: number, text: string): void {
    this.notesTotal++;
    if (this.notes.length < MAX_NOTES) this.notes.push(`line ${line}: ${text}`);
  }

  pidOf(e: TraceEvent): number {
    return e.pid ?? this.tgidOf.get(e.tid) ?? e.tid;
  }

  newImage(pid: number, comm: string, origin: ImageInfo["origin"], filename: string | null, parent: number | null, line: number): Image {
    const img = new Image(this, this.engine.spawn(0, comm), pid, comm, origin, filename, parent, line);
    this.images.push(img);
    this.current.set(pid, img);
    return img;
  }

  imageOf(e: TraceEvent): Image {
    const pid = this.pidOf(e);
    this.firstSeen ??= pid;
    return this.current.get(pid) ?? this.newImage(pid, e.comm, "first-seen", null, null, e.line);
  }

  run(): void {
    for (const e of this.trace.events) {
      try {
        this.event(e);
      } catch (err) {
        const img = this.current.get(this.pidOf(e));
        if (img) img.counts.simErrors++;
        this.note(e.line, `the simulation failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // Kernel-mode faults still waiting at the end of the trace.
    for (const tid of [...this.waiting.keys()]) this.flush(tid);
    for (const [tid, enter] of this.pending) {
      const img = this.current.get(this.pidOf(enter));
      if (img) img.counts.unpaired.enters++;
      this.pending.delete(tid);
    }
  }

  /**
   * Applies a thread's waiting kernel-mode faults to its process's current image
   * (creating it if this is the process's first sign of life).
   */
  flush(tid: number): Image | null {
    const faults = this.waiting.get(tid);
    if (!faults) return null;
    this.waiting.delete(tid);
    const img = this.imageOf(faults[0]);
    for (const f of faults) {
      if (img.exited) img.counts.eventsAfterExit++;
      else img.fault(f);
    }
    return img;
  }

  event(e: TraceEvent): void {
    switch (e.kind) {
      case "lost":
        // Whatever was pending may have lost its other half: counted as unpaired when it shows.
        return;
      case "other":
        return void bump(this.unknownEvents, e.event);
      case "exec":
        return this.exec(e);
      case "fork":
        return this.fork(e);
      case "exit":
        return this.exit(e);
    }
    if (e.kind === "fault" && e.mode === "kernel") {
      // Applied at the thread's next event: if that is an exec, they were the ELF loader's, in the new mm.
      const l = this.waiting.get(e.tid) ?? [];
      l.push(e);
      this.waiting.set(e.tid, l);
      return;
    }
    this.flush(e.tid);
    const img = this.imageOf(e);
    if (img.exited) return void img.counts.eventsAfterExit++;
    img.comm = e.comm;
    switch (e.kind) {
      case "fault":
        return img.fault(e);
      case "sys_enter": {
        if (this.pending.has(e.tid)) img.counts.unpaired.enters++;
        if (!isKnownSyscall(e.name)) {
          bump(img.counts.unknownSyscalls, e.name);
          this.pending.delete(e.tid);
          return;
        }
        this.pending.set(e.tid, e);
        return;
      }
      case "sys_exit": {
        const enter = this.pending.get(e.tid);
        this.pending.delete(e.tid);
        if (!isKnownSyscall(e.name)) return; // counted at its enter
        if (!enter || enter.name !== e.name) {
          img.counts.unpaired.exits++;
          if (enter) img.counts.unpaired.enters++;
          return;
        }
        return img.syscall(enter, e);
      }
    }
  }

  exec(e: ExecEvent): void {
    const pid = e.execPid;
    this.firstExec ??= pid;
    this.firstSeen ??= pid;
    // The exec tracepoint fires after the ELF loader ran in the new mm: the kernel-mode faults
    // waiting just before it (elf_load, create_elf_tables' copy_to_user, ...) are the new image's.
    const carried = this.waiting.get(e.tid) ?? [];
    this.waiting.delete(e.tid);
    for (const tid of [...this.waiting.keys()]) if ((this.tgidOf.get(tid) ?? tid) === pid) this.flush(tid);
    const old = this.current.get(pid);
    if (old) {
      old.lastLine = e.line;
      old.frozen = old.p.status();
      old.p.exit();
    }
    for (const tid of [...this.pending.keys()]) if ((this.tgidOf.get(tid) ?? tid) === pid) this.pending.delete(tid);
    const img = this.newImage(pid, e.comm, "exec", e.filename, null, e.line);
    for (const f of carried) img.fault(f, true);
  }

  fork(e: ForkEvent): void {
    const parentPid = this.pidOf(e);
    this.firstSeen ??= parentPid;
    // The parent's threads' waiting faults happened before the copy.
    for (const tid of [...this.waiting.keys()]) if ((this.tgidOf.get(tid) ?? tid) === parentPid) this.flush(tid);
    const childTgid = this.tgidOf.get(e.childPid) ?? e.childPid;
    const parent = this.imageOf(e);
    if (childTgid === parentPid) {
      parent.threads++;
      return;
    }
    const child = this.newImage(childTgid, e.childComm, "fork", null, parentPid, e.line);
    // A child whose first own event is its exec never uses the copy (and a vfork child shares the
    // parent's mm until then): skip copying it.
    if (this.firstKind.get(e.childPid) === "exec") child.copySkipped = true;
    else parent.forkInto(child);
  }

  exit(e: ExitEvent): void {
    const tid = e.exitPid;
    this.flush(tid);
    const pid = this.tgidOf.get(tid) ?? this.pidOf(e);
    const img = this.current.get(pid);
    if (!img) return;
    const groupDead = e.groupDead ?? tid === pid;
    if (!groupDead) return;
    img.exited = true;
    img.lastLine = e.line;
    img.frozen = img.p.status();
  }

  target(): Image {
    const want = this.opts.pid ?? this.firstExec ?? this.firstSeen;
    if (want === null || want === undefined) throw new ReplayError("the trace has no events of any process");
    const img = this.current.get(want);
    if (!img) {
      const pids = [...new Set(this.images.map((i) => `${i.pid} (${i.comm})`))].join(", ");
      throw new ReplayError(`process ${want} is not in the trace (processes: ${pids || "none"})`);
    }
    return img;
  }
}

/** Replays a parsed trace with one reclaim plugin; the selected process's final status and what was approximated. */
export function replayTrace(trace: ParsedTrace, opts: ReplayOptions): ReplayResult {
  const r = new Replayer(trace, opts);
  r.run();
  const target = r.target().info();
  const warnings: string[] = [];
  const lost = trace.lost;
  if (lost.events || lost.records || lost.chunks) {
    warnings.push(
      `perf lost ${lost.events} events (${lost.records} lost records${lost.chunks ? `, ${lost.chunks} chunks` : ""}): the replay misses them, so faults and syscalls are missing or unpaired; re-record with a larger buffer (perf record -m)`,
    );
  }
  if (trace.events.some((e) => e.kind === "fork") && trace.events.some((e) => e.kind !== "lost" && e.pid === null)) {
    warnings.push(
      "the trace has no PID/ before the TIDs (perf script's default fields): threads cannot be told from processes, so each thread is replayed as a process of its own; record with `mmsim record` (perf script -F comm,pid,tid,cpu,time,event,trace)",
    );
  }
  if (trace.malformed.length) {
    const first = trace.malformed.slice(0, 3).map((m) => `line ${m.line}: ${m.reason}`);
    warnings.push(`${trace.malformed.length} malformed line(s) skipped (${first.join("; ")}${trace.malformed.length > 3 ? "; ..." : ""})`);
  }
  return {
    target,
    images: r.images.map((i) => (i.pid === target.pid && i.firstLine === target.firstLine ? target : i.info())),
    reclaim: opts.reclaim?.name ?? null,
    global: {
      lines: trace.lines,
      events: trace.events.length,
      malformed: trace.malformed.length,
      lost: { ...trace.lost },
      skipped: { ...trace.skipped },
      unknownEvents: r.unknownEvents,
    },
    warnings,
    notes: r.notes,
    notesTotal: r.notesTotal,
  };
}

/** parseTrace + replayTrace. */
export function replayText(text: string, opts: ReplayOptions & ParseOptions): ReplayResult {
  return replayTrace(parseTrace(text, opts), opts);
}

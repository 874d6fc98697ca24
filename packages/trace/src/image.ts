/**
 * One traced process image (exec starts a new one) and its simulated mm: the
 * placement of mappings at the traced addresses, the mappings the simulation
 * has to make up because the trace never shows them being made (the ELF
 * loader's, the stack, the vDSO: "synthesized"), and the counts. Syscalls and
 * faults are applied to an image by apply.ts; the replay driver (replay.ts)
 * decides which image each event belongs to.
 */
import {
  EEXIST,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  errno_name,
  walk_page_range,
  type Kernel,
  type MmStruct,
  type ProcStatus,
  type Process,
} from "@mmsim/core";
import { emptyCounts, type ImageCounts, type SyscallCounts } from "./counts.js";
import { hex, mergeRanges, pageDown, pageUp, PMD, subtract, type Range } from "./ranges.js";

/** /proc/sys/vm/mmap_min_addr */
export const MMAP_MIN_ADDR = 65536;

/** What an image needs from the replay driver: the simulated kernel, and the notes of where the simulation differs from the trace. */
export interface ReplayContext {
  readonly k: Kernel;
  note(line: number, text: string): void;
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

/** A present page of a simulated mm: its address, whether it maps a zero page (was only read), and whether it is a huge PMD. */
export interface PresentPage {
  addr: number;
  zero: boolean;
  huge: boolean;
}

/** The present pages of `mm` in [start, end), through the kernel's table walker (walk_page_range). */
export function presentPages(k: Kernel, mm: MmStruct, start: number, end: number): PresentPage[] {
  const a = k.arch;
  const out: PresentPage[] = [];
  walk_page_range(k, mm, start, end, {
    pmd_entry: (pmd, addr) => void out.push({ addr: Math.floor(addr / PMD) * PMD, zero: a.pxd_pfn(pmd) === k.frames.huge_zero_pfn, huge: true }),
    pte_entry: (pte, addr) => void (!a.pte_none(pte) && a.pte_present(pte) && out.push({ addr, zero: a.pte_pfn(pte) === k.frames.zero_pfn, huge: false })),
  });
  return out;
}

export class Image {
  readonly counts = emptyCounts();
  /** The heap as the trace shows it: the first break seen, and the current one (page-aligned). */
  brkStart: number | null = null;
  brkEnd: number | null = null;
  exited = false;
  lastLine: number | null = null;
  threads = 0;
  frozen: ProcStatus | null = null;
  /** The address ranges of synthesized mappings (and holes) not since replaced by traced ones. */
  synthetic: Range[] = [];
  /** A fork child that execs before anything else: its copy of the parent was not made. */
  copySkipped = false;

  constructor(
    readonly ctx: ReplayContext,
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
  holes(start: number, end: number): Range[] {
    const out: Range[] = [];
    let at = start;
    for (const v of this.mm.mm_mt.range(start, end)) {
      if (v.vm_start > at) out.push([at, v.vm_start]);
      at = Math.max(at, v.vm_end);
    }
    if (at < end) out.push([at, end]);
    return out;
  }

  /**
   * Makes room for a traced mapping at [addr, end) that the real kernel placed
   * there: whatever the simulation has mapped in the range is unmapped.
   * Expected where the simulation synthesized mappings the trace does not show
   * (counted as a placement conflict); anywhere else the simulated layout has
   * gone wrong (a lost munmap?): counted and noted. Returns whether anything was there.
   */
  clearPlacement(line: number, addr: number, end: number): boolean {
    const overlap = this.mm.mm_mt.range(addr, end).map((v): Range => [Math.max(v.vm_start, addr), Math.min(v.vm_end, end)]);
    if (!overlap.length) return false;
    const unexplained = overlap.flatMap((r) => subtract(r, this.synthetic));
    if (unexplained.length) {
      this.counts.overlapsTraced++;
      this.ctx.note(line, `mapping [${hex(addr)}, ${hex(end)}) overlapped simulated mappings that the trace made (${unexplained.map(([s, e]) => `[${hex(s)}, ${hex(e)})`).join(", ")}): unmapped them first`);
    } else this.counts.placementConflicts++;
    this.p.munmap(addr, end - addr);
    return true;
  }

  /** [addr, end) is now a mapping the trace made (`synthetic`: one the simulation made up). */
  placed(addr: number, end: number, synthetic = false): void {
    this.synthetic = synthetic ? mergeRanges([...this.synthetic, [addr, end]]) : this.synthetic.flatMap((x) => subtract(x, [[addr, end]]));
  }

  /**
   * Maps [addr, addr + len) anonymous at exactly addr. `fixed`: the traced call
   * replaced what was there (MAP_FIXED). Otherwise MAP_FIXED_NOREPLACE, and a
   * collision is resolved by clearPlacement(). `populate`: MAP_POPULATE, the
   * simulated kernel faults the range in.
   */
  mapAt(line: number, addr: number, len: number, prot: number, shared: boolean, fixed: boolean, noreserve = false, synthetic = false, populate = false): boolean {
    const flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE) | (fixed ? MAP_FIXED : MAP_FIXED_NOREPLACE) | (noreserve ? MAP_NORESERVE : 0) | (populate ? MAP_POPULATE : 0);
    const end = addr + pageUp(len);
    let r = this.p.mmap(addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), flags);
    if (r === -EEXIST) {
      this.clearPlacement(line, addr, end);
      r = this.p.mmap(addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), flags);
    }
    if (r !== addr) {
      this.ctx.note(line, `mmap at ${hex(addr)} (${len} bytes) returned ${r < 0 ? `-${errno_name(-r)}` : hex(r)} in the simulation`);
      return false;
    }
    this.placed(addr, end, synthetic);
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
    let end = Math.min(Math.floor(page / PMD) * PMD + PMD, this.ctx.k.arch.TASK_SIZE);
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

/**
 * Applying one traced page fault or one completed syscall to a process image,
 * at the traced addresses, through the engine API as the program made them:
 * Process.access for faults, mmap (MAP_POPULATE included), munmap, mprotect,
 * madvise (MADV_POPULATE_* included), brk and mremap for syscalls. What the
 * simulator cannot reproduce exactly is approximated here and counted (see
 * README.md, "Replay").
 */
import {
  ENOMEM,
  errno_name,
  MADV_DONTNEED,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  madvise_behavior_valid,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_SHARED,
  MREMAP_DONTUNMAP,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
  PROT_READ,
  PROT_WRITE,
  VM_SHARED,
} from "@mmsim/core";
import { bump, type SyscallCounts } from "./counts.js";
import type { FaultEvent, SysEnterEvent, SysExitEvent } from "./events.js";
import { MMAP_MIN_ADDR, presentPages, type Image } from "./image.js";
import { hex, pageDown, pageUp } from "./ranges.js";
import { adviceName, MAP_HUGETLB, MAP_SHARED_VALIDATE, MAP_TYPE } from "./uapi.js";

const failedInTrace = (ret: number) => ret < 0 && ret > -4096;
const result = (r: number) => (r < 0 ? `-${errno_name(-r)}` : hex(r));

/**
 * A page fault at the traced address: a write (error_code & 2; an instruction
 * fetch, 0x10, is a read), with a mapping synthesized first when no simulated
 * VMA covers the address.
 */
export function applyFault(img: Image, e: FaultEvent, carried = false): void {
  const c = img.counts.faults;
  c.total++;
  if (e.mode === "user") c.user++;
  else c.kernel++;
  if (carried) c.carriedAcrossExec++;
  if (e.address >= img.ctx.k.arch.TASK_SIZE) {
    c.kernelAddress++;
    return;
  }
  if (e.address < MMAP_MIN_ADDR) {
    c.belowMinAddr++;
    return;
  }
  if (!img.mm.mm_mt.vma_lookup(e.address)) {
    c.outsideVma++;
    img.synthesize(e.line, e.address);
  }
  const write = (e.errorCode & 2) !== 0 && (e.errorCode & 0x10) === 0;
  let r = img.p.access(e.address, write);
  if (r !== "ok" && write) {
    c.writeAsRead++;
    r = img.p.access(e.address, false);
  }
  if (r !== "ok") {
    c.signalled++;
    img.ctx.note(e.line, `${write ? "write" : "read"} fault at ${hex(e.address)} raised ${r} in the simulation`);
    return;
  }
  c.replayed++;
}

/** A syscall whose enter and exit events were paired (the exit's return value is the real kernel's). */
export function applySyscall(img: Image, enter: SysEnterEvent, exit: SysExitEvent): void {
  const name = enter.name;
  const s = img.sys(name);
  s.calls++;
  const ret = exit.ret;
  const a = enter.args;
  const line = exit.line;
  switch (name) {
    case "mmap":
      if (failedInTrace(ret)) return void s.failedInTrace++;
      return mmap(img, s, line, a.len, a.prot, a.flags, ret);
    case "munmap": {
      if (failedInTrace(ret)) return void s.failedInTrace++;
      s.replayed++;
      const r = img.p.munmap(a.addr, a.len);
      if (r !== 0) {
        s.simDiffers++;
        img.ctx.note(line, `munmap(${hex(a.addr)}, ${a.len}) returned -${errno_name(-r)} in the simulation`);
      }
      return;
    }
    case "mprotect": {
      if (failedInTrace(ret)) return void s.failedInTrace++;
      s.replayed++;
      let r = img.p.mprotect(a.start, a.len, a.prot & 7);
      if (r === -ENOMEM) {
        // Holes where the real kernel had the ELF loader's mappings (e.g. ld.so's RELRO mprotect of the executable).
        img.fillHoles(line, pageDown(a.start), pageUp(a.start + a.len), a.prot & 7);
        r = img.p.mprotect(a.start, a.len, a.prot & 7);
      }
      if (r !== 0) {
        s.simDiffers++;
        img.ctx.note(line, `mprotect(${hex(a.start)}, ${a.len}, ${a.prot}) returned -${errno_name(-r)} in the simulation`);
      }
      return;
    }
    case "madvise":
      return madvise(img, s, line, a.start, a.len_in, a.behavior, ret);
    case "brk":
      return brk(img, s, line, ret);
    case "mremap":
      if (failedInTrace(ret)) return void s.failedInTrace++;
      return mremap(img, s, line, a.addr, a.old_len, a.new_len, a.flags, ret);
    default:
      bump(img.counts.unknownSyscalls, name);
  }
}

/**
 * mmap at the address the real kernel returned. File-backed mappings are
 * approximated as anonymous ones of the same size (counted); MAP_POPULATE and
 * MAP_LOCKED are passed on as MAP_POPULATE (the simulated kernel populates;
 * VM_LOCKED is not modelled); MAP_HUGETLB maps 4K pages (counted).
 */
function mmap(img: Image, s: SyscallCounts, line: number, lenIn: number, prot: number, flags: number, ret: number): void {
  const len = pageUp(lenIn);
  const type = flags & MAP_TYPE;
  const shared = type === MAP_SHARED || type === MAP_SHARED_VALIDATE;
  const m = img.counts.mmap;
  if (flags & MAP_ANONYMOUS) {
    if (shared) m.anonymousShared++;
    else m.anonymousPrivate++;
  } else {
    if (shared) m.fileShared++;
    else m.filePrivate++;
    m.fileKb += len / 1024;
  }
  if (flags & MAP_HUGETLB) m.hugetlb++;
  const populate = (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE || (flags & MAP_LOCKED) !== 0;
  const ok = img.mapAt(line, ret, len, prot, shared, (flags & MAP_FIXED) !== 0 && (flags & MAP_FIXED_NOREPLACE) === 0, (flags & MAP_NORESERVE) !== 0, false, populate);
  s.replayed++;
  if (!ok) return void s.simDiffers++;
  if (populate) m.populated++;
}

/**
 * madvise as traced. -ENOMEM in the trace is replayed too: Linux applied the
 * advice to the mapped parts. Advice the simulator does not implement is
 * counted by name and not replayed.
 */
function madvise(img: Image, s: SyscallCounts, line: number, start: number, len: number, advice: number, ret: number): void {
  const name = adviceName(advice);
  bump(img.counts.advice, name);
  if (ret < 0 && ret !== -ENOMEM) return void s.failedInTrace++;
  const end = pageUp(start + len);
  const populate = advice === MADV_POPULATE_READ || advice === MADV_POPULATE_WRITE;
  // The advice the simulated kernel implements in its era (core's madvise_behavior_valid()).
  if (!populate && !madvise_behavior_valid(advice, img.p.k.era)) {
    bump(img.counts.adviceIgnored, name);
    return;
  }
  s.replayed++;
  if (populate) img.counts.advicePopulated++;
  let r = img.p.madvise(start, len, advice);
  if (r === -ENOMEM && ret === 0) {
    img.fillHoles(line, start, end, PROT_READ | PROT_WRITE);
    r = img.p.madvise(start, len, advice);
  }
  if (r !== ret) {
    s.simDiffers++;
    img.ctx.note(line, `madvise(${hex(start)}, ${len}, MADV_${name}) returned ${r} in the simulation, ${ret} in the trace`);
  }
}

/**
 * brk: the simulated kernel's heap. The first break seen (glibc's brk(0), the
 * heap's start) is set as the ELF loader would have set it; every later break
 * is asked for as the program got it. A simulated mapping in the way of a
 * growth is cleared first (clearPlacement); a shrink below the first break
 * seen lowers the start to it (counted: the trace began after the heap did).
 * If the simulated kernel still refuses, the change is emulated with
 * mmap/munmap (noted).
 */
function brk(img: Image, s: SyscallCounts, line: number, ret: number): void {
  if (failedInTrace(ret)) return void s.failedInTrace++;
  const b = img.counts.brk;
  const end = pageUp(ret);
  s.replayed++;
  if (img.brkEnd === null) {
    img.p.set_brk(end, ret);
    img.brkStart = end;
    img.brkEnd = end;
    return void b.unchanged++;
  }
  const old = img.brkEnd;
  if (end > old) {
    b.grows++;
    img.clearPlacement(line, old, end);
  } else if (end < old) {
    b.shrinks++;
    if (end < (img.brkStart ?? end)) {
      b.startUnknown++;
      img.p.set_brk(end, img.p.mm.brk);
      img.brkStart = end;
    }
  } else b.unchanged++;
  img.brkEnd = end;
  const r = img.p.brk(ret);
  if (r === ret) {
    if (end > old) img.placed(old, end);
    return;
  }
  s.simDiffers++;
  img.ctx.note(line, `brk(${hex(ret)}) returned ${hex(r)} in the simulation: emulated with mmap/munmap`);
  if (end > old) img.mapAt(line, old, end - old, PROT_READ | PROT_WRITE, false, false);
  else if (end < old) img.p.munmap(end, old - end);
  img.p.set_brk(img.brkStart ?? end, ret);
}

/**
 * mremap by the simulated kernel, to where the real one put it: in place when
 * the trace returned the old address (a simulated mapping in the way of a
 * growth cleared first), else moved there with MREMAP_FIXED (a simulated
 * mapping at the destination cleared first unless the program asked for
 * MREMAP_FIXED itself). Where the simulation has no mapping at the old address,
 * or the simulated kernel refuses, the result is emulated (noted): the old
 * range unmapped, the new one mapped read-write private, no pages.
 */
function mremap(img: Image, s: SyscallCounts, line: number, old: number, oldLenIn: number, newLenIn: number, flags: number, ret: number): void {
  const m = img.counts.mremap;
  const oldLen = pageUp(oldLenIn);
  const newLen = pageUp(newLenIn);
  s.replayed++;
  const v = img.mm.mm_mt.vma_lookup(old);
  if (!v) {
    s.simDiffers++;
    img.ctx.note(line, `mremap of ${hex(old)}: no simulated mapping there; mapping the destination read-write private`);
  }
  const prot = v ? v.vm_flags & 7 : PROT_READ | PROT_WRITE;
  const shared = v ? (v.vm_flags & VM_SHARED) !== 0 : false;
  if (ret === old && oldLen !== 0) {
    m.inPlace++;
    if (newLen === oldLen) return;
    if (newLen > oldLen) img.clearPlacement(line, old + oldLen, old + newLen);
    if (v) {
      const r = img.p.mremap(old, oldLen, newLen, 0);
      if (r === old) return void (newLen > oldLen && img.placed(old + oldLen, old + newLen));
      refused(img, s, line, old, oldLen, newLen, r);
    }
    if (newLen > oldLen) {
      if (!img.mapAt(line, old + oldLen, newLen - oldLen, prot, shared, false)) s.simDiffers++;
    } else img.p.munmap(old + newLen, oldLen - newLen);
    return;
  }
  m.moved++;
  const pages = v && oldLen ? presentPages(img.ctx.k, img.mm, old, old + Math.min(oldLen, newLen)).length : 0;
  if (v) {
    if (!(flags & MREMAP_FIXED)) img.clearPlacement(line, ret, ret + newLen);
    const r = img.p.mremap(old, oldLen, newLen, MREMAP_MAYMOVE | MREMAP_FIXED | (flags & MREMAP_DONTUNMAP), ret);
    if (r === ret) {
      img.placed(ret, ret + newLen);
      m.pagesMoved += pages;
      return;
    }
    refused(img, s, line, old, oldLen, newLen, r);
  }
  if (oldLen !== 0) {
    if (flags & MREMAP_DONTUNMAP) img.p.madvise(old, oldLen, MADV_DONTNEED);
    else img.p.munmap(old, oldLen);
  }
  if (!img.mapAt(line, ret, newLen, prot, shared, (flags & MREMAP_FIXED) !== 0)) s.simDiffers++;
}

function refused(img: Image, s: SyscallCounts, line: number, old: number, oldLen: number, newLen: number, r: number): void {
  s.simDiffers++;
  img.ctx.note(line, `mremap(${hex(old)}, ${oldLen}, ${newLen}) returned ${result(r)} in the simulation: emulated by unmapping and mapping`);
}

/**
 * The advice that only changes vm_flags (madvise_update_vma()): MADV_NORMAL/
 * RANDOM/SEQUENTIAL, MADV_(DONT|DO)FORK, MADV_(WIPE|KEEP)ONFORK, MADV_(DONT|DO)DUMP
 * and MADV_(UN)MERGEABLE, and what fork() makes of VM_DONTCOPY and VM_WIPEONFORK.
 * The fork figures are Linux 6.18's on our machines (/tmp C program: a 64 MiB
 * private mapping written through, the advice over its second 16 MiB, then fork;
 * the child's /proc/self/status against the parent's).
 */
import { describe, expect, it } from "vitest";
import { check_exit, check_mm } from "../check/invariants.js";
import { engine } from "../test/arch.js";
import { K, M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import {
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_KEEPONFORK,
  MADV_MERGEABLE,
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_UNMERGEABLE,
  MADV_WIPEONFORK,
} from "./madvise.js";
import { MREMAP_MAYMOVE } from "./mremap.js";
import { EFAULT, EINVAL } from "./errno.js";
import { VM_DONTCOPY, VM_DONTDUMP, VM_LOCKED, VM_MERGEABLE, VM_RAND_READ, VM_SEQ_READ, VM_WIPEONFORK } from "../pgtable/arch.js";
import type { Process } from "../engine.js";

/** [start, end) in MiB from SLOT and the flags of interest, for each VMA. */
const FLAGS = VM_DONTCOPY | VM_DONTDUMP | VM_MERGEABLE | VM_RAND_READ | VM_SEQ_READ | VM_WIPEONFORK;
const vmas = (p: Process) => p.mm.mm_mt.list.map((v) => [(v.vm_start - SLOT) / M, (v.vm_end - SLOT) / M, v.vm_flags & FLAGS]);

/** The C program's setup: 64 MiB written through, `advice` over [16M, 32M), then fork. */
function forked(advice: number | null) {
  const e = engine();
  const p = e.spawn();
  mmapFixed(p, SLOT, 64 * M);
  expect(p.touch(SLOT, 64 * M, true)).toBe("ok");
  if (advice !== null) expect(p.madvise(SLOT + 16 * M, 16 * M, advice)).toBe(0);
  const c = p.fork();
  return { e, p, c };
}

describe("madvise: the advice that sets or clears a vm_flags bit", () => {
  const pairs: [string, number, number, number][] = [
    ["DONTFORK/DOFORK", MADV_DONTFORK, MADV_DOFORK, VM_DONTCOPY],
    ["WIPEONFORK/KEEPONFORK", MADV_WIPEONFORK, MADV_KEEPONFORK, VM_WIPEONFORK],
    ["DONTDUMP/DODUMP", MADV_DONTDUMP, MADV_DODUMP, VM_DONTDUMP],
    ["MERGEABLE/UNMERGEABLE", MADV_MERGEABLE, MADV_UNMERGEABLE, VM_MERGEABLE],
    ["RANDOM/NORMAL", MADV_RANDOM, MADV_NORMAL, VM_RAND_READ],
    ["SEQUENTIAL/NORMAL", MADV_SEQUENTIAL, MADV_NORMAL, VM_SEQ_READ],
  ];
  for (const [name, set, clear, flag] of pairs) {
    it(`${name}: the range becomes a VMA of its own with the bit, and merges back when it is cleared`, () => {
      const p = engine().spawn();
      mmapFixed(p, SLOT, 8 * M);
      expect(p.madvise(SLOT + 2 * M, 2 * M, set)).toBe(0);
      expect(vmas(p)).toEqual([
        [0, 2, 0],
        [2, 4, flag],
        [4, 8, 0],
      ]);
      // Again: nothing changes (madvise_update_vma() with the same flags).
      expect(p.madvise(SLOT + 2 * M, 2 * M, set)).toBe(0);
      expect(vmas(p)).toHaveLength(3);
      expect(p.madvise(SLOT, 8 * M, clear)).toBe(0);
      expect(vmas(p)).toEqual([[0, 8, 0]]);
    });
  }

  it("MADV_RANDOM and MADV_SEQUENTIAL replace each other; MADV_NORMAL clears both", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.madvise(SLOT, 4 * M, MADV_RANDOM);
    p.madvise(SLOT, 4 * M, MADV_SEQUENTIAL);
    expect(vmas(p)).toEqual([[0, 4, VM_SEQ_READ]]);
    p.madvise(SLOT, 4 * M, MADV_RANDOM);
    expect(vmas(p)).toEqual([[0, 4, VM_RAND_READ]]);
  });

  it("a VMA split by advice is two VMAs to mremap: a range across both is -EFAULT, as on Linux", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_RANDOM)).toBe(0);
    expect(p.mremap(SLOT, 4 * M, 8 * M, MREMAP_MAYMOVE)).toBe(-EFAULT);
  });

  it("MADV_WIPEONFORK is only for private anonymous memory: -EINVAL on a shared mapping, which keeps its flags", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M, { shared: true });
    expect(p.madvise(SLOT, 2 * M, MADV_WIPEONFORK)).toBe(-EINVAL);
    expect(vmas(p)).toEqual([[0, 4, 0]]);
    // MADV_KEEPONFORK has nothing to clear there and succeeds.
    expect(p.madvise(SLOT, 2 * M, MADV_KEEPONFORK)).toBe(0);
  });

  it("MADV_MERGEABLE ignores a shared mapping (!vma_ksm_compatible) and MADV_UNMERGEABLE a VMA that is not mergeable", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M, { shared: true });
    mmapFixed(p, SLOT + 8 * M, 4 * M);
    expect(p.madvise(SLOT, 2 * M, MADV_MERGEABLE)).toBe(0);
    expect(p.madvise(SLOT + 8 * M, 2 * M, MADV_UNMERGEABLE)).toBe(0);
    expect(vmas(p)).toEqual([
      [0, 4, 0],
      [8, 12, 0],
    ]);
  });

  it("KSM merges nothing (ksmd is not modelled): a mergeable range keeps its pages and tables", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    const before = vm(p);
    expect(p.madvise(SLOT, 4 * M, MADV_MERGEABLE)).toBe(0);
    expect(vm(p)).toEqual(before);
  });

  it("over a hole: the mapped parts get the advice and the call returns -ENOMEM", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    mmapFixed(p, SLOT + 4 * M, 2 * M);
    expect(p.madvise(SLOT, 6 * M, MADV_DONTDUMP)).toBe(-12);
    expect(vmas(p)).toEqual([
      [0, 2, VM_DONTDUMP],
      [4, 6, VM_DONTDUMP],
    ]);
  });
});

describe("fork after MADV_DONTFORK / MADV_WIPEONFORK (Linux 6.18's figures)", () => {
  it("no advice: the child has what the parent has", () => {
    const { p, c } = forked(null);
    expect(vm(c)).toEqual(vm(p));
  });

  it("MADV_DONTFORK: the child has a hole there, 16 MiB less VmSize, VmData and VmRSS and 8 PTE tables less; touching it is SIGSEGV", () => {
    const { e, p, c } = forked(MADV_DONTFORK);
    const pv = vm(p);
    // Linux: parent VmSize 68012 kB, VmData 65760 kB, VmPTE 180 kB; child 51628, 49376, 148 kB.
    expect(vm(c)).toEqual({ VmSize: pv.VmSize - 16 * K, VmRSS: pv.VmRSS - 16 * K, VmPTE: pv.VmPTE - 32 });
    expect(c.status().VmData).toBe(p.status().VmData - 16 * K);
    expect(vmas(c)).toEqual([
      [0, 16, 0],
      [32, 64, 0],
    ]);
    expect(c.access(SLOT + 20 * M, false)).toBe("SIGSEGV");
    expect(p.access(SLOT + 20 * M, false)).toBe("ok");
    expect(check_mm(e.k, c.mm)).toEqual([]);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("MADV_WIPEONFORK: the child keeps the VMA but not its pages or tables (16 MiB less VmRSS, 8 PTE tables less) and reads zeroes there", () => {
    const { e, p, c } = forked(MADV_WIPEONFORK);
    const pv = vm(p);
    // Linux: parent VmSize 68012 kB, VmPTE 180 kB; child 68012 kB, 148 kB, VmRSS 16 MiB less; a[20M] reads 0.
    expect(vm(c)).toEqual({ VmSize: pv.VmSize, VmRSS: pv.VmRSS - 16 * K, VmPTE: pv.VmPTE - 32 });
    expect(vmas(c)).toEqual(vmas(p));
    expect(c.mm.mm_mt.list[1].anon_vma).toBe(0);
    expect(c.load(SLOT + 20 * M)).toBe(0);
    expect(p.load(SLOT + 20 * M)).not.toBe(0);
    expect(c.load(SLOT + 40 * M)).toBe(p.load(SLOT + 40 * M));
    // The child's wiped range faults in a fresh page of its own; a fork of the child wipes again.
    expect(c.access(SLOT + 20 * M, true)).toBe("ok");
    expect(c.fork().load(SLOT + 20 * M)).toBe(0);
    expect(check_mm(e.k, c.mm)).toEqual([]);
  });

  it("MADV_DOFORK and MADV_KEEPONFORK undo them: the child gets the range as without advice", () => {
    for (const [set, clear] of [
      [MADV_DONTFORK, MADV_DOFORK],
      [MADV_WIPEONFORK, MADV_KEEPONFORK],
    ]) {
      const e = engine();
      const p = e.spawn();
      mmapFixed(p, SLOT, 64 * M);
      p.touch(SLOT, 64 * M, true);
      p.madvise(SLOT + 16 * M, 16 * M, set);
      p.madvise(SLOT + 16 * M, 16 * M, clear);
      const c = p.fork();
      expect(vm(c)).toEqual(vm(p));
      expect(c.load(SLOT + 20 * M)).toBe(p.load(SLOT + 20 * M));
    }
  });

  it("DONTDUMP, MERGEABLE and the read-ahead advice do not change what the child gets", () => {
    for (const a of [MADV_DONTDUMP, MADV_MERGEABLE, MADV_RANDOM, MADV_SEQUENTIAL]) {
      const { p, c } = forked(a);
      expect(vm(c)).toEqual(vm(p));
    }
  });

  it("the child's exit frees what it got; the parent's DONTFORK range is its own to zap", () => {
    const { e, p, c } = forked(MADV_DONTFORK);
    c.exit();
    expect(check_exit(e.k, c.mm)).toEqual([]);
    expect(p.madvise(SLOT + 16 * M, 16 * M, MADV_DONTNEED)).toBe(0);
    expect(vm(p).VmRSS).toBe(48 * K);
    p.exit();
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("mlock is not inherited: the child's VMAs lose VM_LOCKED (vm_flags_clear(tmp, VM_LOCKED_MASK))", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.mm.mm_mt.list[0].vm_flags |= VM_LOCKED; // as mlock() would (mlock is not a syscall of the model)
    const c = p.fork();
    expect(c.mm.mm_mt.list[0].vm_flags & VM_LOCKED).toBe(0);
    expect(c.madvise(SLOT, 4 * M, MADV_DONTNEED)).toBe(0);
    expect(p.madvise(SLOT, 4 * M, MADV_DONTNEED)).toBe(-EINVAL);
  });
});

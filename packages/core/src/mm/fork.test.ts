/** Process.fork(): dup_mm / dup_mmap / copy_page_range as Linux copies an address space. */
import { describe, expect, it } from "vitest";
import { check_exit, check_mm } from "../check/invariants.js";
import { Engine } from "../engine.js";
import { Op } from "../sync/op.js";
import { arch, engine } from "../test/arch.js";
import { G, K, M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { MADV_DONTNEED, MADV_HUGEPAGE } from "./madvise.js";
import { PROT_READ } from "./mmap.js";

describe("fork: the child's copy of the mm", () => {
  it("copies every VMA and, for the anonymous ones with an anon_vma, the tables and pages; shared memory is not copied", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.access(SLOT, true);
    p.access(SLOT + 2 * M + 5 * K, true);
    p.access(SLOT + 3 * M, false); // the zero page, in a table of its own VMA's
    mmapFixed(p, SLOT + 8 * M, 2 * M, { shared: true });
    p.access(SLOT + 8 * M, true);
    const c = p.fork();
    expect(c.pid).not.toBe(p.pid);
    // Parent: PUD + PMD + 2 PTE tables (private) + 1 PTE table (shared). Child: the private ones only.
    expect(vm(p)).toEqual({ VmSize: 6 * K, VmRSS: 12, VmPTE: 20 });
    expect(vm(c)).toEqual({ VmSize: 6 * K, VmRSS: 8, VmPTE: 16 });
    expect(c.status().RssShmem).toBe(0);
    expect(c.mm.mm_mt.list.map((v) => [v.vm_start, v.vm_end, v.vm_flags])).toEqual(p.mm.mm_mt.list.map((v) => [v.vm_start, v.vm_end, v.vm_flags]));
    expect(check_mm(e.k, p.mm)).toEqual([]);
    expect(check_mm(e.k, c.mm)).toEqual([]);
  });

  it("the child reads what the parent wrote; its own writes are its own (an eager copy, no COW sharing)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 64 * K);
    for (let i = 0; i < 3; i++) p.access(SLOT, true);
    const v = p.load(SLOT);
    const c = p.fork();
    expect(c.load(SLOT)).toBe(v);
    expect(c.access(SLOT, true)).toBe("ok");
    expect(c.load(SLOT)).not.toBe(v);
    expect(p.load(SLOT)).toBe(v);
    // No write-protect fault in either: the parent's PTE stayed writable, the child's copy is writable.
    const faults = p.mm.counters.pgfault;
    p.access(SLOT, true);
    expect(p.mm.counters.pgfault).toBe(faults);
  });

  it("a shared mapping is the same shmem object in both: the child faults the parent's page from the page cache", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 2 * M, { shared: true });
    p.access(SLOT, true);
    const v = p.load(SLOT);
    const c = p.fork();
    expect(c.load(SLOT)).toBe(v);
    expect(c.status().RssShmem).toBe(4);
    p.exit();
    expect(c.load(SLOT)).toBe(v);
    c.exit();
    expect(check_exit(e.k, c.mm)).toEqual([]);
  });

  it("copies a PTE table even when no entry in it is present (copy_pte_range allocates it first), as Linux does", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.access(SLOT, true);
    p.access(SLOT + 2 * M, true);
    expect(p.madvise(SLOT, 2 * M, MADV_DONTNEED)).toBe(0); // without reclaim the emptied table stays
    const c = p.fork();
    expect(vm(c)).toEqual({ VmSize: 4 * K, VmRSS: 4, VmPTE: vm(p).VmPTE });
    expect(vm(p).VmPTE).toBe(16);
  });

  it("does not copy a VMA that only ever mapped the zero page (no anon_vma: vma_needs_copy() is false)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.access(SLOT, false);
    const c = p.fork();
    expect(vm(p).VmPTE).toBe(12);
    expect(vm(c)).toEqual({ VmSize: 2 * K, VmRSS: 0, VmPTE: 0 });
    expect(c.access(SLOT, false)).toBe("ok");
    expect(vm(c).VmPTE).toBe(12);
  });

  it("copies a THP into a THP of the child's, with its deposited table; read-only VMAs keep their protection", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.madvise(SLOT, 4 * M, MADV_HUGEPAGE);
    p.access(SLOT, true);
    p.access(SLOT + 2 * M, false); // the huge zero page
    mmapFixed(p, SLOT + 8 * M, 64 * K);
    p.access(SLOT + 8 * M, true);
    p.mprotect(SLOT + 8 * M, 64 * K, PROT_READ);
    const c = p.fork();
    // PUD + PMD + two deposits + the small VMA's PTE table.
    expect(vm(c)).toEqual({ VmSize: 4 * K + 64, VmRSS: 2 * K + 4, VmPTE: 20 });
    expect(vm(c)).toEqual(vm(p));
    expect(c.access(SLOT + 8 * M, true)).toBe("SIGSEGV");
    expect(check_mm(e.k, c.mm)).toEqual([]);
    c.exit();
    expect(check_exit(e.k, c.mm)).toEqual([]);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("resets the child's high-water marks to the copy and copies the program break", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    p.munmap(SLOT + 2 * M, 2 * M);
    p.set_brk(0x555555600000);
    const c = p.fork();
    expect(p.status().VmHWM).toBe(4 * K);
    expect(c.status()).toMatchObject({ VmPeak: 2 * K, VmHWM: 2 * K, VmRSS: 2 * K });
    expect(c.brk(0)).toBe(0x555555600000);
  });
});

describe("fork, mremap, brk and populate as generators (stepped) and as their bulk twins", () => {
  it("give the same mms", () => {
    const run = (stepped: boolean) => {
      const e = new Engine({ arch, reclaim: null, stepped });
      const p = e.spawn();
      p.set_brk(0x555555600000);
      p.brk(0x555555600000 + 3 * M);
      p.touch(0x555555600000, 3 * M, true, 64 * K);
      mmapFixed(p, SLOT, 4 * M);
      p.madvise(SLOT, 4 * M, MADV_HUGEPAGE);
      p.madvise(SLOT, 4 * M, 23 /* MADV_POPULATE_WRITE */);
      const c = p.fork();
      c.mremap(SLOT, 4 * M, 8 * M, 3 /* MAYMOVE | FIXED */, SLOT + G);
      c.brk(0x555555600000 + M);
      expect(check_mm(e.k, p.mm)).toEqual([]);
      expect(check_mm(e.k, c.mm)).toEqual([]);
      return [p.status(), c.status()];
    };
    expect(run(true)).toEqual(run(false));
  });
});

describe("bulk runs of fork, mremap, brk and populate", () => {
  it("execute the desync twins: no generator is resumed, no primitive is driven as an Op", () => {
    type Next = (this: object, ...a: unknown[]) => unknown;
    const GeneratorPrototype = Object.getPrototypeOf(function* () {}).prototype as { next: Next };
    const OpPrototype = Op.prototype as unknown as { next: Next };
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    let resumed = 0;
    const gen = GeneratorPrototype.next;
    const op = OpPrototype.next;
    GeneratorPrototype.next = function (...a) {
      resumed++;
      return gen.apply(this, a);
    };
    OpPrototype.next = function (...a) {
      resumed++;
      return op.apply(this, a);
    };
    try {
      p.mmap(SLOT + 8 * M, 64 * K, 3, 0x22 | 0x100000 | 0x8000 /* MAP_POPULATE */);
      p.madvise(SLOT, 4 * M, 23 /* MADV_POPULATE_WRITE */);
      p.set_brk(0x555555600000);
      p.brk(0x555555600000 + M);
      p.access(0x555555600000, true);
      const c = p.fork();
      c.mremap(SLOT, 4 * M, 4 * M, 3, SLOT + G);
      c.brk(0x555555600000);
    } finally {
      GeneratorPrototype.next = gen;
      OpPrototype.next = op;
    }
    expect(resumed).toBe(0);
  });
});

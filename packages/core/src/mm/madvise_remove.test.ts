/**
 * MADV_REMOVE (madvise_remove(), mm/madvise.ts → shmem_punch_hole(), mm/shmem.ts).
 * The figures are Linux 6.18's on our machines: the host corpus's remove-shmem.wl
 * records the same sequence, which the simulator matches line for line. The
 * mutant "remove-keeps-cache" (MADV_DONTNEED's effect: the pages only unmapped)
 * fails the tests that pin what the hole is.
 */
import { describe, expect, it } from "vitest";
import { check_exit, check_mm } from "../check/invariants.js";
import { Engine } from "../engine.js";
import { VM_LOCKED, VM_MAYWRITE } from "../pgtable/arch.js";
import { arch } from "../test/arch.js";
import { K, M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { EACCES, EINVAL } from "./errno.js";
import { set_collapse_mutant, type CollapseMutant } from "./collapse_mutant.js";
import { MADV_DONTNEED, MADV_REMOVE, madvise_behavior_valid } from "./madvise.js";
import { PROT_READ } from "./mmap.js";

function setup(mutant?: CollapseMutant) {
  const e = new Engine({ arch });
  if (mutant) set_collapse_mutant(e.k, mutant);
  return { e, p: e.spawn() };
}

/** remove-shmem.wl: 4 MiB of shmem written; a hole punched in the first half; the PTE tables stay. */
function punch(mutant?: CollapseMutant) {
  const { e, p } = setup(mutant);
  mmapFixed(p, SLOT, 4 * M, { shared: true });
  p.touch(SLOT, 4 * M, true);
  const kept = p.load(SLOT + 3 * M);
  const used = e.k.frames.nr_used;
  expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 4 * K, VmPTE: 16 });
  expect(p.madvise(SLOT, 2 * M, MADV_REMOVE)).toBe(0);
  expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 2 * K, VmPTE: 16 });
  expect(p.status().RssShmem).toBe(2 * K);
  // The hole's pages are gone from the file: freed, and read back as zeroes.
  expect(e.k.frames.nr_used).toBe(used - 512);
  expect(p.load(SLOT + 4 * K)).toBe(0);
  expect(p.load(SLOT + 3 * M)).toBe(kept);
  expect(check_mm(e.k, p.mm)).toEqual([]);
  return { e, p };
}

describe("MADV_REMOVE", () => {
  it("punches a hole in a shared mapping's shmem file: RSS -2 MiB, the pages freed and read back as zeroes, VmPTE unchanged", () => {
    const { e, p } = punch();
    // MADV_DONTNEED by contrast keeps the file's pages: the data comes back.
    const v = p.load(SLOT + 3 * M);
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_DONTNEED)).toBe(0);
    expect(p.load(SLOT + 3 * M)).toBe(v);
    p.exit();
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("mutant: a MADV_REMOVE that only unmaps (the page cache keeps the pages) is caught", () => {
    expect(() => punch("remove-keeps-cache")).toThrow();
  });

  it("reaches every mapping of the file: a forked child's pages go too", () => {
    const { e, p } = setup();
    mmapFixed(p, SLOT, 2 * M, { shared: true });
    p.touch(SLOT, 2 * M, true);
    const c = p.fork();
    c.touch(SLOT, 2 * M, false); // fork copies no PTE of a shared mapping: the child faults the file's pages in
    expect(c.status().RssShmem).toBe(2 * K);
    expect(p.madvise(SLOT, M, MADV_REMOVE)).toBe(0);
    expect(c.status().RssShmem).toBe(K);
    expect(c.load(SLOT + 8 * K)).toBe(0);
    expect(check_mm(e.k, p.mm)).toEqual([]);
    expect(check_mm(e.k, c.mm)).toEqual([]);
  });

  it("-EINVAL for private anonymous memory (no file) and for VM_LOCKED; a read-only shared mapping is fine (VM_MAYWRITE)", () => {
    const { e, p } = setup();
    mmapFixed(p, SLOT, 2 * M);
    p.touch(SLOT, 2 * M, true);
    expect(p.madvise(SLOT, 2 * M, MADV_REMOVE)).toBe(-EINVAL);
    expect(vm(p).VmRSS).toBe(2 * K);
    mmapFixed(p, SLOT + 4 * M, 2 * M, { shared: true, prot: PROT_READ });
    p.touch(SLOT + 4 * M, 2 * M, false);
    expect(p.madvise(SLOT + 4 * M, M, MADV_REMOVE)).toBe(0);
    expect(p.status().RssShmem).toBe(K);
    p.mm.mm_mt.vma_lookup(SLOT + 4 * M)!.vm_flags |= VM_LOCKED; // as mlock() would
    expect(p.madvise(SLOT + 4 * M, 2 * M, MADV_REMOVE)).toBe(-EINVAL);
    // A shared VMA that may not be written (VM_MAYWRITE clear: a file opened read-only) is -EACCES.
    p.mm.mm_mt.vma_lookup(SLOT + 4 * M)!.vm_flags &= ~(VM_LOCKED | VM_MAYWRITE);
    expect(p.madvise(SLOT + 4 * M, 2 * M, MADV_REMOVE)).toBe(-EACCES);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("is an advice of every era", () => {
    for (const era of ["5.14", "5.18", "6.10", "6.18"] as const) expect(madvise_behavior_valid(MADV_REMOVE, era)).toBe(true);
  });
});

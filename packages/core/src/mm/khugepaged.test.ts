/**
 * MADV_COLLAPSE (madvise_collapse(), mm/khugepaged.ts). The figures are Linux
 * 6.18's on our machines (THP enabled=madvise, CONFIG_PT_RECLAIM=y): the host
 * corpus's collapse-*.wl record the same sequences, which the simulator matches
 * line for line. The mutants (set_collapse_mutant, and the other era) are the
 * plausible wrong implementations: each test that pins a figure fails under one.
 */
import { describe, expect, it } from "vitest";
import type { KernelEra } from "@mmsim/spec";
import { check_exit, check_mm } from "../check/invariants.js";
import { Engine, type Process } from "../engine.js";
import { VM_LOCKED } from "../pgtable/arch.js";
import { walk_pmd } from "../pgtable/walk.js";
import { arch } from "../test/arch.js";
import { K, M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { EAGAIN, EINVAL } from "./errno.js";
import { set_collapse_mutant, type CollapseMutant } from "./collapse_mutant.js";
import { MADV_COLLAPSE, MADV_DONTNEED, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_PAGEOUT, madvise_behavior_valid } from "./madvise.js";
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from "./madvise_guard.js";
import { PROT_READ } from "./mmap.js";

function setup(opts: { era?: KernelEra; mutant?: CollapseMutant } = {}) {
  const e = new Engine({ arch, era: opts.era ?? "6.18" });
  if (opts.mutant) set_collapse_mutant(e.k, opts.mutant);
  const p = e.spawn();
  return { e, p };
}

/** Whether a huge PMD maps `addr` (the model's /proc has no AnonHugePages line: this is what it counts). */
function pmd_mapped(e: Engine, p: Process, addr: number): boolean {
  const pmdp = walk_pmd(e.k, p.mm, addr);
  if (pmdp < 0) return false;
  const pmd = e.k.pt.get(pmdp);
  return !e.k.arch.pxd_none(pmd) && e.k.arch.pmd_trans_huge(pmd);
}

/** collapse-basic.wl: 4 MiB written, collapsed; the PTE tables are deposited, not freed. */
function basic(e: Engine, p: Process) {
  mmapFixed(p, SLOT, 4 * M);
  expect(p.touch(SLOT, 4 * M, true)).toBe("ok");
  const v = p.load(SLOT + 3 * M + 12 * K);
  const before = vm(p);
  expect(before).toEqual({ VmSize: 4 * K, VmRSS: 4 * K, VmPTE: 16 });
  expect(p.madvise(SLOT, 4 * M, MADV_COLLAPSE)).toBe(0);
  expect(vm(p)).toEqual(before);
  expect(pmd_mapped(e, p, SLOT) && pmd_mapped(e, p, SLOT + 2 * M)).toBe(true);
  expect(p.load(SLOT + 3 * M + 12 * K)).toBe(v);
  expect(check_mm(e.k, p.mm)).toEqual([]);
  // Collapsing again: each 2 MiB is SCAN_PMD_MAPPED, which counts as done.
  expect(p.madvise(SLOT, 4 * M, MADV_COLLAPSE)).toBe(0);
  // MADV_DONTNEED of a huge PMD frees its deposit: VmPTE -4 kB.
  expect(p.madvise(SLOT, 2 * M, MADV_DONTNEED)).toBe(0);
  expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 2 * K, VmPTE: 12 });
}

/** collapse-sparse.wl: 1 MiB written, 512 KiB read (zero page), the rest none; no MADV_HUGEPAGE. */
function sparse(e: Engine, p: Process) {
  mmapFixed(p, SLOT, 8 * M);
  p.touch(SLOT, M, true);
  p.touch(SLOT + M, 512 * K, false);
  expect(vm(p)).toEqual({ VmSize: 8 * K, VmRSS: K, VmPTE: 12 });
  expect(p.madvise(SLOT, 2 * M, MADV_COLLAPSE)).toBe(0);
  // Every none or zero-page PTE became a zeroed subpage: RSS +1 MiB, VmPTE as it was.
  expect(vm(p)).toEqual({ VmSize: 8 * K, VmRSS: 2 * K, VmPTE: 12 });
  expect(p.load(SLOT + M + 4 * K)).toBe(0);
  expect(check_mm(e.k, p.mm)).toEqual([]);
}

describe("MADV_COLLAPSE", () => {
  it("a written 4 MiB collapses into two THPs: RSS and VmPTE unchanged (the PTE tables are deposited), data kept", () => {
    const { e, p } = setup();
    basic(e, p);
    p.exit();
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("mutant: freeing the PTE table instead of depositing it is caught (VmPTE drops)", () => {
    const { e, p } = setup({ mutant: "free-pgtable" });
    expect(() => basic(e, p)).toThrow();
  });

  it("without MADV_HUGEPAGE (enabled=madvise), and with THP never: none and zero-page PTEs become zeroed subpages (RSS +1 MiB)", () => {
    const a = setup();
    sparse(a.e, a.p);
    const b = setup();
    b.p.set_thp("never");
    sparse(b.e, b.p);
  });

  it("mutant: honouring the THP sysfs setting (TVA_ENFORCE_SYSFS) is caught", () => {
    const { e, p } = setup({ mutant: "enforce-sysfs" });
    expect(() => sparse(e, p)).toThrow();
  });

  it("6.18: a range only read (zero-page PTEs) or mprotect()ed read-only collapses; 6.10: -EINVAL (SCAN_PAGE_RO: no writable PTE)", () => {
    for (const era of ["6.18", "6.10"] as const) {
      const { e, p } = setup({ era });
      const want = era === "6.18" ? 0 : -EINVAL;
      mmapFixed(p, SLOT, 4 * M);
      // A VMA only read has no anon_vma (the zero page needs none): -EINVAL in every era.
      p.touch(SLOT, 2 * M, false);
      expect(p.madvise(SLOT, 2 * M, MADV_COLLAPSE)).toBe(-EINVAL);
      p.touch(SLOT + 2 * M, 4 * K, true);
      expect(p.madvise(SLOT, 2 * M, MADV_COLLAPSE)).toBe(want);
      expect(vm(p).VmRSS).toBe(want ? 4 : 2 * K + 4);
      expect(p.mprotect(SLOT + 2 * M, 2 * M, PROT_READ)).toBe(0);
      expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_COLLAPSE)).toBe(want);
      expect(pmd_mapped(e, p, SLOT + 2 * M)).toBe(want === 0);
      expect(check_mm(e.k, p.mm)).toEqual([]);
    }
  });

  it("-EINVAL: VM_NOHUGEPAGE, a VMA never faulted (no anon_vma), one smaller than 2 MiB; a range inside one 2 MiB; 0 for an empty aligned one", () => {
    const { e, p } = setup();
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    expect(p.madvise(SLOT, 4 * M, MADV_NOHUGEPAGE)).toBe(0);
    expect(p.madvise(SLOT, 4 * M, MADV_COLLAPSE)).toBe(-EINVAL);
    mmapFixed(p, SLOT + 8 * M, 4 * M);
    expect(p.madvise(SLOT + 8 * M, 4 * M, MADV_COLLAPSE)).toBe(-EINVAL);
    mmapFixed(p, SLOT + 16 * M, M);
    p.touch(SLOT + 16 * M, M, true);
    expect(p.madvise(SLOT + 16 * M, M, MADV_COLLAPSE)).toBe(-EINVAL);
    mmapFixed(p, SLOT + 32 * M, 4 * M);
    p.touch(SLOT + 32 * M, 4 * M, true);
    // hend < hstart: the unsigned difference is huge, thps (0) is not it.
    expect(p.madvise(SLOT + 32 * M + 4 * K, 8 * K, MADV_COLLAPSE)).toBe(-EINVAL);
    // hstart == hend: no 2 MiB to collapse, 0 of 0 done.
    expect(p.madvise(SLOT + 34 * M, 4 * K, MADV_COLLAPSE)).toBe(0);
    expect(pmd_mapped(e, p, SLOT + 32 * M) || pmd_mapped(e, p, SLOT + 34 * M)).toBe(false);
    // VM_LOCKED does not matter (no madvise_collapse check).
    p.mm.mm_mt.vma_lookup(SLOT + 32 * M)!.vm_flags |= VM_LOCKED;
    expect(p.madvise(SLOT + 32 * M, 4 * M, MADV_COLLAPSE)).toBe(0);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("a 2 MiB without a PTE table, or with a guard marker, stops the walk (-EINVAL, the next 2 MiB stays as it is); a pinned page does not", () => {
    const { e, p } = setup();
    mmapFixed(p, SLOT, 8 * M);
    p.touch(SLOT + 6 * M, 4 * K, true);
    expect(p.madvise(SLOT + 4 * M, 4 * M, MADV_COLLAPSE)).toBe(-EINVAL); // SCAN_PMD_NONE
    expect(pmd_mapped(e, p, SLOT + 6 * M)).toBe(false);
    expect(vm(p).VmRSS).toBe(4);
    // collapse-guard.wl: the swap-in's do_swap_page() fails on the marker (SCAN_FAIL).
    p.touch(SLOT, 2 * M, true);
    expect(p.madvise(SLOT + 4 * K, 4 * K, MADV_GUARD_INSTALL)).toBe(0);
    p.touch(SLOT + 2 * M, 4 * K, true);
    expect(p.madvise(SLOT, 4 * M, MADV_COLLAPSE)).toBe(-EINVAL);
    expect(pmd_mapped(e, p, SLOT) || pmd_mapped(e, p, SLOT + 2 * M)).toBe(false);
    expect(vm(p).VmRSS).toBe(2 * K + 4);
    expect(p.madvise(SLOT + 4 * K, 4 * K, MADV_GUARD_REMOVE)).toBe(0);
    expect(p.madvise(SLOT, 4 * M, MADV_COLLAPSE)).toBe(0);
    expect(vm(p).VmRSS).toBe(4 * K + 4);
    // SCAN_PAGE_COUNT is whitelisted: the walk goes on (and the answer is -EAGAIN).
    p.touch(SLOT + 4 * M, 4 * K, true);
    const pfn = e.k.arch.pte_pfn(e.k.pt.get(e.k.pt.entry(e.k.arch.pxd_pfn(e.k.pt.get(walk_pmd(e.k, p.mm, SLOT + 4 * M))), 0)));
    e.k.frames.add_refcount(pfn, 1);
    expect(p.madvise(SLOT + 4 * M, 4 * M, MADV_COLLAPSE)).toBe(-EAGAIN);
    expect(pmd_mapped(e, p, SLOT + 4 * M)).toBe(false);
    expect(pmd_mapped(e, p, SLOT + 6 * M)).toBe(true);
    e.k.frames.add_refcount(pfn, -1);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("swap entries are swapped in first (collapse-swap.wl: RSS +64 kB, VmSwap -64 kB), then the 2 MiB collapses", () => {
    const { e, p } = setup();
    expect(p.swapon(64 * M)).toBe(0);
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    const v = p.load(SLOT + 8 * K);
    expect(p.madvise(SLOT, 64 * K, MADV_PAGEOUT)).toBe(0);
    expect(p.status().VmSwap).toBe(64);
    expect(vm(p).VmRSS).toBe(4 * K - 64);
    expect(p.madvise(SLOT, 4 * M, MADV_COLLAPSE)).toBe(0);
    expect(p.status().VmSwap).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 4 * K, VmPTE: 16 });
    expect(pmd_mapped(e, p, SLOT)).toBe(true);
    expect(p.load(SLOT + 8 * K)).toBe(v);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("a THP already PMD-mapped counts as done; one PTE-mapped after a partial MADV_DONTNEED collapses back (RSS +4 kB, the old folio freed)", () => {
    const { e, p } = setup();
    mmapFixed(p, SLOT, 4 * M);
    expect(p.madvise(SLOT, 4 * M, MADV_HUGEPAGE)).toBe(0);
    p.touch(SLOT, 4 * M, true);
    expect(p.madvise(SLOT, 4 * M, MADV_COLLAPSE)).toBe(0);
    const used = e.k.frames.nr_used;
    expect(p.madvise(SLOT + 4 * K, 4 * K, MADV_DONTNEED)).toBe(0);
    expect(pmd_mapped(e, p, SLOT)).toBe(false);
    expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 4 * K - 4, VmPTE: 16 });
    expect(p.madvise(SLOT, 4 * M, MADV_COLLAPSE)).toBe(0);
    expect(pmd_mapped(e, p, SLOT)).toBe(true);
    expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 4 * K, VmPTE: 16 });
    expect(e.k.frames.nr_used).toBe(used);
    expect(p.load(SLOT + 4 * K)).toBe(0);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("pages shared with a forked child collapse in the parent (no max_ptes_shared for MADV_COLLAPSE); the child keeps its small pages", () => {
    const { e, p } = setup();
    mmapFixed(p, SLOT, 2 * M);
    p.touch(SLOT, 2 * M, true);
    const v = p.load(SLOT + 8 * K);
    const c = p.fork();
    expect(p.madvise(SLOT, 2 * M, MADV_COLLAPSE)).toBe(0);
    expect(pmd_mapped(e, p, SLOT)).toBe(true);
    expect(pmd_mapped(e, c, SLOT)).toBe(false);
    expect(p.load(SLOT + 8 * K)).toBe(v);
    expect(c.load(SLOT + 8 * K)).toBe(v);
    expect(vm(c).VmRSS).toBe(2 * K);
    expect(check_mm(e.k, p.mm)).toEqual([]);
    expect(check_mm(e.k, c.mm)).toEqual([]);
    // A write in the parent goes to its THP, not to the child's page.
    p.touch(SLOT + 8 * K, 4 * K, true);
    expect(c.load(SLOT + 8 * K)).toBe(v);
  });

  it("a page with a reference beyond its mappings (a GUP pin) is -EAGAIN (SCAN_PAGE_COUNT), the range left as it was", () => {
    const { e, p } = setup();
    mmapFixed(p, SLOT, 2 * M);
    p.touch(SLOT, 2 * M, true);
    const pmdp = walk_pmd(e.k, p.mm, SLOT);
    const pte = e.k.pt.get(e.k.pt.entry(e.k.arch.pxd_pfn(e.k.pt.get(pmdp)), 5));
    const pfn = e.k.arch.pte_pfn(pte);
    e.k.frames.add_refcount(pfn, 1); // as pin_user_pages() would
    expect(p.madvise(SLOT, 2 * M, MADV_COLLAPSE)).toBe(-EAGAIN);
    expect(pmd_mapped(e, p, SLOT)).toBe(false);
    expect(vm(p)).toEqual({ VmSize: 2 * K, VmRSS: 2 * K, VmPTE: 12 });
    e.k.frames.add_refcount(pfn, -1);
    expect(p.madvise(SLOT, 2 * M, MADV_COLLAPSE)).toBe(0);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("is an advice of 6.1+ (the 6.10 and 6.18 eras): -EINVAL in 5.14 and 5.18", () => {
    expect(madvise_behavior_valid(MADV_COLLAPSE, "5.14")).toBe(false);
    expect(madvise_behavior_valid(MADV_COLLAPSE, "5.18")).toBe(false);
    expect(madvise_behavior_valid(MADV_COLLAPSE, "6.10")).toBe(true);
    const { p } = setup({ era: "5.18" });
    mmapFixed(p, SLOT, 2 * M);
    p.touch(SLOT, 2 * M, true);
    expect(p.madvise(SLOT, 2 * M, MADV_COLLAPSE)).toBe(-EINVAL);
  });

  it("a shared (shmem) mapping is -EINVAL (model difference: Linux collapses its page cache)", () => {
    const { p } = setup();
    mmapFixed(p, SLOT, 2 * M, { shared: true });
    p.touch(SLOT, 2 * M, true);
    expect(p.madvise(SLOT, 2 * M, MADV_COLLAPSE)).toBe(-EINVAL);
  });
});

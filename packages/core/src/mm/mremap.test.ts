/** Process.mremap(): shrink, expand in place, move with move_page_tables, as Linux does. */
import { describe, expect, it } from "vitest";
import { check_mm } from "../check/invariants.js";
import { engine } from "../test/arch.js";
import { G, K, M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { EFAULT, EINVAL, ENOMEM } from "./errno.js";
import { MADV_HUGEPAGE } from "./madvise.js";
import { MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE } from "./mremap.js";
import { walk_page_range } from "./pagewalk.js";
import type { Process } from "../engine.js";

/** Present pages (a huge PMD counts once) in [start, end). */
function present(p: Process, start: number, end: number): number {
  let n = 0;
  walk_page_range(p.k, p.mm, start, end, {
    pte_entry: (pte) => void (!p.k.arch.pte_none(pte) && p.k.arch.pte_present(pte) && n++),
    pmd_entry: () => void n++,
  });
  return n;
}

describe("mremap", () => {
  it("moves a 2 MiB-aligned mapping by whole PTE tables (move_normal_pmd): no table allocated below the PMD, the data goes along", () => {
    const e = engine();
    const p = e.spawn();
    const r = SLOT;
    mmapFixed(p, r, 8 * M);
    mmapFixed(p, r + 8 * M, 4 * K, { shared: true }); // no room to grow in place
    for (let off = 0; off < 8 * M; off += 256 * K) p.access(r + off, true);
    const values = Array.from({ length: 32 }, (_, i) => p.load(r + i * 256 * K));
    const before = vm(p);
    const ptes = p.mm.counters.pgtables_allocated[0];
    const n = p.mremap(r, 8 * M, 32 * M, MREMAP_MAYMOVE);
    expect(n).toBeGreaterThan(0);
    expect(n % (2 * M)).toBe(0);
    expect(n).not.toBe(r);
    expect(p.mm.counters.pgtables_allocated[0]).toBe(ptes);
    expect(present(p, n, n + 8 * M)).toBe(32);
    expect(Array.from({ length: 32 }, (_, i) => p.load(n + i * 256 * K))).toEqual(values);
    // The 4 PTE tables moved under a new PUD and PMD below mmap_base; the old PUD and PMD stay for the
    // shared page's VMA above the old range (free_pgtables' ceiling).
    expect(before.VmPTE).toBe(24);
    expect(vm(p)).toEqual({ VmSize: 32 * K + 4, VmRSS: before.VmRSS, VmPTE: 32 });
    expect(p.mm.mm_mt.vma_lookup(r)).toBeNull();
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("moves entry by entry when the addresses are not congruent (move_ptes), and frees the old tables with the old range", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.access(SLOT, true);
    p.access(SLOT + 8 * K, false);
    const dst = SLOT + G + 12 * K;
    expect(p.mremap(SLOT, 64 * K, 64 * K, MREMAP_MAYMOVE | MREMAP_FIXED, dst)).toBe(dst);
    expect(present(p, dst, dst + 64 * K)).toBe(2);
    // One PUD (the old PMD and PTE tables went with munmap), a PMD and a PTE table in the new GiB.
    expect(vm(p)).toEqual({ VmSize: 64, VmRSS: 4, VmPTE: 12 });
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("moves a THP with its deposit (move_huge_pmd)", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.madvise(SLOT, 2 * M, MADV_HUGEPAGE);
    p.access(SLOT, true);
    expect(p.mremap(SLOT, 2 * M, 2 * M, MREMAP_MAYMOVE | MREMAP_FIXED, SLOT + 64 * M)).toBe(SLOT + 64 * M);
    expect(vm(p)).toEqual({ VmSize: 2 * K, VmRSS: 2 * K, VmPTE: 12 });
    expect(present(p, SLOT + 64 * M, SLOT + 66 * M)).toBe(1);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("expands in place when the range after the VMA is free; shrinks by unmapping the tail", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 2 * M);
    expect(p.mremap(SLOT, 2 * M, 4 * M, 0)).toBe(SLOT);
    expect(p.access(SLOT + 3 * M, true)).toBe("ok");
    expect(p.mm.map_count).toBe(1);
    expect(vm(p)).toEqual({ VmSize: 4 * K, VmRSS: 4, VmPTE: 12 });
    expect(p.mremap(SLOT, 4 * M, 1 * M, 0)).toBe(SLOT);
    // The tail's PTE table goes; the PUD and PMD stay for the VMA left (free_pgtables' floor and ceiling).
    expect(vm(p)).toEqual({ VmSize: 1 * K, VmRSS: 0, VmPTE: 8 });
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("cannot grow over a neighbour without MREMAP_MAYMOVE (-ENOMEM); with it, moves", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    mmapFixed(p, SLOT + 2 * M, 4 * K, { shared: true });
    expect(p.mremap(SLOT, 2 * M, 4 * M, 0)).toBe(-ENOMEM);
    const n = p.mremap(SLOT, 2 * M, 4 * M, MREMAP_MAYMOVE);
    expect(n).not.toBe(SLOT);
    expect(p.mm.mm_mt.vma_lookup(n)!.vm_end).toBe(n + 4 * M);
  });

  it("MREMAP_FIXED replaces what is mapped at the destination; MREMAP_DONTUNMAP keeps the old VMA, empty", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.access(SLOT, true);
    mmapFixed(p, SLOT + M, 64 * K);
    expect(p.mremap(SLOT, 64 * K, 64 * K, MREMAP_MAYMOVE | MREMAP_FIXED, SLOT + M)).toBe(SLOT + M);
    expect(p.mm.map_count).toBe(1);
    const d = p.mremap(SLOT + M, 64 * K, 64 * K, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
    expect(d).toBeGreaterThan(0);
    expect(p.mm.mm_mt.vma_lookup(SLOT + M)).not.toBeNull();
    expect(present(p, SLOT + M, SLOT + M + 64 * K)).toBe(0);
    expect(present(p, d, d + 64 * K)).toBe(1);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("returns Linux's errno for bad arguments", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 64 * K);
    expect(p.mremap(SLOT, 64 * K, 128 * K, 8)).toBe(-EINVAL);
    expect(p.mremap(SLOT, 64 * K, 128 * K, MREMAP_FIXED, SLOT + M)).toBe(-EINVAL);
    expect(p.mremap(SLOT, 64 * K, 128 * K, MREMAP_MAYMOVE | MREMAP_DONTUNMAP)).toBe(-EINVAL);
    expect(p.mremap(SLOT + 1, 64 * K, 128 * K, MREMAP_MAYMOVE)).toBe(-EINVAL);
    expect(p.mremap(SLOT, 64 * K, 0, MREMAP_MAYMOVE)).toBe(-EINVAL);
    expect(p.mremap(SLOT + M, 4 * K, 8 * K, MREMAP_MAYMOVE)).toBe(-EFAULT);
    expect(p.mremap(SLOT, 128 * K, 256 * K, MREMAP_MAYMOVE)).toBe(-EFAULT);
    expect(p.mremap(SLOT, 64 * K, 64 * K, MREMAP_MAYMOVE | MREMAP_FIXED, SLOT + 32 * K)).toBe(-EINVAL); // overlap
    expect(p.mremap(SLOT, 0, 64 * K, MREMAP_MAYMOVE)).toBe(-EINVAL); // old_len 0 of a private mapping
    expect(p.mremap(SLOT, 64 * K, 64 * K, 0)).toBe(SLOT);
  });
});

describe("walk_page_range", () => {
  it("visits PTEs of present tables and huge PMDs, VMA by VMA, and reports holes", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.madvise(SLOT + 2 * M, 2 * M, MADV_HUGEPAGE);
    p.access(SLOT + 4 * K, true);
    p.access(SLOT + 2 * M, true);
    const holes: number[] = [];
    let ptes = 0;
    let huge = 0;
    walk_page_range(p.k, p.mm, SLOT - 4 * K, SLOT + 8 * M, {
      pte_entry: () => void ptes++,
      pmd_entry: () => void huge++,
      pte_hole: (_s, _e, depth) => void holes.push(depth),
    });
    expect([ptes, huge]).toEqual([512, 1]);
    expect(holes).toEqual([-1, -1]);
    expect(present(p, SLOT, SLOT + 4 * M)).toBe(2);
  });
});

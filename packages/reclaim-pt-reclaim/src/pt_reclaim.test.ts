/**
 * CONFIG_PT_RECLAIM behaviour, against the real kernel's figures where we have them
 * (shared/notes/linux-observations.md) and the rules of mm/pt_reclaim.c.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MADV_DONTNEED, MADV_FREE, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, type Process } from "@mmsim/core";
import { check_exit, check_mm, walk_pmd } from "@mmsim/core/check";
import { builtinScript, runScript } from "@mmsim/core/workload";
import { describe, expect, it } from "vitest";
import { ptReclaim } from "./index.js";

const K = 1024;
const M = 1024 * K;
const G = 1024 * M;
const SLOT = 0x200000000000;

function proc(): { e: Engine; p: Process } {
  const e = new Engine({ arch: x86_64(), reclaim: ptReclaim() });
  return { e, p: e.spawn() };
}
const map = (p: Process, addr: number, len: number) => p.mmap(addr, len, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
const pte = (p: Process) => p.status().VmPTE;

describe("pt-reclaim", () => {
  it("measured: MADV_DONTNEED over 3G written every 2M leaves 16 kB (3 PMD + 1 PUD tables)", () => {
    const { e, p } = proc();
    map(p, SLOT, 3 * G);
    p.touch(SLOT, 3 * G, true, 2 * M);
    expect(pte(p)).toBe(6160);
    expect(p.madvise(SLOT, 3 * G, MADV_DONTNEED)).toBe(0);
    expect(pte(p)).toBe(16);
    expect(p.mm.counters.pte_tables_reclaimed).toBe(1536);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("the seed loop keeps only the upper-level tables", () => {
    const { p } = proc();
    const r = runScript(builtinScript("seed-small")!, p);
    expect(r.lines).toEqual(["before dVmSize=0 dVmRSS=0 dVmPTE=0", "after dVmSize=0 dVmRSS=0 dVmPTE=12"]);
  });

  it("a partly covered 2 MiB slice is not a candidate (reclaim_pt_is_enabled: end - start >= PMD_SIZE)", () => {
    const { p } = proc();
    map(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    expect(pte(p)).toBe(16); // 2 PTE + PMD + PUD
    p.madvise(SLOT + 1 * M, 2 * M, MADV_DONTNEED); // covers half of each slice
    expect(pte(p)).toBe(16);
    p.madvise(SLOT, 2 * M, MADV_DONTNEED);
    expect(pte(p)).toBe(12);
  });

  it("a slice clipped by the VMA end is not a candidate, even if the rest is unmapped", () => {
    const { p } = proc();
    map(p, SLOT, 2 * M - 4 * K);
    p.touch(SLOT, 2 * M - 4 * K, true);
    p.madvise(SLOT, 2 * M - 4 * K, MADV_DONTNEED);
    expect(pte(p)).toBe(12);
  });

  it("a slice spanning two VMAs is zapped per VMA, so neither zap covers it", () => {
    const { p } = proc();
    map(p, SLOT, 1 * M);
    expect(p.mprotect(SLOT + 512 * K, 512 * K, 1)).toBe(0);
    p.touch(SLOT, 512 * K, true);
    expect(p.madvise(SLOT, 1 * M, MADV_DONTNEED)).toBe(0);
    expect(pte(p)).toBe(12);
  });

  it("MADV_FREE and munmap do not use this path (munmap frees through free_pgtables)", () => {
    const { p } = proc();
    map(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    p.madvise(SLOT, 4 * M, MADV_FREE);
    expect(pte(p)).toBe(16);
    expect(p.mm.counters.pte_tables_reclaimed).toBe(0);
    p.munmap(SLOT, 4 * M);
    expect(pte(p)).toBe(0);
    expect(p.mm.counters.pte_tables_reclaimed).toBe(0);
  });

  it("frees the table page only after the TLB flush and an RCU grace period", () => {
    const { e, p } = proc();
    const k = e.k;
    map(p, SLOT, 2 * M);
    p.touch(SLOT, 2 * M, true);
    const pmdp = walk_pmd(k, p.mm, SLOT);
    const table = k.arch.pxd_pfn(k.pt.get(pmdp));
    // A lockless walker on another CPU is inside rcu_read_lock() (pte_offset_map).
    const walker = k.new_task(p.mm, 1, "walker");
    walker.rcu_read_depth = 1;
    const flushes = k.tlb.counters.full + k.tlb.counters.ranged;
    expect(p.madvise(SLOT, 2 * M, MADV_DONTNEED)).toBe(0);
    expect(k.arch.pxd_none(k.pt.get(pmdp))).toBe(true); // unlinked
    expect(pte(p)).toBe(8); // nr_ptes already decremented
    expect(k.tlb.counters.full + k.tlb.counters.ranged).toBe(flushes + 1); // flushed with freed_tables
    expect(k.tlb.counters.ipis).toBe(1); // the walker's CPU is in mm_cpumask: freed_tables IPIs it
    expect(k.pt.is_table(table)).toBe(true); // still a valid (empty, detached) table for the walker
    k.rcu.rcu_poll();
    expect(k.pt.is_table(table)).toBe(true);
    walker.rcu_read_depth = 0;
    k.rcu.reader_exit(walker);
    k.rcu.rcu_poll();
    expect(k.pt.is_table(table)).toBe(false);
    expect(k.counters.tables_freed_rcu).toBe(1);
  });

  it("takes the slow path (rescan under both locks) when the PTE lock was dropped midway (force_break)", () => {
    const { e, p } = proc();
    map(p, SLOT, 64 * M);
    p.touch(SLOT, 64 * M, true);
    // 16384 pages overflow the mmu_gather batches (~9.7k pages): zap_pte_range breaks out, drops the PTL, retries.
    expect(p.madvise(SLOT, 64 * M, MADV_DONTNEED)).toBe(0);
    expect(p.mm.counters.pte_tables_reclaimed).toBe(32);
    expect(pte(p)).toBe(8);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("leaves nothing behind at exit", () => {
    const { e, p } = proc();
    runScript(builtinScript("seed-small")!, p);
    p.exit();
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });
});

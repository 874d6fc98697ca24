import { describe, expect, it } from "vitest";
import { flush_tlb_mm_range, TLB_FLUSH_ALL } from "./tlb.js";
import type { TlbFlushTarget } from "@mmsim/spec";

type Call = string;

function fake(cpus: { cpu: number; lazy: boolean }[]) {
  const calls: Call[] = [];
  const counts: [string, number][] = [];
  const mm = { id: "mm" };
  const target: TlbFlushTarget = {
    mm_cpus(m) {
      expect(m).toBe(mm);
      return cpus;
    },
    flush_range(cpu, m, start, end, stride_shift) {
      expect(m).toBe(mm);
      calls.push(`range ${cpu} ${start.toString(16)}-${end.toString(16)} >>${stride_shift}`);
    },
    flush_all(cpu, m) {
      expect(m).toBe(mm);
      calls.push(`all ${cpu}`);
    },
    count(kind, ipis) {
      counts.push([kind, ipis]);
    },
  };
  return { target, calls, counts, mm };
}

const CPUS = [
  { cpu: 2, lazy: false }, // local
  { cpu: 0, lazy: false },
  { cpu: 5, lazy: true },
  { cpu: 7, lazy: false },
];

/* A start above 2^32 so that shifting instead of dividing would be caught. */
const BASE = 0x7f12_3456_7000;

describe("flush_tlb_mm_range", () => {
  it("flushes up to 33 pages page by page", () => {
    const f = fake(CPUS);
    flush_tlb_mm_range(f.target, f.mm, BASE, BASE + 33 * 4096, 12, false);
    expect(f.calls).toEqual([
      `range 2 ${BASE.toString(16)}-${(BASE + 33 * 4096).toString(16)} >>12`,
      `range 0 ${BASE.toString(16)}-${(BASE + 33 * 4096).toString(16)} >>12`,
      `range 7 ${BASE.toString(16)}-${(BASE + 33 * 4096).toString(16)} >>12`,
    ]);
    expect(f.counts).toEqual([["ranged", 2]]);
  });

  it("turns 34 pages into a full flush", () => {
    const f = fake(CPUS);
    flush_tlb_mm_range(f.target, f.mm, BASE, BASE + 34 * 4096, 12, false);
    expect(f.calls).toEqual(["all 2", "all 0", "all 7"]);
    expect(f.counts).toEqual([["full", 2]]);
  });

  it("counts entries of 1 << stride_shift, not pages", () => {
    const f = fake(CPUS.slice(0, 1));
    flush_tlb_mm_range(f.target, f.mm, BASE, BASE + 33 * 2 ** 21, 21, false);
    expect(f.counts).toEqual([["ranged", 0]]);
    flush_tlb_mm_range(f.target, f.mm, BASE, BASE + 34 * 2 ** 21, 21, false);
    expect(f.counts[1]).toEqual(["full", 0]);
    // 64 PTE-sized pages at stride 21 are under one entry: ranged.
    flush_tlb_mm_range(f.target, f.mm, 0, 64 * 4096, 21, false);
    expect(f.counts[2]).toEqual(["ranged", 0]);
  });

  it("TLB_FLUSH_ALL / Infinity and a reversed range are full flushes", () => {
    const f = fake(CPUS.slice(0, 2));
    flush_tlb_mm_range(f.target, f.mm, 0, TLB_FLUSH_ALL, 12, false);
    flush_tlb_mm_range(f.target, f.mm, Infinity, Infinity, 12, false);
    flush_tlb_mm_range(f.target, f.mm, BASE + 4096, BASE, 12, false);
    expect(f.counts).toEqual([
      ["full", 1],
      ["full", 1],
      ["full", 1],
    ]);
    expect(f.calls).toEqual(["all 2", "all 0", "all 2", "all 0", "all 2", "all 0"]);
  });

  it("skips lazy-TLB CPUs unless page tables were freed", () => {
    const f = fake(CPUS);
    flush_tlb_mm_range(f.target, f.mm, BASE, BASE + 4096, 12, false);
    expect(f.calls.map((c) => c.split(" ")[1])).toEqual(["2", "0", "7"]);
    expect(f.counts).toEqual([["ranged", 2]]);

    const g = fake(CPUS);
    flush_tlb_mm_range(g.target, g.mm, BASE, BASE + 4096, 12, true);
    expect(g.calls.map((c) => c.split(" ")[1])).toEqual(["2", "0", "5", "7"]);
    expect(g.counts).toEqual([["ranged", 3]]);

    const h = fake(CPUS);
    flush_tlb_mm_range(h.target, h.mm, 0, Infinity, 12, true);
    expect(h.calls).toEqual(["all 2", "all 0", "all 5", "all 7"]);
    expect(h.counts).toEqual([["full", 3]]);
  });

  it("does not count the local CPU (entry 0) as an IPI, even when it is lazy and skipped", () => {
    const f = fake([{ cpu: 1, lazy: false }]);
    flush_tlb_mm_range(f.target, f.mm, 0, 4096, 12, false);
    expect(f.counts).toEqual([["ranged", 0]]);
    const g = fake([
      { cpu: 1, lazy: true },
      { cpu: 3, lazy: false },
    ]);
    flush_tlb_mm_range(g.target, g.mm, 0, 4096, 12, false);
    expect(g.calls).toEqual(["range 3 0-1000 >>12"]);
    expect(g.counts).toEqual([["ranged", 1]]);
    const e = fake([]);
    flush_tlb_mm_range(e.target, e.mm, 0, 4096, 12, false);
    expect(e.calls).toEqual([]);
    expect(e.counts).toEqual([["ranged", 0]]);
  });
});

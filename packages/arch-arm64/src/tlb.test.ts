/**
 * The flush policy: broadcast TLBI reaches every CPU of the mm, lazy-TLB ones
 * too, with no IPI; leaf-only (VALE1IS) unless tables were freed; by ASID past
 * MAX_DVM_OPS strides; flush_tlb_range() is never leaf-only. Each property has a
 * mutant (x86's policy, a leaf-only flush_tlb_range, the wrong ceiling) that the
 * same check rejects.
 */
import { describe, expect, it } from "vitest";
import type { Arch, TableFreeTarget, TlbFlushTarget } from "@mmsim/spec";
import { MAX_DVM_OPS, flush_tlb_mm_range, flush_tlb_range } from "./tlb.js";
import { __pte_free_tlb, pte_free_defer } from "./pgalloc.js";
import { PAGE_SHIFT } from "./pgtable_hwdef.js";

type Call = { op: "range" | "all"; cpu: number; last_level?: boolean; start?: number; end?: number };

function recorder(cpus: { cpu: number; lazy: boolean }[]) {
  const calls: Call[] = [];
  const counted: { kind: string; ipis: number }[] = [];
  const target: TlbFlushTarget = {
    mm_cpus: () => cpus,
    flush_range: (cpu, _mm, start, end, _s, last_level) => calls.push({ op: "range", cpu, start, end, last_level: last_level ?? false }),
    flush_all: (cpu) => calls.push({ op: "all", cpu }),
    count: (kind, ipis) => counted.push({ kind, ipis }),
  };
  return { target, calls, counted };
}

type Flush = Arch["flush_tlb_mm_range"];
type Range = Arch["flush_tlb_range"];

/** The arm64 rules; returns what a flush implementation breaks. */
function violations(flush: Flush, range: Range): string[] {
  const out: string[] = [];
  const cpus = [
    { cpu: 0, lazy: false },
    { cpu: 1, lazy: false },
    { cpu: 2, lazy: true },
  ];
  const r = recorder(cpus);
  flush(r.target, {}, 0x200000, 0x201000, PAGE_SHIFT, false);
  if (!cpus.every((c) => r.calls.some((x) => x.cpu === c.cpu))) out.push("a CPU (lazy-TLB?) was not reached");
  if (r.counted.some((c) => c.ipis !== 0)) out.push("IPIs counted for a broadcast TLBI");
  if (!r.calls.every((c) => c.op === "range" && c.last_level === true)) out.push("a flush without freed tables is not leaf-only (VALE1IS)");
  const f = recorder(cpus);
  flush(f.target, {}, 0x200000, 0x201000, PAGE_SHIFT, true);
  if (!f.calls.every((c) => c.op === "range" && c.last_level === false)) out.push("freed tables: the walk cache must go (VAE1IS)");
  const big = recorder(cpus);
  flush(big.target, {}, 0, MAX_DVM_OPS * 4096, PAGE_SHIFT, false);
  if (!big.calls.every((c) => c.op === "all") || big.counted[0].kind !== "full") out.push("MAX_DVM_OPS strides are not flushed by ASID");
  const below = recorder(cpus);
  flush(below.target, {}, 0, (MAX_DVM_OPS - 1) * 4096, PAGE_SHIFT, false);
  if (!below.calls.every((c) => c.op === "range")) out.push("MAX_DVM_OPS - 1 strides are flushed by ASID");
  const fr = range(0);
  if (fr.stride_shift !== PAGE_SHIFT || fr.freed_tables !== true) out.push("flush_tlb_range() must not be leaf-only");
  return out;
}

describe("arm64 flush_tlb_mm_range / flush_tlb_range", () => {
  it("follow the arm64 rules", () => {
    expect(violations(flush_tlb_mm_range, flush_tlb_range)).toEqual([]);
  });

  it("mutant: x86's policy (skip lazy-TLB CPUs, IPIs) is rejected", () => {
    const x86ish: Flush = (t, mm, s, e, ss, freed) => {
      const cpus = t.mm_cpus(mm);
      let ipis = 0;
      cpus.forEach((c, i) => {
        if (c.lazy && !freed) return;
        t.flush_range(c.cpu, mm, s, e, ss);
        if (i) ipis++;
      });
      t.count("ranged", ipis);
    };
    expect(violations(x86ish, flush_tlb_range)).toEqual(
      expect.arrayContaining(["a CPU (lazy-TLB?) was not reached", "IPIs counted for a broadcast TLBI", "a flush without freed tables is not leaf-only (VALE1IS)"]),
    );
  });

  it("mutant: a leaf-only flush_tlb_range() is rejected", () => {
    expect(violations(flush_tlb_mm_range, () => ({ stride_shift: PAGE_SHIFT, freed_tables: false }))).toEqual(["flush_tlb_range() must not be leaf-only"]);
  });

  it("mutant: x86's ceiling (33 pages) is rejected", () => {
    const ceiling33: Flush = (t, mm, s, e, ss, freed) =>
      e - s > 33 * 4096 ? (t.mm_cpus(mm).forEach((c) => t.flush_all(c.cpu, mm)), t.count("full", 0)) : flush_tlb_mm_range(t, mm, s, e, ss, freed);
    expect(violations(ceiling33, flush_tlb_range)).toEqual(["MAX_DVM_OPS - 1 strides are flushed by ASID"]);
  });

  it("rounds the range to the stride and treats TLB_FLUSH_ALL as a full flush", () => {
    const r = recorder([{ cpu: 0, lazy: false }]);
    flush_tlb_mm_range(r.target, {}, 0x200000 + 4096, 0x400000 - 4096, 21, true);
    expect(r.calls).toEqual([{ op: "range", cpu: 0, start: 0x200000, end: 0x400000, last_level: false }]);
    const a = recorder([{ cpu: 0, lazy: false }]);
    flush_tlb_mm_range(a.target, {}, 0, Infinity, 12, false);
    expect(a.calls).toEqual([{ op: "all", cpu: 0 }]);
  });
});

describe("table freeing", () => {
  function target() {
    const log: string[] = [];
    const rcu: (() => void)[] = [];
    const t: TableFreeTarget = {
      tlb_remove_table: (pfn) => log.push(`tlb_remove_table ${pfn}`),
      call_rcu: (f) => rcu.push(f),
      pte_free_now: (pfn) => log.push(`pte_free_now ${pfn}`),
    };
    return { t, log, rcu };
  }
  it("__pte_free_tlb hands the table to the gather (tlb_remove_ptdesc → tlb_remove_table)", () => {
    const { t, log } = target();
    __pte_free_tlb(t, 5);
    expect(log).toEqual(["tlb_remove_table 5"]);
  });
  it("pte_free_defer frees after a grace period, not before", () => {
    const { t, log, rcu } = target();
    pte_free_defer(t, 6);
    expect(log).toEqual([]);
    rcu.forEach((f) => f());
    expect(log).toEqual(["pte_free_now 6"]);
  });
});

import type { TableFreeTarget } from "@mmsim/spec";
import { describe, expect, it } from "vitest";
import { x86_64 } from "./index.js";

/** A TableFreeTarget that records what the arch asked for. */
function recorder() {
  const log: string[] = [];
  const rcu: (() => void)[] = [];
  const target: TableFreeTarget = {
    tlb_remove_table: (pfn) => log.push(`tlb_remove_table ${pfn}`),
    call_rcu: (f) => {
      log.push("call_rcu");
      rcu.push(f);
    },
    pte_free_now: (pfn) => log.push(`pte_free_now ${pfn}`),
  };
  return { log, rcu, target };
}

describe("x86 page-table freeing", () => {
  const a = x86_64();

  it("selects MMU_GATHER_RCU_TABLE_FREE", () => {
    expect(a.MMU_GATHER_RCU_TABLE_FREE).toBe(true);
  });

  it("__pte_free_tlb hands the table to the gather (paravirt_tlb_remove_table → tlb_remove_table), never frees it at once", () => {
    const r = recorder();
    a.__pte_free_tlb(r.target, 77);
    expect(r.log).toEqual(["tlb_remove_table 77"]);
  });

  it("pte_free_defer is the generic one: call_rcu(pte_free_now), the free only when the callback runs", () => {
    const r = recorder();
    a.pte_free_defer(r.target, 5);
    expect(r.log).toEqual(["call_rcu"]);
    r.rcu.forEach((f) => f());
    expect(r.log).toEqual(["call_rcu", "pte_free_now 5"]);
  });

  it("flush_tlb_range is flush_tlb_mm_range(mm, start, end, PAGE_SHIFT, false)", () => {
    expect(a.flush_tlb_range(0)).toEqual({ stride_shift: 12, freed_tables: false });
  });

  it("derived geometry matches the shifts", () => {
    for (const x of [x86_64(), x86_64({ levels: 5 })]) {
      expect(x.PAGE_SIZE).toBe(2 ** x.PAGE_SHIFT);
      expect(x.PMD_SIZE).toBe(2 ** x.PMD_SHIFT);
      expect(x.PUD_SIZE).toBe(2 ** x.PUD_SHIFT);
      expect(x.PMD_SIZE).toBe(x.PAGE_SIZE * x.PTRS_PER_PTE);
    }
  });
});

/**
 * Host objects the madvise/zap path reuses instead of allocating per call (issue
 * #10: the seed loop's GC): a finished mmu_gather waits in its kernel's spares for
 * the next tlb_gather_mmu() and must start exactly as a new one; its table free
 * target follows the mm it is on; the plugin API's pte_free_tlb() makes a
 * generator only when the table batch is full; mm_cpus() answers a local-only
 * mask with one frozen list.
 */
import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel.js";
import { arch } from "../test/arch.js";
import { run_to_completion } from "../sched/runner.js";
import { MAX_TABLE_BATCH, MmuGather, tlb_finish_mmu, tlb_flush_pmd_range, tlb_gather_mmu, tlb_gather_mmu_fullmm } from "./mmu_gather.js";
import { pte_free_tlb } from "../plugin/kernel.js";

function machine() {
  const k = new Kernel({ arch, nr_cpus: 2 });
  const mm1 = k.mm_alloc();
  const mm2 = k.mm_alloc();
  const t = k.new_task(mm1, 0, "t");
  return { k, mm1, mm2, t };
}

/** The fields a gather starts with (a new MmuGather's). */
function fresh(g: MmuGather) {
  return {
    start: g.start,
    end: g.end,
    fullmm: g.fullmm,
    need_flush_all: g.need_flush_all,
    freed_tables: g.freed_tables,
    cleared: [g.cleared_ptes, g.cleared_pmds, g.cleared_puds, g.cleared_p4ds],
    vma_exec: g.vma_exec,
    active: g.active,
    tables: g.nr_tables,
    batches: g.batches.map((b) => [b.nr, b.nruns]),
  };
}

describe("mmu_gather reuse", () => {
  it("a finished gather is the next tlb_gather_mmu()'s, on any mm of the kernel, and starts as a new one", () => {
    const { k, mm1, mm2, t } = machine();
    const g = tlb_gather_mmu(k, mm1);
    const as_new = fresh(new MmuGather(k, mm2, true));
    const as_new_partial = fresh(new MmuGather(k, mm1, false));
    tlb_flush_pmd_range(g, 0x200000, 4096);
    g.freed_tables = true;
    g.need_flush_all = true;
    g.vma_exec = true;
    run_to_completion(tlb_finish_mmu(t, g));
    const g2 = tlb_gather_mmu_fullmm(k, mm2);
    expect(g2).toBe(g);
    expect(g2.mm).toBe(mm2);
    expect(fresh(g2)).toEqual(as_new);
    g2.cleared_ptes = true;
    g2.vma_exec = true;
    run_to_completion(tlb_finish_mmu(t, g2));
    const g3 = tlb_gather_mmu(k, mm1);
    expect(g3).toBe(g);
    expect(fresh(g3)).toEqual(as_new_partial);
  });

  it("a gather still in use is not handed out; one finished twice is spare once", () => {
    const { k, mm1, t } = machine();
    const a = tlb_gather_mmu(k, mm1);
    const b = tlb_gather_mmu(k, mm1);
    expect(b).not.toBe(a);
    run_to_completion(tlb_finish_mmu(t, a));
    run_to_completion(tlb_finish_mmu(t, a));
    const c = tlb_gather_mmu(k, mm1);
    const d = tlb_gather_mmu(k, mm1);
    expect(c).toBe(a);
    expect(d).not.toBe(a);
    expect(d).not.toBe(b);
  });

  it("another kernel's gathers are not reused", () => {
    const { k, mm1, t } = machine();
    const g = tlb_gather_mmu(k, mm1);
    run_to_completion(tlb_finish_mmu(t, g));
    const other = machine();
    expect(tlb_gather_mmu(other.k, other.mm1)).not.toBe(g);
  });

  it("the table free target of a reused gather is the kernel's for the gather's mm now", () => {
    const { k, mm1, mm2, t } = machine();
    const freed: [unknown, number][] = [];
    k.__tlb_remove_table = (mm, pfn) => void freed.push([mm, pfn]);
    const g = tlb_gather_mmu(k, mm1);
    g.table_free_target(t).pte_free_now(5);
    run_to_completion(tlb_finish_mmu(t, g));
    const g2 = tlb_gather_mmu(k, mm2);
    expect(g2).toBe(g);
    g2.table_free_target(t).pte_free_now(6);
    expect(freed).toEqual([
      [mm1, 5],
      [mm2, 6],
    ]);
  });
});

describe("pte_free_tlb() of the plugin API", () => {
  it("hands the table over at the call; flushes the table batch (a generator) only when it is full", () => {
    const { k, mm1, t } = machine();
    const g = tlb_gather_mmu(k, mm1);
    const paths = [];
    for (let i = 0; i < MAX_TABLE_BATCH - 1; i++) {
      const p = pte_free_tlb(t, g, 1000 + i, 0x200000 * i);
      expect(g.nr_tables).toBe(i + 1); // before any step of the path
      paths.push(p);
      expect(run_to_completion(p)).toBeUndefined();
    }
    expect(new Set(paths).size).toBe(1); // one shared finished path: nothing allocated per table
    expect(g.freed_tables).toBe(true);
    expect(mm1.counters.pgtables_freed[0]).toBe(MAX_TABLE_BATCH - 1);
    expect(k.counters.rcu_table_batches).toBe(0);
    const last = pte_free_tlb(t, g, 2000, 0);
    expect(last).not.toBe(paths[0]);
    expect(g.nr_tables).toBe(MAX_TABLE_BATCH);
    run_to_completion(last);
    expect(g.nr_tables).toBe(0);
    expect(k.counters.rcu_table_batches).toBe(1);
  });
});

describe("mm_cpus()", () => {
  it("a mask of the local CPU alone: one frozen list; others: every CPU, local first", () => {
    const { k, mm2: mm } = machine(); // no task runs mm2: its mask is what switch_mm() puts in it
    k.tlb.switch_mm(1, mm);
    k.tlb.local_cpu = 1;
    const a = k.tlb.mm_cpus(mm);
    expect(a).toEqual([{ cpu: 1, lazy: false }]);
    expect(Object.isFrozen(a)).toBe(true);
    expect(k.tlb.mm_cpus(mm)).toBe(a);
    k.tlb.local_cpu = 0;
    expect(k.tlb.mm_cpus(mm)).toEqual([
      { cpu: 0, lazy: false },
      { cpu: 1, lazy: false },
    ]);
    k.tlb.switch_mm(0, mm);
    k.tlb.cpus[1].lazy = true;
    expect(k.tlb.mm_cpus(mm)).toEqual([
      { cpu: 0, lazy: false },
      { cpu: 1, lazy: true },
    ]);
  });
});

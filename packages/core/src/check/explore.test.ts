/**
 * The explorer on a deliberately naive reclaim plugin (a mutant written here): it
 * clears the PMD and frees the table after the zap without rescanning under the
 * locks, so a racing fault's new PTE is lost. Every strategy must find it, the
 * schedule must replay it exactly, and shrinking must leave few preemptions.
 */
import { describe, expect, it } from "vitest";
import { arch } from "../test/arch.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { MmStruct } from "../mm/mm_struct.js";
import { pmd_clear, pmdp_get } from "../pgtable/ops.js";
import { mm_dec_nr_ptes } from "../mm/mm.js";
import { pmd_lock } from "../pgtable/pgalloc.js";
import { pte_free_tlb, type MmuGather } from "../tlb/mmu_gather.js";
import { spin_unlock } from "../sync/spinlock.js";
import { decodeSchedule } from "../sched/schedule.js";
import { explore } from "./explore.js";
import type { Scenario } from "./scenario.js";

const naive: ReclaimPlugin = {
  name: "naive",
  version: "0",
  models: "test mutant: reclaim without a rescan under the locks",
  supports: { madv_dontneed: true },
  reclaim_pt_is_enabled: (s, e, d) => !!d?.reclaim_pt && e - s >= 2 * 1024 * 1024,
  *zap_pte_range_locked(_t: Task, _mm: MmStruct, _p: number, _l: object, st): KPath {
    st.direct_reclaim = false;
  },
  *zap_pte_range_end(t: Task, tlb: MmuGather, mm: MmStruct, pmdp: number, start: number): KPath {
    const pml = yield* pmd_lock(t, pmdp);
    const pmdval = yield* pmdp_get(t, pmdp);
    yield* pmd_clear(t, pmdp);
    yield* spin_unlock(t, pml);
    yield* pte_free_tlb(t, tlb, t.k.arch.pxd_pfn(pmdval), start);
    mm_dec_nr_ptes(mm);
  },
};

const scenario: Scenario = {
  name: "fault-vs-dontneed",
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "2M" },
    { op: "touch", at: 0, len: "2M", write: true },
  ],
  actors: [
    { name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
    { name: "fault", cpu: 1, ops: [{ op: "touch", at: "8K", len: "12K", write: true }, { op: "touch", at: "8K", len: "12K" }] },
  ],
  hw_walkers: [1],
};

describe("explore", () => {
  it("finds nothing wrong with Linux without reclaim", () => {
    const r = explore(scenario, { plugin: null, arch, strategy: "random", budget: 30, seed: 1 });
    expect(r.failure).toBeNull();
    expect(r.executions).toBe(30);
  });

  for (const strategy of ["random", "pct", "dfs"] as const) {
    it(`${strategy} finds the lost mapping, shrinks it, and the schedule replays it`, () => {
      const r = explore(scenario, { plugin: naive, arch, strategy, budget: 400, seed: 3, preemption_bound: 1 });
      expect(r.failure).not.toBeNull();
      const f = r.failure!;
      expect(["lost mapping", "user data"]).toContain(f.rule);
      expect(f.preemptions).toBeLessThanOrEqual(3);
      expect(f.trace).toContain("dontneed");
      expect(f.trace).toContain("set_pte_at");
      const again = explore(scenario, { plugin: naive, arch, replay: f.schedule });
      expect(again.failure?.rule).toBe(f.rule);
      expect(again.failure?.detail).toBe(f.detail);
      expect(decodeSchedule(f.schedule).length).toBeGreaterThan(0);
    });
  }

  it("is deterministic: the same seed gives the same failure and schedule", () => {
    const a = explore(scenario, { plugin: naive, arch, strategy: "random", budget: 200, seed: 9 });
    const b = explore(scenario, { plugin: naive, arch, strategy: "random", budget: 200, seed: 9 });
    expect(a.failure?.schedule).toBe(b.failure?.schedule);
    expect(a.executions).toBe(b.executions);
  });
});

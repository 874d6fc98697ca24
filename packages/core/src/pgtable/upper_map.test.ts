/**
 * RCU-freed upper levels (issue #12 §4, seed 001's "another plan"): the
 * pmd_offset_map()/pud_offset_map() primitives, the walkers that use them, the
 * PUD→PMD paging-structure cache, and the sanitizer's rules one level up, each
 * with a deliberately broken PMD-table reclaimer (a mutant) that the rule catches.
 * The reclaimer here is a minimal one for core's own tests (huge PMDs only, so no
 * PTE-table reclaim is needed to empty a PMD table); @mmsim/reclaim-pmd is the real one.
 */
import { describe, expect, it } from "vitest";
import { arch } from "../test/arch.js";
import { Engine } from "../engine.js";
import { explore } from "../check/explore.js";
import type { Scenario } from "../check/scenario.js";
import { Sanitizer } from "../check/sanitizer.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { MmuGather } from "../tlb/mmu_gather.js";
import { pxd_free_tlb, tlb_remove_table } from "../tlb/mmu_gather.js";
import type { Vma } from "../mm/vma.js";
import type { ZapDetails } from "@mmsim/spec";
import { run_to_completion } from "../sched/runner.js";
import { pmd_offset_map, pmd_unmap, pud_lock, pmd_walk_map, pmd_walk_unmap } from "./upper_map.js";
import { pxd_clear, pxdp_get, pmdp_get } from "./ops.js";
import { pxd_free } from "./pgalloc.js";
import { flush_tlb_mm_range } from "../tlb/flush.js";
import { PMD_LEVEL } from "./store.js";
import { walk_pud } from "./walk.js";
import { spin_lock, spin_unlock } from "../sync/spinlock.js";
import { mm_dec_nr_pmds } from "../mm/mm.js";
import { walk_page_range_pmd_entry_sleep } from "../mm/pagewalk_sleep.js";
import { SCENARIO_BASE } from "../check/scenario.js";

type Mutant = "none" | "no-empty-check" | "no-pmd-lock" | "no-pud-lock" | "no-rcu" | "no-freed-tables";

/** A minimal PMD-table reclaimer at the zap_pmd_range_done hook (pud_lock, pmd_lock, recheck, pud_clear, pmd_free_tlb). */
function pmdReclaimer(mutant: Mutant = "none", sleep: "srcu" | "rcu-refcount" = "rcu-refcount"): ReclaimPlugin {
  return {
    specificationVersion: "v1",
    name: `test-pmd-${mutant}`,
    version: "0",
    models: "core test",
    supports: { madv_dontneed: true, rcu_upper_levels: true, pmd_entry_sleep: sleep },
    *zap_pmd_range_done(tt, gather, v, pudp: number, addr: number, _end: number, details: ZapDetails | null): KPath {
      const t = tt as Task;
      const tlb = gather as MmuGather;
      const vma = v as Vma;
      const k = t.k;
      if (!details?.reclaim_pt) return;
      const base = Math.floor(addr / k.PUD_SIZE) * k.PUD_SIZE;
      if (vma.vm_start > base || vma.vm_end < base + k.PUD_SIZE) return;
      const mm = tlb.mm;
      const ptl = mm.page_table_lock;
      if (mutant !== "no-pud-lock") yield* pud_lock(t, mm);
      const unlock_pud = function* (): KPath {
        if (mutant !== "no-pud-lock") yield* spin_unlock(t, ptl);
      };
      const pudval = yield* pxdp_get(t, pudp);
      if (k.arch.pxd_none(pudval)) return yield* unlock_pud();
      const pfn = k.arch.pxd_table_pfn(pudval);
      const pml = k.pt.ptl_of(pfn);
      if (mutant !== "no-pmd-lock") yield* spin_lock(t, pml);
      const pmd0 = k.pt.entry(pfn, 0);
      let empty = true;
      if (mutant !== "no-empty-check") for (let i = 0; i < 512 && empty; i++) empty = k.arch.pxd_none(yield* pmdp_get(t, pmd0 + i));
      if (empty) yield* pxd_clear(t, pudp);
      if (mutant !== "no-pmd-lock") yield* spin_unlock(t, pml);
      yield* unlock_pud();
      if (!empty) return;
      if (mutant === "no-rcu") {
        // flushed (lazy CPUs too), then freed at once: no grace period for RCU walkers
        yield* flush_tlb_mm_range(t, mm, base, base + k.PUD_SIZE, 12, true);
        pxd_free(k, mm, pfn);
      }
      else if (mutant === "no-freed-tables") yield* tlb_remove_table(t, tlb, pfn);
      else yield* pxd_free_tlb(t, tlb, pfn, base, PMD_LEVEL);
      mm_dec_nr_pmds(mm);
    },
  };
}

const base: Pick<Scenario, "setup"> = {
  setup: [
    { op: "mmap", at: 0, len: "1G", hugepage: true },
    { op: "touch", at: 0, len: "4K", write: true },
  ],
};

const rule = (s: Scenario, plugin: ReclaimPlugin, budget = 150, strategy: "pct" | "random" = "pct") => {
  const r = explore(s, { plugin, arch, strategy, budget, seed: 1 });
  return r.failure ? r.failure.rule : null;
};

describe("pmd_offset_map / pud_offset_map", () => {
  it("maps under RCU, fails (RCU dropped) on a none PUD", () => {
    const e = new Engine({ arch, reclaim: pmdReclaimer() });
    const p = e.spawn(0);
    expect(p.mmap(SCENARIO_BASE, 4 << 20, 3, 0x22)).toBe(SCENARIO_BASE);
    p.touch(SCENARIO_BASE, 4096, true);
    const t = p.task;
    const pudp = walk_pud(e.k, p.mm, SCENARIO_BASE);
    const pmdp = run_to_completion(pmd_offset_map(t, pudp, SCENARIO_BASE));
    expect(pmdp).toBeGreaterThanOrEqual(0);
    expect(t.rcu_read_depth).toBe(1);
    run_to_completion(pmd_unmap(t));
    expect(t.rcu_read_depth).toBe(0);
    const far = SCENARIO_BASE + 8 * 2 ** 30; // another PUD entry: none
    expect(run_to_completion(pmd_offset_map(t, walk_pud(e.k, p.mm, far), far))).toBe(-1);
    expect(t.rcu_read_depth).toBe(0);
    expect(run_to_completion(pmd_walk_map(t, p.mm, SCENARIO_BASE))).toBe(pmdp);
    expect(t.rcu_read_depth).toBe(2);
    run_to_completion(pmd_walk_unmap(t));
    expect(t.rcu_read_depth).toBe(0);
  });

  it("off by default: no plugin asks for it, pmd_walk_map() is walk_pmd() with no RCU", () => {
    const e = new Engine({ arch, reclaim: null });
    expect(e.k.rcu_upper).toBe(false);
    const p = e.spawn(0);
    p.mmap(SCENARIO_BASE, 4 << 20, 3, 0x22);
    p.touch(SCENARIO_BASE, 4096, true);
    expect(run_to_completion(pmd_walk_map(p.task, p.mm, SCENARIO_BASE))).toBeGreaterThanOrEqual(0);
    expect(p.task.rcu_read_depth).toBe(0);
  });

  it("bulk: the reclaimer frees the emptied PMD table (VmPTE drops by 4 kB) and a later fault allocates a new one", () => {
    const e = new Engine({ arch, reclaim: pmdReclaimer() });
    const p = e.spawn(0);
    p.mmap(SCENARIO_BASE, 2 ** 30, 3, 0x22);
    p.madvise(SCENARIO_BASE, 2 ** 30, 14); // MADV_HUGEPAGE
    p.touch(SCENARIO_BASE, 4096, true);
    const pmds = p.mm.counters.pgtables_allocated[1];
    p.madvise(SCENARIO_BASE, 2 << 20, 4); // MADV_DONTNEED: the huge PMD goes, then the PMD table
    e.k.rcu.rcu_poll();
    expect(p.mm.counters.pgtables_freed[1]).toBe(1);
    expect(p.touch(SCENARIO_BASE + (4 << 20), 4096, true)).toBe("ok");
    expect(p.mm.counters.pgtables_allocated[1]).toBe(pmds + 1);
  });
});

describe("walkers vs a PMD-table free (correct reclaimer: no rule broken)", () => {
  it("fault vs PMD-table free", () => {
    const s: Scenario = {
      name: "fault-vs-pmd-free",
      description: "t",
      ...base,
      actors: [
        { name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
        { name: "fault", cpu: 1, ops: [{ op: "touch", at: "4M", len: "4K", write: true }] },
      ],
    };
    expect(rule(s, pmdReclaimer())).toBeNull();
  });

  it("lockless upper-level walker and GUP-fast vs PMD-table free (R33, scn (g))", () => {
    const s: Scenario = {
      name: "walker-vs-pmd-free",
      description: "t",
      ...base,
      actors: [
        { name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
        { name: "walker", cpu: 1, ops: [{ op: "walk", at: 0, len: "4M" }] },
        { name: "gup", cpu: 2, ops: [{ op: "gup_fast", at: 0, len: "4K" }] },
      ],
    };
    expect(rule(s, pmdReclaimer())).toBeNull();
  });
});

describe("the sanitizer's upper-level rules catch broken PMD-table reclaimers (mutants)", () => {
  it("lost mapping (PMD): a reclaimer that does not check the table is empty", () => {
    const s: Scenario = {
      name: "lost-pmd",
      description: "t",
      setup: [...base.setup, { op: "touch", at: "4M", len: "4K", write: true }],
      actors: [{ name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] }],
    };
    expect(rule(s, pmdReclaimer("no-empty-check"), 5)).toBe("lost mapping");
    expect(rule(s, pmdReclaimer(), 5)).toBeNull();
  });

  it("lost mapping (PMD): without the nested pmd_lock a THP fault installs into the table being freed", () => {
    const s: Scenario = {
      name: "fault-vs-pmd-free-no-pmd-lock",
      description: "t",
      ...base,
      actors: [
        { name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
        { name: "fault", cpu: 1, ops: [{ op: "touch", at: "4M", len: "4K", write: true }] },
      ],
    };
    expect(rule(s, pmdReclaimer("no-pmd-lock"), 400)).toBe("lost mapping");
  });

  it("PUD write without pud_lock: a reclaimer that clears the PUD under the PMD lock only", () => {
    const s: Scenario = {
      name: "pmd-free-no-pud-lock",
      description: "t",
      ...base,
      actors: [{ name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] }],
    };
    expect(rule(s, pmdReclaimer("no-pud-lock"), 5)).toBe("PUD write without pud_lock");
  });

  it("SRCU: freed before a grace period (\"srcu\" option): a PMD table freed while an SRCU reader from unlink time is inside", () => {
    const e = new Engine({ arch, reclaim: pmdReclaimer("none", "srcu") });
    const san = new Sanitizer(e.k);
    const p = e.spawn(0);
    p.mmap(SCENARIO_BASE, 4 << 20, 3, 0x22);
    p.touch(SCENARIO_BASE, 4096, false);
    e.k.sanitizer = san;
    const reader = e.spawn(1).task;
    e.k.srcu.enter(reader);
    const pudp = walk_pud(e.k, p.mm, SCENARIO_BASE);
    const pfn = e.k.arch.pxd_table_pfn(e.k.pt.get(pudp));
    e.k.pt.fill(e.k.pt.entry(pfn, 0), 512, 0);
    e.k.pt.set(pudp, 0);
    san.table_unlinked(p.task, pfn);
    expect(() => san.table_freed(pfn)).toThrow(/SRCU: freed before a grace period/);
    // The kernel's own path defers the free past the SRCU grace period.
    let freed = false;
    e.k.srcu.call_srcu(() => (freed = true));
    e.k.rcu.rcu_poll();
    expect(freed).toBe(false);
    e.k.srcu.exit(reader);
    e.k.rcu.rcu_poll();
    expect(freed).toBe(true);
  });

  it("use after free: a PMD table freed without RCU under a walker", () => {
    const s: Scenario = {
      name: "walker-vs-pmd-free-no-rcu",
      description: "t",
      ...base,
      actors: [
        { name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
        { name: "walker", cpu: 1, ops: [{ op: "walk", at: 0, len: "4M" }] },
      ],
    };
    expect(rule(s, pmdReclaimer("no-rcu"), 400)).toMatch(/RCU: freed before a grace period|page-table use after free|ptlock use after free/);
    expect(rule(s, pmdReclaimer(), 400)).toBeNull();
  });

  it("stale paging-structure cache (PUD→PMD): a free without freed_tables leaves a lazy CPU's PDPTE cache", () => {
    const s: Scenario = {
      name: "pmd-free-no-freed-tables",
      description: "t",
      ...base,
      actors: [{ name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] }],
      hw_walkers: [1],
      lazy_cpus: [2],
    };
    expect(rule(s, pmdReclaimer("no-freed-tables"), 200, "random")).toMatch(/stale paging-structure cache|page-table use after free/);
    expect(rule(s, pmdReclaimer(), 200, "random")).toBeNull();
  });

  it("ptlock use after free (PMD): the free of a PMD table whose split lock is held, and a lock taken after the free", () => {
    const e = new Engine({ arch, reclaim: pmdReclaimer() });
    const san = new Sanitizer(e.k);
    const p = e.spawn(0);
    p.mmap(SCENARIO_BASE, 4 << 20, 3, 0x22);
    e.k.sanitizer = san;
    const t = p.task;
    p.touch(SCENARIO_BASE, 4096, false);
    const pudp = walk_pud(e.k, p.mm, SCENARIO_BASE);
    const pfn = e.k.arch.pxd_table_pfn(e.k.pt.get(pudp));
    // empty the PMD table by hand (as a correct reclaimer would have) and unlink it
    e.k.pt.fill(e.k.pt.entry(pfn, 0), 512, 0);
    e.k.pt.set(pudp, 0);
    const pml = e.k.pt.ptl_of(pfn);
    run_to_completion(spin_lock(t, pml));
    expect(() => san.table_freed(pfn)).toThrow(/ptlock use after free/);
    run_to_completion(spin_unlock(t, pml));
    san.first = null;
    san.table_freed(pfn);
    expect(() => san.lock_acquire(t, "pmd_lock", false, pml)).toThrow(/split PMD lock of table/);
  });

  it("sleep inside an RCU read section: a sleeping .pmd_entry that keeps RCU across mmu_notifier_invalidate_range_start()", () => {
    const e = new Engine({ arch, reclaim: pmdReclaimer() });
    const p = e.spawn(0);
    p.mmap(SCENARIO_BASE, 4 << 20, 3, 0x22);
    p.touch(SCENARIO_BASE, 8192, true);
    e.k.sanitizer = new Sanitizer(e.k);
    expect(run_to_completion(walk_page_range_pmd_entry_sleep(p.task, p.mm, SCENARIO_BASE, 2 << 20))).toBe(2);
    expect(() => run_to_completion(walk_page_range_pmd_entry_sleep(p.task, p.mm, SCENARIO_BASE, 2 << 20, { keep_rcu_across_sleep: true }))).toThrow(
      /sleep inside an RCU read section/,
    );
  });
});

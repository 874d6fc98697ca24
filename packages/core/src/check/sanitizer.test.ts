/**
 * Each sanitizer rule catches the mutant written for it. The mutants here are
 * direct: a kernel path (or a plugin) that breaks exactly one rule.
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { run_stepped } from "../sched/runner.js";
import { ptep_get, set_pte_at } from "../pgtable/ops.js";
import { walk_pte } from "../pgtable/walk.js";
import { spin_lock, spin_trylock, spin_unlock } from "../sync/spinlock.js";
import { pmd_lockptr } from "../pgtable/pgalloc.js";
import { pte_lockptr } from "../pgtable/pte_map.js";
import { walk_pmd } from "../pgtable/walk.js";
import { Sanitizer, SanitizerViolation } from "./sanitizer.js";

function setup() {
  const e = new Engine({ arch });
  const k = e.k;
  const p = e.spawn();
  mmapFixed(p, SLOT, 2 * M);
  p.touch(SLOT, 2 * M, true);
  k.sanitizer = new Sanitizer(k);
  k.tlb.track_entries = true;
  return { k, p, t: p.task };
}

const rule = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SanitizerViolation) return e.rule;
    throw e;
  }
  return null;
};

describe("sanitizers", () => {
  it("PTE write without the PTE lock", () => {
    const { k, p, t } = setup();
    const ptep = walk_pte(k, p.mm, SLOT);
    expect(rule(() => run_stepped(t, set_pte_at(t, p.mm, SLOT, ptep, 0)))).toBe("PTE write without the PTE lock");
    const ptl = pte_lockptr(k, k.pt.get(walk_pmd(k, p.mm, SLOT)));
    run_stepped(t, spin_lock(t, ptl));
    expect(rule(() => run_stepped(t, set_pte_at(t, p.mm, SLOT, ptep, 0)))).toBeNull();
    run_stepped(t, spin_unlock(t, ptl));
  });

  it("page-table use after free: a walker reading a table after it was freed", () => {
    const { k, p, t } = setup();
    const ptep = walk_pte(k, p.mm, SLOT);
    k.pt.free(k.pt.table_of(ptep)); // a mutant free, behind everyone's back
    expect(rule(() => run_stepped(t, ptep_get(t, ptep)))).toBe("page-table use after free");
  });

  it("lock order: PTE lock then PMD lock (blocking) inverts pmd_lock → ptl", () => {
    const { k, p, t } = setup();
    const pmdp = walk_pmd(k, p.mm, SLOT);
    const ptl = pte_lockptr(k, k.pt.get(pmdp));
    run_stepped(t, spin_lock(t, ptl));
    expect(rule(() => run_stepped(t, spin_lock(t, pmd_lockptr(k, pmdp))))).toBe("lock order");
  });

  it("stale TLB entry: a page freed while a CPU still translates to it", () => {
    const { k, p } = setup();
    const pte = k.pt.get(walk_pte(k, p.mm, SLOT));
    k.tlb.cpus[0].entries.set(SLOT / 4096, k.arch.pte_pfn(pte));
    expect(rule(() => k.sanitizer!.page_freed(k.arch.pte_pfn(pte)))).toBe("stale TLB entry");
  });

  it("stale TLB entry at rest: a PTE cleared without a flush leaves a translation a CPU keeps (mutant); a flushed one does not", () => {
    const { k, p, t } = setup();
    const pfn0 = k.arch.pte_pfn(k.pt.get(walk_pte(k, p.mm, SLOT)));
    k.tlb.cpus[0].loaded_mm = p.mm.id;
    k.tlb.cpus[0].entries.set(SLOT / 4096, pfn0);
    expect(rule(() => (k.sanitizer as Sanitizer).check_tlb_at_rest())).toBeNull(); // the PTE still maps that page
    // The mutant: a path that clears the PTE (under its lock) and never flushes it.
    const ptl = pte_lockptr(k, k.pt.get(walk_pmd(k, p.mm, SLOT)));
    run_stepped(t, spin_lock(t, ptl));
    k.pt.set(walk_pte(k, p.mm, SLOT), 0);
    run_stepped(t, spin_unlock(t, ptl));
    expect(rule(() => (k.sanitizer as Sanitizer).check_tlb_at_rest())).toBe("stale TLB entry");
    // The same with the flush, even one still in flight as an IPI to that CPU: at rest it was taken.
    k.tlb.local_cpu = 1;
    k.tlb.flush_range(0, p.mm, SLOT, SLOT + 4096, 12);
    expect(k.tlb.pending_cpus()).toEqual([0]);
    expect(rule(() => (k.sanitizer as Sanitizer).check_tlb_at_rest())).toBeNull();
    // A lazy-TLB CPU is left to flush when it switches back.
    k.tlb.cpus[1].loaded_mm = p.mm.id;
    k.tlb.cpus[1].lazy = true;
    k.tlb.cpus[1].entries.set(SLOT / 4096, pfn0);
    expect(rule(() => (k.sanitizer as Sanitizer).check_tlb_at_rest())).toBeNull();
  });

  it("ptlock use after free: the PTE lock taken after its table's pagetable_dtor() ran (R31)", () => {
    const { k, p, t } = setup();
    const pmdp = walk_pmd(k, p.mm, SLOT);
    const pfn = k.pt.table_of(walk_pte(k, p.mm, SLOT));
    const ptl = pte_lockptr(k, k.pt.get(pmdp));
    run_stepped(t, spin_lock(t, ptl));
    run_stepped(t, spin_unlock(t, ptl));
    // The mutant: pagetable_dtor() (ptlock_free) before the grace period, as 6.13's
    // ___pte_free_tlb() did, while a pte_offset_map_lock() still has the lock's address.
    k.hooks.pte_table_dtor!(k, p.mm, pfn);
    expect(rule(() => run_stepped(t, spin_lock(t, ptl)))).toBe("ptlock use after free");
    expect(rule(() => run_stepped(t, spin_trylock(t, ptl)))).toBe("ptlock use after free");
    expect(rule(() => run_stepped(t, spin_lock(t, pmd_lockptr(k, pmdp))))).toBeNull(); // other locks are fine
  });

  it("ptlock use after free: pagetable_dtor() of a table whose lock is held", () => {
    const { k, p, t } = setup();
    const pfn = k.pt.table_of(walk_pte(k, p.mm, SLOT));
    run_stepped(t, spin_lock(t, k.pt.ptl_of(pfn)));
    expect(rule(() => k.hooks.pte_table_dtor!(k, p.mm, pfn))).toBe("ptlock use after free");
  });
});

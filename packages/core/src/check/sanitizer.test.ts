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
import { PTE_WRITE_MUTANTS, Sanitizer, SanitizerViolation, type PteWriteMutant } from "./sanitizer.js";

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

  /**
   * pte_write()'s fast path (the writer holds the lock) against the full check, case by
   * case: the rule each write breaks (null: none), and whether the lock exists after it.
   */
  function pteWriteCases(mutant: PteWriteMutant | null): [string | null, boolean][] {
    const { k, p, t } = setup();
    (k.sanitizer as Sanitizer).pte_write_mutant = mutant;
    const other = k.new_task(p.mm, 1, "other");
    const ptep = walk_pte(k, p.mm, SLOT);
    const pfn = k.pt.table_of(ptep);
    const pte = k.pt.get(ptep);
    const out: [string | null, boolean][] = [];
    const write = (who: typeof t) => {
      out.push([rule(() => run_stepped(who, set_pte_at(who, p.mm, SLOT, ptep, pte))), k.pt.ptl_if_any(pfn) !== null]);
    };
    write(t); // the setup's fault made the lock; nobody holds it
    // A PTE table linked in by hand (the PMD entry after SLOT's), whose lock nobody has asked for yet.
    const pmdp = walk_pmd(k, p.mm, SLOT) + 1;
    const fresh = k.pt.alloc(1, p.mm.id);
    k.pt.set(pmdp, k.arch.mk_table_entry(fresh));
    k.pt.set_parent(fresh, pmdp);
    const before = k.pt.ptl_if_any(fresh) !== null;
    out.push([rule(() => run_stepped(t, set_pte_at(t, p.mm, SLOT + 2 * M, k.pt.entry(fresh, 0), pte))), before]);
    out.push([null, k.pt.ptl_if_any(fresh) !== null]); // the full check made it
    const ptl = k.pt.ptl_of(pfn);
    run_stepped(other, spin_lock(other, ptl));
    write(t); // another task holds it
    (k.sanitizer as Sanitizer).no_ptl_ok.add(t);
    write(t); // free_pgtables() may write without it
    (k.sanitizer as Sanitizer).no_ptl_ok.delete(t);
    run_stepped(other, spin_unlock(other, ptl));
    run_stepped(t, spin_lock(t, ptl));
    write(t); // the holder: the fast path
    run_stepped(t, spin_unlock(t, ptl));
    return out;
  }

  it("PTE write: the fast path (writer holds the lock) gives the full check's verdicts and creates no lock", () => {
    expect(pteWriteCases(null)).toEqual([
      ["PTE write without the PTE lock", true],
      ["PTE write without the PTE lock", false],
      [null, true],
      ["PTE write without the PTE lock", true],
      [null, true],
      [null, true],
    ]);
  });

  it.each(PTE_WRITE_MUTANTS)("PTE write: catches the fast-path mutant %s", (m) => {
    expect(pteWriteCases(m)).not.toEqual(pteWriteCases(null));
  });
});

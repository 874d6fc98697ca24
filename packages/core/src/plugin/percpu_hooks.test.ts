/**
 * The hooks the 2022 percpu_ref design needs (issue #8, G4 G6 G7 G8): where core
 * calls them, what they are given, and what is held. Each property is checked on
 * core and on a broken variant (a mutant) it must reject.
 */
import { describe, expect, it } from "vitest";
import { MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT } from "../mm/madvise.js";
import { sys_munmap } from "../mm/mmap.js";
import { run_to_completion } from "../sched/runner.js";
import type { Task } from "../sched/task.js";
import { engine } from "../test/arch.js";
import { K, M, SLOT, mmapFixed } from "../test/helpers.js";
import type { ReclaimPlugin, ZapDetails } from "./plugin.js";

/** Spinlocks the task holds (its mmap_lock or VMA lock is expected). */
const spins = (t: unknown) => (t as Task).held.filter((l) => "owner" in l).length;

type Ev = { ev: string; pfn?: number; addr?: number; details?: ZapDetails | null; have_lazyfree?: boolean; held?: number; gp?: number };

function recorder(extra: Partial<ReclaimPlugin> = {}) {
  const log: Ev[] = [];
  let k: { rcu: { completed: number } } | null = null;
  const plugin: ReclaimPlugin = {
    specificationVersion: "v1",
    name: "recorder",
    version: "0",
    models: "test",
    supports: {},
    attach(kk) {
      k = kk as never;
    },
    pte_table_dtor(_k, _mm, pfn) {
      log.push({ ev: "dtor", pfn, gp: k!.rcu.completed });
    },
    *zap_pte_range_done(t, _tlb, _mm, _pmdp, start, details) {
      log.push({ ev: "zap_done", addr: start, details, held: spins(t) });
    },
    *madvise_free_pte_range(t, _tlb, _vma, _pmdp, addr, _end, have_lazyfree) {
      log.push({ ev: "free_range", addr, have_lazyfree, held: spins(t) });
    },
    *try_to_unmap_one_done(t, _vma, _pmdp, addr) {
      log.push({ ev: "unmap_done", addr, held: spins(t) });
    },
    *try_to_unmap_one_redirty(t, _vma, _pmdp, addr) {
      log.push({ ev: "redirty", addr, held: spins(t) });
    },
    ...extra,
  };
  return { plugin, log };
}

describe("G4: pte_table_dtor when the table page is really freed", () => {
  /** No dtor before the grace period of the unlink: the log's dtors all come after an RCU callback ran. */
  const dtor_after_gp = (log: Ev[], gp_at_unlink: number) => log.filter((e) => e.ev === "dtor").every((e) => e.gp! > gp_at_unlink);

  it("munmap (free_pgtables → pte_free_tlb): the dtor runs in the RCU callback, not at hand-over", () => {
    const { plugin, log } = recorder();
    const e = engine(plugin);
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    const gp = e.k.rcu.completed;
    run_to_completion(sys_munmap(p.task, SLOT, 4 * M)); // no return to user yet: no quiescent point
    expect(log.filter((x) => x.ev === "dtor")).toEqual([]);
    expect(e.k.rcu.nr_pending_callbacks).toBeGreaterThan(0);
    e.k.rcu.rcu_poll();
    expect(log.filter((x) => x.ev === "dtor").length).toBe(2);
    expect(dtor_after_gp(log, gp)).toBe(true);
    // Mutant: the dtor at hand-over (before this change) logs it with the grace-period count of the unlink.
    expect(dtor_after_gp([...log, { ev: "dtor", pfn: 1, gp }], gp)).toBe(false);
  });

  it("only PTE tables get the dtor (PMD/PUD tables freed through the same callback do not)", () => {
    const { plugin, log } = recorder();
    const e = engine(plugin);
    const p = e.spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.touch(SLOT, 2 * M, true);
    p.munmap(SLOT, 2 * M);
    expect(log.filter((x) => x.ev === "dtor").length).toBe(1);
  });
});

describe("G6: zap_pte_range_done after every zap_pte_range, with the zap's details", () => {
  const called_for_small_dontneed = (log: Ev[]) => log.some((x) => x.ev === "zap_done" && x.details?.reclaim_pt === true);

  it("MADV_DONTNEED of one page (no full-slice condition) and munmap (details.unmap), no lock held", () => {
    const { plugin, log } = recorder();
    const e = engine(plugin);
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    p.madvise(SLOT + 8 * K, 4 * K, MADV_DONTNEED);
    expect(log).toEqual([{ ev: "zap_done", addr: SLOT + 8 * K, details: { skip_cows: false, reclaim_pt: true, unmap: false }, held: 0 }]);
    expect(called_for_small_dontneed(log)).toBe(true);
    log.length = 0;
    p.munmap(SLOT, 4 * M);
    expect(log.filter((x) => x.ev === "zap_done").map((x) => [x.addr, x.details?.unmap])).toEqual([
      [SLOT, true],
      [SLOT + 2 * M, true],
    ]);
    // Mutant: the hook gated like zap_pte_range_end (can_reclaim_pt needs a whole 2 MiB slice) is never called here.
    expect(called_for_small_dontneed([])).toBe(false);
  });

  it("not called where the PMD maps no table", () => {
    const { plugin, log } = recorder();
    const e = engine(plugin);
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * K, true);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    expect(log.filter((x) => x.ev === "zap_done").map((x) => x.addr)).toEqual([SLOT]);
  });
});

describe("G7: have_lazyfree on the madvise_free_pte_range hook", () => {
  it("true where a folio was marked lazily free, false for a table with none", () => {
    const { plugin, log } = recorder();
    const e = engine(plugin);
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * K, true);
    p.touch(SLOT + 2 * M, 4 * K, true);
    p.madvise(SLOT + 2 * M, 4 * K, MADV_DONTNEED); // second table now maps nothing
    log.length = 0;
    p.madvise(SLOT, 4 * M, MADV_FREE);
    const got = log.filter((x) => x.ev === "free_range").map((x) => [x.addr, x.have_lazyfree, x.held]);
    expect(got).toEqual([
      [SLOT, true, 0],
      [SLOT + 2 * M, false, 0],
    ]);
    // Mutant: the hook without the argument (before this change) sees `undefined`.
    expect(got.map((g) => typeof g[1])).not.toContain("undefined");
  });
});

describe("G8: try_to_unmap_one after page_vma_mapped_walk_done, and the re-dirty path", () => {
  const no_lock_held = (log: Ev[]) => log.filter((x) => x.ev === "unmap_done" || x.ev === "redirty").every((x) => x.held === 0);

  it("discarded folios reach try_to_unmap_one_done, re-dirtied ones try_to_unmap_one_redirty, in address order, PTE lock released", () => {
    const { plugin, log } = recorder();
    const e = engine(plugin);
    const p = e.spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.touch(SLOT, 16 * K, true);
    p.madvise(SLOT, 16 * K, MADV_FREE);
    p.touch(SLOT + 4 * K, 4 * K, true); // written again
    log.length = 0;
    p.madvise(SLOT, 16 * K, MADV_PAGEOUT);
    expect(log.map((x) => [x.ev, x.addr! - SLOT])).toEqual([
      ["unmap_done", 0],
      ["redirty", 4 * K],
      ["unmap_done", 8 * K],
      ["unmap_done", 12 * K],
    ]);
    expect(no_lock_held(log)).toBe(true);
    // Mutant: the old try_to_unmap_one hook's context (PTE lock held) is rejected.
    expect(no_lock_held([{ ev: "unmap_done", held: 1 }])).toBe(false);
  });

  it("the old in-walk try_to_unmap_one hook still runs under the PTE lock, before the walk-done hook", () => {
    const seen: string[] = [];
    const { plugin } = recorder({
      *try_to_unmap_one(t) {
        seen.push(`in-walk held=${spins(t)}`);
      },
      *try_to_unmap_one_done(t) {
        seen.push(`done held=${spins(t)}`);
      },
    });
    const e = engine(plugin);
    const p = e.spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.touch(SLOT, 4 * K, true);
    p.madvise(SLOT, 4 * K, MADV_FREE);
    p.madvise(SLOT, 4 * K, MADV_PAGEOUT);
    expect(seen).toEqual(["in-walk held=1", "done held=0"]);
  });
});

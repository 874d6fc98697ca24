/**
 * reclaim-pmd's slow paths, forced deterministically (issue #9 §2: Stryker's
 * survivors in try_to_free_pte() and the model-only statistics of try_to_free_pmd()).
 *
 * try_to_free_pte() runs only when zap_pte_range()'s fast path cannot take the
 * split PMD lock (spin_trylock fails). Here another task ("holder", CPU 1) holds
 * that lock from just before the fast path's trylock until just before the slow
 * path's pmd_lock(), as a pmd_install() on another slice of the same PMD table
 * would (the kit's `dontneed-vs-pmd-install` finds that race by exploration; this
 * file places it by hand, so the outcome can be asserted exactly):
 *   (a) the table is empty: the slow path must free it (and the PMD table after it);
 *   (b) a writer on CPU 2 maps a page into the table while the holder has the lock
 *       (the zap has dropped the PTE lock): the rescan must see it and keep the table;
 *   (c) the holder is a sleeping `.pmd_entry` walker that took a reference on the
 *       PTE table under the PMD lock ("rcu-refcount"): the table must be kept.
 * The hook wrapper only adds the other CPU's actions between the plugin's own
 * hooks, at points where Linux allows them; the plugin's code runs unchanged.
 *
 * try_to_free_pmd()'s locked recheck is driven by stepping the zap_pmd_range_done
 * hook: a fault installs a PTE table after the lockless pre-scan found the PMD
 * table empty (pmd_recheck_failed), and a walker reference on the PMD table itself
 * keeps it (kept_for_walker at the recheck).
 */
import { arm64 } from "@mmsim/arch-arm64";
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, Process, type Arch, type ReclaimPlugin } from "@mmsim/core";
import { check_mm, walk_pmd, walk_pud } from "@mmsim/core/check";
import {
  find_vma,
  pgtable_get,
  pgtable_put,
  pmd_lockptr,
  spin_lock,
  spin_unlock,
  tlb_finish_mmu,
  tlb_gather_mmu,
  type KPath,
  type spinlock_t,
  type task_struct,
} from "@mmsim/core/kernel";
import { describe, expect, it } from "vitest";
import { reclaimPmd, type PmdReclaimPlugin } from "./index.js";

const K4 = 4096;
const M2 = 2 ** 21;
const G = 2 ** 30;
const BASE = 0x200000000000; // 1 GiB aligned: one PMD table
const FLAGS = MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE;

/** What the other CPUs do while the holder has the PMD lock (the zap's PTE lock dropped). */
type Between = (e: Engine, pmdp: number) => void;

interface Contended {
  e: Engine;
  p: Process;
  plugin: PmdReclaimPlugin;
  /** What the fast path's trylock left: false when the slow path ran. */
  direct_reclaim: boolean[];
}

/**
 * The plugin, with its two zap_pte_range hooks wrapped: the holder takes the
 * split PMD lock before the fast path's spin_trylock and drops it (after
 * `between`) before try_to_free_pte()'s pmd_lock().
 */
function contended(arch: Arch, between: Between = () => {}): Contended {
  const plugin = reclaimPmd();
  const direct_reclaim: boolean[] = [];
  let holder: task_struct | null = null;
  let held: spinlock_t | null = null;
  const wrapped: ReclaimPlugin = {
    ...plugin,
    *zap_pte_range_locked(t, mm, pmdp, ptl, st): KPath {
      held = pmd_lockptr(t.k, pmdp);
      yield* spin_lock(holder!, held); // another CPU's pmd_install() on this PMD table
      yield* plugin.zap_pte_range_locked!(t, mm, pmdp, ptl, st);
      direct_reclaim.push(st.direct_reclaim);
    },
    *zap_pte_range_end(t, tlb, mm, pmdp, start, st): KPath {
      if (held !== null) {
        between(e, pmdp);
        yield* spin_unlock(holder!, held);
        held = null;
      }
      yield* plugin.zap_pte_range_end!(t, tlb, mm, pmdp, start, st);
    },
  };
  const e = new Engine({ arch, reclaim: wrapped, nr_cpus: 3 });
  const p = e.spawn();
  holder = e.k.new_task(p.mm, 1, "holder");
  expect(p.mmap(BASE, G, 3, FLAGS)).toBe(BASE);
  return { e, p, plugin, direct_reclaim };
}

const pmd_entry = (e: Engine, p: Process, addr: number): number => e.k.pt.get(walk_pmd(e.k, p.mm, addr));
const pud_entry = (e: Engine, p: Process, addr: number): number => e.k.pt.get(walk_pud(e.k, p.mm, addr));

describe("try_to_free_pte(): the slow path, the split PMD lock held across the zap's trylock", () => {
  for (const [an, arch] of [["x86_64", x86_64], ["arm64", arm64]] as const)
    it(`${an}: (a) frees the empty PTE table, then the PMD table it empties (Stryker's pmd_reclaim.ts:126, :140, :144, :145)`, () => {
      const c = contended(arch());
      const { e, p, plugin } = c;
      p.touch(BASE, M2, true);
      const before = p.status().VmPTE;
      expect(p.madvise(BASE, M2, MADV_DONTNEED)).toBe(0);
      expect(c.direct_reclaim).toEqual([false]); // the trylock failed: try_to_free_pte() ran
      expect(plugin.stats.pte_tables_freed).toBe(1);
      expect(p.mm.counters.pte_tables_reclaimed).toBe(1);
      expect(plugin.stats.kept_for_walker).toBe(0);
      expect(plugin.stats.pmd_tables_freed).toBe(1);
      expect(e.k.arch.pxd_none(pud_entry(e, p, BASE))).toBe(true);
      p.return_to_user();
      expect(p.status().VmPTE).toBeLessThan(before);
      expect(check_mm(e.k, p.mm)).toEqual([]);
    });

  for (const idx of [0, 5, 511])
    it(`(b) keeps the table a writer maps a page into (entry ${idx}) before the rescan; the page keeps its data (:145's unsafe mutants)`, () => {
      let writer: Process | null = null;
      const c = contended(x86_64(), (e, _pmdp) => {
        // CPU 2 faults in a page of the slice: the table is still linked, so only the PTE lock.
        writer ??= new Process(e.k, c.p.mm, e.k.new_task(c.p.mm, 2, "writer"));
        expect(writer.access(BASE + idx * K4, true)).toBe("ok");
      });
      const { e, p, plugin } = c;
      p.touch(BASE, M2, true);
      const pmd_before = pmd_entry(e, p, BASE);
      expect(p.madvise(BASE, M2, MADV_DONTNEED)).toBe(0);
      expect(c.direct_reclaim).toEqual([false]);
      expect(plugin.stats.pte_tables_freed).toBe(0);
      expect(p.mm.counters.pte_tables_reclaimed).toBe(0);
      expect(plugin.stats.pmd_tables_freed).toBe(0);
      expect(pmd_entry(e, p, BASE)).toBe(pmd_before); // the same table, still linked
      p.return_to_user();
      expect(writer!.load(BASE + idx * K4)).toBe(1); // the writer's store, not a fresh zero page
      expect(check_mm(e.k, p.mm)).toEqual([]);
    });

  it("(c) keeps a table a sleeping walker took a reference on under the PMD lock (rcu-refcount), frees it once put", () => {
    let table = -1;
    const c = contended(x86_64(), (e, pmdp) => {
      // The holder is a .pmd_entry walker: under the PMD lock it takes its reference, then sleeps.
      table = e.k.arch.pxd_pfn(e.k.pt.get(pmdp));
      pgtable_get(e.k, table);
    });
    const { e, p, plugin } = c;
    p.touch(BASE, M2, true);
    const pmd_before = pmd_entry(e, p, BASE);
    expect(p.madvise(BASE, M2, MADV_DONTNEED)).toBe(0);
    expect(c.direct_reclaim).toEqual([false]);
    expect(plugin.stats.kept_for_walker).toBe(1);
    expect(plugin.stats.pte_tables_freed).toBe(0);
    expect(plugin.stats.pmd_tables_freed).toBe(0);
    expect(pmd_entry(e, p, BASE)).toBe(pmd_before);
    pgtable_put(e.k, table); // the walker wakes up and is done
    p.return_to_user();
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });
});

/** Drive a kernel path on a stepping task; `at(point)` runs before each preemption point. */
function step<T>(t: { stepping: boolean }, path: KPath<T>, at: (what: string, n: number) => void): T {
  t.stepping = true;
  try {
    for (let n = 0; ; n++) {
      const r = path.next();
      if (r.done) return r.value;
      at(r.value.what, n);
    }
  } finally {
    t.stepping = false;
  }
}

/**
 * A linked PMD table with no entry, whose 1 GiB is one VMA: the discard ran while
 * the VMA ended 2 MiB short (no PMD-table reclaim), then the rest was mapped and merged.
 */
function empty_pmd_table(): { e: Engine; p: Process; plugin: PmdReclaimPlugin; pfn: number } {
  const plugin = reclaimPmd();
  const e = new Engine({ arch: x86_64(), reclaim: plugin });
  const p = e.spawn();
  expect(p.mmap(BASE, G - M2, 3, FLAGS)).toBe(BASE);
  p.touch(BASE, M2, true);
  p.madvise(BASE, M2, MADV_DONTNEED);
  expect(p.mmap(BASE + G - M2, M2, 3, FLAGS)).toBe(BASE + G - M2);
  const vma = find_vma(p.mm, BASE)!;
  expect([vma.vm_start, vma.vm_end]).toEqual([BASE, BASE + G]);
  expect(plugin.stats).toMatchObject({ pte_tables_freed: 1, pmd_tables_freed: 0 });
  const pud = pud_entry(e, p, BASE);
  expect(e.k.arch.pxd_none(pud)).toBe(false);
  return { e, p, plugin, pfn: e.k.arch.pxd_table_pfn(pud) };
}

/** zap_pmd_range_done() as madvise(MADV_DONTNEED) of the first 2 MiB calls it, stepped. */
function pmd_range_done(e: Engine, p: Process, plugin: PmdReclaimPlugin, at: (what: string, n: number) => void = () => {}): void {
  const t = p.task;
  const tlb = tlb_gather_mmu(e.k, p.mm);
  const details = { skip_cows: false, reclaim_pt: true, unmap: false };
  step(t, plugin.zap_pmd_range_done!(t, tlb, find_vma(p.mm, BASE)!, walk_pud(e.k, p.mm, BASE), BASE, BASE + M2, details), at);
  step(t, tlb_finish_mmu(t, tlb), () => {});
  p.return_to_user();
}

describe("try_to_free_pmd(): the locked recheck (model-only statistics, Stryker's pmd_reclaim.ts:199, :202)", () => {
  it("frees the empty PMD table when nothing races (the setup's control)", () => {
    const { e, p, plugin } = empty_pmd_table();
    pmd_range_done(e, p, plugin);
    expect(plugin.stats).toMatchObject({ pmd_tables_freed: 1, pmd_recheck_failed: 0, kept_for_walker: 0 });
    expect(e.k.arch.pxd_none(pud_entry(e, p, BASE))).toBe(true);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("counts pmd_recheck_failed when a fault installs a PTE table between the lockless pre-scan and pud_lock", () => {
    const { e, p, plugin } = empty_pmd_table();
    const writer = new Process(e.k, p.mm, e.k.new_task(p.mm, 1, "writer"));
    let faulted = false;
    pmd_range_done(e, p, plugin, (what) => {
      // The pre-scan has run (pmd_unmap: rcu_read_unlock); the next lock is pud_lock().
      if (!faulted && what === "spin_lock") {
        faulted = true;
        expect(writer.access(BASE + 4 * M2, true)).toBe("ok");
      }
    });
    expect(faulted).toBe(true);
    expect(plugin.stats).toMatchObject({ pmd_tables_freed: 0, pmd_recheck_failed: 1, kept_for_walker: 0 });
    expect(e.k.arch.pxd_none(pud_entry(e, p, BASE))).toBe(false);
    expect(writer.load(BASE + 4 * M2)).toBe(1);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("counts kept_for_walker (not pmd_recheck_failed) when a walker holds a reference on the PMD table itself, frees it once put", () => {
    const { e, p, plugin, pfn } = empty_pmd_table();
    pgtable_get(e.k, pfn); // a walker that sleeps holding the PMD table (taken under pud_lock)
    pmd_range_done(e, p, plugin);
    expect(plugin.stats).toMatchObject({ pmd_tables_freed: 0, pmd_recheck_failed: 0, kept_for_walker: 1 });
    expect(e.k.arch.pxd_none(pud_entry(e, p, BASE))).toBe(false);
    pgtable_put(e.k, pfn);
    pmd_range_done(e, p, plugin);
    expect(plugin.stats).toMatchObject({ pmd_tables_freed: 1, pmd_recheck_failed: 0, kept_for_walker: 1 });
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });
});

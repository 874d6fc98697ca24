/**
 * The 2022 percpu_ref design as posted: what it frees and when, what each path
 * costs in RCU grace periods, and the patch-02 finding (R1).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE } from "@mmsim/core";
import { check_exit, check_mm, execute, RandomStrategy, validateScenario } from "@mmsim/core/check";
import { percpu_ref_config } from "@mmsim/core/kernel";
import { builtinScript, runScript } from "@mmsim/core/workload";
import { describe, expect, it } from "vitest";
import { percpu, type PercpuOptions } from "./index.js";

const K = 1024;
const M = 1024 * K;
const SLOT = 0x200000000000;

function proc(o: PercpuOptions = {}) {
  const e = new Engine({ arch: x86_64(), reclaim: percpu(o) });
  const p = e.spawn();
  return { e, p, lib: percpu_ref_config(e.k) };
}

describe("percpu (seed 002)", () => {
  it("declares the 5.18 era and what it supports", () => {
    const pl = percpu();
    expect(pl.era).toBe("5.18");
    expect(pl.supports).toMatchObject({ madv_dontneed: true, madv_free: true, walker_refcount: "percpu" });
  });

  it("MADV_DONTNEED frees each emptied table at once, after one grace period for the switch and one for the free", () => {
    const { e, p, lib } = proc();
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    expect(p.status().VmPTE).toBe(16);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    expect(p.status().VmPTE).toBe(8); // PMD + PUD tables remain
    expect(lib.switches_to_atomic).toBe(2);
    expect(lib.sync_waits).toBe(2);
    expect(e.k.counters.tables_freed_rcu).toBe(2); // call_rcu(pte_free_rcu)
    expect(p.mm.counters.pte_tables_reclaimed).toBe(2);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("any range: a one-page DONTNEED frees the table once it is empty (no whole-slice condition)", () => {
    const { e, p } = proc();
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT + 8 * K, 4 * K, true);
    p.madvise(SLOT, 4 * K, MADV_DONTNEED); // a none entry: nothing zapped, but the table is checked
    expect(p.status().VmPTE).toBe(12);
    p.madvise(SLOT + 8 * K, 4 * K, MADV_DONTNEED);
    expect(p.status().VmPTE).toBe(8);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("a table that still maps pages stays, switched back to percpu mode (switch_back)", () => {
    const { e, p, lib } = proc();
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 8 * K, true);
    p.madvise(SLOT, 4 * K, MADV_DONTNEED);
    expect(p.status().VmPTE).toBe(12);
    expect(lib.switches_to_percpu).toBe(1);
    expect(p.load(SLOT + 4 * K)).not.toBe("SIGSEGV");
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("R5: with switch_back every DONTNEED of a live table waits a grace period; without, only the first", () => {
    const gps = (switch_back: boolean) => {
      const { p, lib } = proc({ switch_back });
      p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
      p.touch(SLOT, 2 * M, true);
      for (let i = 0; i < 10; i++) p.madvise(SLOT + i * 4 * K, 4 * K, MADV_DONTNEED);
      expect(p.status().VmPTE).toBe(12);
      return lib.switches_to_atomic;
    };
    expect(gps(true)).toBe(10); // one RCU grace period per MADV_DONTNEED
    expect(gps(false)).toBe(1); // the ref stays atomic: later switches return at once
  });

  it("munmap and exit (unmap_vmas: free_pte = false) leave the tables to free_pgtables", () => {
    const { e, p, lib } = proc();
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    p.munmap(SLOT, 4 * M);
    expect(lib.switches_to_atomic).toBe(0);
    expect(p.mm.counters.pte_tables_reclaimed).toBe(0);
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    p.exit();
    p.idle(10);
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("MADV_FREE leaves lazily freed tables atomic; reclaim (try_to_unmap_one) frees them; a re-dirtied page keeps its table", () => {
    const { e, p, lib } = proc();
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    p.madvise(SLOT, 4 * M, MADV_FREE);
    expect(p.status().VmPTE).toBe(16); // pages still mapped
    expect(lib.switches_to_percpu).toBe(0); // switch_back = !have_lazyfree
    p.touch(SLOT + 2 * M, 4 * K, true); // written again
    p.madvise(SLOT, 4 * M, MADV_PAGEOUT);
    expect(p.status().VmPTE).toBe(12); // the first table freed; the second keeps its re-dirtied page
    expect(lib.switches_to_percpu).toBe(1); // the re-dirty path switched it back
    expect(check_mm(e.k, p.mm)).toEqual([]);
    // The re-dirty path took and put its own reference: the table still counts its one entry.
    p.madvise(SLOT + 3 * M, 4 * K, MADV_DONTNEED); // a none entry of that table: checked, kept
    expect(p.status().VmPTE).toBe(12);
    expect(p.load(SLOT + 2 * M)).not.toBe(0);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("a walker whose pte_tryget meets a zero atomic ref frees the table itself", () => {
    const { e, p } = proc({ switch_back: false, patch02: false });
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * K, true);
    p.madvise(SLOT, 4 * K, MADV_DONTNEED); // R1: missed; the late put leaves it atomic at zero
    expect(p.status().VmPTE).toBe(12);
    expect(p.mm.counters.pte_tables_reclaimed).toBe(0);
    p.touch(SLOT, 4 * K, true); // the fault's pte_tryget fails → free_user_pte(); the fault retries on a new table
    expect(p.mm.counters.pte_tables_reclaimed).toBe(1);
    expect(p.status().VmPTE).toBe(12);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("fork's copy_pte_range() maps the parent's table without a reference (stable: mmap_write_lock): the parent's DONTNEED still frees it", () => {
    const { e, p } = proc();
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 64 * K, true);
    const c = p.fork();
    expect(c.load(SLOT)).not.toBe("SIGSEGV");
    p.madvise(SLOT, 2 * M, MADV_DONTNEED);
    expect(p.status().VmPTE).toBe(8); // a reference taken by the copy and never put would keep it
    c.madvise(SLOT, 2 * M, MADV_DONTNEED);
    expect(c.status().VmPTE).toBe(8);
    expect(check_mm(e.k, p.mm)).toEqual([]);
    expect(check_mm(e.k, c.mm)).toEqual([]);
  });

  it("a MADV_FREE that marks nothing lazyfree (only none entries in range) switches the live table back, as DONTNEED does", () => {
    const { p, lib } = proc();
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 8 * K, true);
    p.madvise(SLOT + 1 * M, 64 * K, MADV_FREE); // have_lazyfree = false: try_to_free_user_pte(..., switch_back = true)
    expect(lib.switches_to_atomic).toBe(1);
    expect(lib.switches_to_percpu).toBe(1);
    expect(p.status().VmPTE).toBe(12);
  });

  it("two faults that both meet a dead (atomic, zero) table both call free_user_pte(); the second finds the PMD cleared and leaves it", () => {
    // Without patch 02 a DONTNEED leaves the table atomic at zero (R1); each fault's
    // pte_tryget() fails and frees it itself, under pmd_lock: only one may clear the PMD.
    const s = validateScenario({
      name: "two-faults-vs-dead-table",
      description: "two threads fault into a table whose pte_ref is atomic and zero: both try free_user_pte()",
      requires: "madv_dontneed",
      setup: [
        { op: "mmap", at: 0, len: "2M" },
        { op: "touch", at: 0, len: "4K", write: true },
        { op: "madvise", at: 0, len: "4K", advice: "dontneed" },
      ],
      actors: [
        { name: "fault1", cpu: 0, ops: [{ op: "touch", at: "4K", len: "4K", write: true }] },
        { name: "fault2", cpu: 1, ops: [{ op: "touch", at: "8K", len: "4K", write: true }] },
      ],
    });
    const rnd = new RandomStrategy(1);
    for (let n = 0; n < 20 && rnd.new_execution(); n++) {
      const r = execute(s, rnd, { plugin: percpu({ patch02: false, switch_back: false }), arch: x86_64() });
      expect(r.violation).toBeNull();
    }
  });

  it("the seed loop keeps only the upper-level tables", () => {
    const { e, p } = proc();
    const r = runScript(builtinScript("seed-small")!, p);
    expect(r.statuses[1].VmPTE).toBe(12);
    p.exit();
    p.idle(10);
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("R1: without patch 02 the seed loop frees no table (the switch's own put lands after is_zero, case B)", () => {
    const { p, lib } = proc({ patch02: false });
    const r = runScript(builtinScript("seed-small")!, p);
    expect(r.statuses[1].VmPTE).toBe(2060); // every PTE table left behind, as with no reclaim
    expect(p.mm.counters.pte_tables_reclaimed).toBe(0);
    expect(lib.switches_to_atomic).toBe(512);
  });
});

describe("the manifest names the variant it runs (issue #9 §2: Stryker survivors index.ts:88, :96)", () => {
  it("patch 02 is applied unless patch02: false; switch_back is true unless switch_back: false", () => {
    expect(percpu().models).toMatch(/; switch_back true, patch 02 applied$/);
    expect(percpu({ patch02: false }).models).toMatch(/; switch_back true, patch 02 not applied$/);
    expect(percpu({ switch_back: false, patch02: true }).models).toMatch(/; switch_back false, patch 02 applied$/);
  });
});

/**
 * The kernel-era switch in the pte_offset_map() family (G2): before 6.5 the map
 * takes no RCU and pte_offset_map_lock() does not recheck pmd_same() under the
 * PTE lock; 6.5+ does both. Each difference has a test that a mutant fails: the
 * mutants are written here (a pre-6.5 pte_offset_map_lock that still rechecks, a
 * pre-6.5 map that still takes RCU) and the same observation tells them apart.
 */
import { describe, expect, it } from "vitest";
import { isMmsimError, type KernelEra, type PteMapKind } from "@mmsim/spec";
import { Engine } from "../engine.js";
import { Kernel } from "../kernel.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { run_stepped } from "../sched/runner.js";
import { spin_lock, spin_unlock } from "../sync/spinlock.js";
import { rcu_read_lock } from "../sync/rcu.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { pmd_clear, pmd_populate, pmdp_get_lockless } from "./ops.js";
import { pte_alloc_one } from "./pgalloc.js";
import { __pte_offset_map, pte_lockptr, pte_offset_map_lock, pte_unmap, pte_unmap_unlock } from "./pte_map.js";
import { pte_index } from "./offset.js";
import { walk_pmd } from "./walk.js";

const plugin = (extra: Partial<ReclaimPlugin> = {}): ReclaimPlugin => ({
  specificationVersion: "v1",
  name: "era-test",
  version: "0",
  models: "test",
  supports: {},
  ...extra,
});

describe("Kernel.era", () => {
  it("defaults to 6.18, takes the plugin's, and KernelOptions.era overrides it", () => {
    expect(new Kernel({ arch }).era).toBe("6.18");
    expect(new Kernel({ arch, reclaim: plugin() }).era).toBe("6.18");
    expect(new Kernel({ arch, reclaim: plugin({ era: "5.18" }) }).era).toBe("5.18");
    expect(new Kernel({ arch, reclaim: plugin({ era: "5.18" }), era: "6.10" }).era).toBe("6.10");
    expect(new Kernel({ arch, era: "5.14" }).era).toBe("5.14");
  });

  it("refuses an unknown era: plugin-error from the plugin, config-error from the options", () => {
    const brand = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isMmsimError(e, "plugin-error") ? "plugin-error" : isMmsimError(e, "config-error") ? "config-error" : String(e);
      }
      return "accepted";
    };
    expect(brand(() => new Kernel({ arch, reclaim: plugin({ era: "4.19" as KernelEra }) }))).toBe("plugin-error");
    expect(brand(() => new Kernel({ arch, era: "4.19" as KernelEra }))).toBe("config-error");
  });
});

/**
 * A hook that, on its first call, maps the table the PMD points at and then
 * replaces that table (pmd_clear + pmd_populate of a fresh one), as another CPU
 * would between the map and the lock (R3: a DONTNEED that frees it and a fault
 * that installs a new one). Records each call's kind.
 */
function replacing_plugin(era: KernelEra) {
  const calls: PteMapKind[] = [];
  let replaced = -1;
  let armed = false;
  const p = plugin({
    era,
    *pte_offset_map(t, pmdp, addr, kind): KPath<{ pte: number; pmdval: number } | null> {
      const k = (t as Task).k;
      if (armed) calls.push(kind);
      const pmdval = yield* pmdp_get_lockless(t as Task, pmdp);
      if (k.arch.pxd_none(pmdval)) return null;
      const m = { pte: k.pt.entry(k.arch.pxd_table_pfn(pmdval), pte_index(addr)), pmdval };
      if (armed && replaced < 0) {
        replaced = pte_alloc_one(k, (t as Task).mm! as never);
        yield* pmd_clear(t as Task, pmdp);
        yield* pmd_populate(t as Task, pmdp, replaced);
      }
      return m;
    },
    *pte_unmap() {},
  });
  return { p, calls, table: () => replaced, arm: () => (armed = true) };
}

type MapLock = (t: Task, mm: never, pmdp: number, addr: number) => KPath<number>;

/** What pte_offset_map_lock returned when the table was replaced between map and lock. */
function race(era: KernelEra, map_lock: MapLock = pte_offset_map_lock as MapLock) {
  const r = replacing_plugin(era);
  const e = new Engine({ arch, reclaim: r.p });
  const p = e.spawn();
  mmapFixed(p, SLOT, 2 * M);
  p.touch(SLOT, 4096, true);
  const k = e.k;
  const t = p.task;
  const pmdp = walk_pmd(k, p.mm, SLOT);
  const old_table = k.arch.pxd_table_pfn(k.pt.get(pmdp));
  r.arm();
  const pte = run_stepped(t, map_lock(t, p.mm as never, pmdp, SLOT));
  const ptl = t.ptl!;
  const which = (pfn: number) => (pfn === old_table ? "old" : pfn === r.table() ? "new" : "?");
  const table = which(k.pt.table_of(pte));
  const locked_table_lock = ptl === k.pt.ptl_of(old_table) ? "old" : ptl === k.pt.ptl_of(r.table()) ? "new" : "?";
  run_stepped(t, pte_unmap_unlock(t, pte, ptl));
  return { calls: r.calls.join(","), table, lock: locked_table_lock };
}

/** The mutant: a pre-6.5 pte_offset_map_lock that still rechecks pmd_same() (6.5+ code whatever the era). */
function* map_lock_always_rechecks(t: Task, _mm: never, pmdp: number, addr: number): KPath<number> {
  for (;;) {
    const pte = yield* __pte_offset_map(t, pmdp, addr);
    if (pte < 0) return -1;
    const pmdval = t.pmdval;
    const ptl = pte_lockptr(t.k, pmdval);
    yield* spin_lock(t, ptl);
    if (pmdval === (yield* pmdp_get_lockless(t, pmdp))) {
      t.ptl = ptl;
      return pte;
    }
    yield* spin_unlock(t, ptl);
    yield* pte_unmap(t, pte);
  }
}

describe("pte_offset_map_lock: the 6.5 pmd_same() recheck by era", () => {
  it("6.5+ (6.10, 6.18): a table replaced between map and lock is seen under the lock; the map is retried on the new table", () => {
    for (const era of ["6.10", "6.18"] as const) expect(race(era)).toEqual({ calls: "tryget,tryget", table: "new", lock: "new" });
  });

  it("before 6.5 (5.14, 5.18): no recheck, the caller gets the old table, locked by the old table's lock", () => {
    for (const era of ["5.14", "5.18"] as const) expect(race(era)).toEqual({ calls: "tryget", table: "old", lock: "old" });
  });

  it("the mutant (a 5.18 engine whose pte_offset_map_lock still rechecks) fails that test", () => {
    expect(race("5.18", map_lock_always_rechecks as MapLock)).not.toEqual({ calls: "tryget", table: "old", lock: "old" });
  });
});

/** rcu_read_lock depth while a default (no-hook) __pte_offset_map is held. */
function rcu_depth_while_mapped(era: KernelEra, map: (t: Task, pmdp: number, addr: number) => KPath<number> = __pte_offset_map) {
  const e = new Engine({ arch, era });
  const p = e.spawn();
  mmapFixed(p, SLOT, 2 * M);
  p.touch(SLOT, 4096, true);
  const t = p.task;
  const pmdp = walk_pmd(e.k, p.mm, SLOT);
  const before = t.rcu_read_depth;
  const pte = run_stepped(t, map(t, pmdp, SLOT));
  const depth = t.rcu_read_depth - before;
  run_stepped(t, pte_unmap(t, pte));
  return { depth, after: t.rcu_read_depth - before };
}

/** The mutant: a pre-6.5 map that takes rcu_read_lock() like 6.5+ (its unmap, the real one, drops none). */
function* map_with_rcu(t: Task, pmdp: number, addr: number): KPath<number> {
  yield* rcu_read_lock(t);
  return yield* __pte_offset_map(t, pmdp, addr);
}

describe("__pte_offset_map / pte_unmap without a hook: RCU by era", () => {
  it("6.5+: the map holds rcu_read_lock() until pte_unmap()", () => {
    for (const era of ["6.10", "6.18"] as const) expect(rcu_depth_while_mapped(era)).toEqual({ depth: 1, after: 0 });
  });
  it("before 6.5: no RCU section (the table's life is mmap_lock's business)", () => {
    for (const era of ["5.14", "5.18"] as const) expect(rcu_depth_while_mapped(era)).toEqual({ depth: 0, after: 0 });
  });
  it("the mutant (a 5.18 map that takes RCU) fails that test", () => {
    expect(rcu_depth_while_mapped("5.18", map_with_rcu)).not.toEqual({ depth: 0, after: 0 });
  });
});

/**
 * Walker kinds (G1): core tells the plugin's pte_offset_map / pte_unmap hooks
 * which kernel API each caller uses. GUP-fast (IRQs off) maps "lockless", fork's
 * source table (mmap_write_lock held) "stable", every other walker "tryget";
 * each map is ended by an unmap of the same kind. The plugin here counts kinds
 * and otherwise does what core does without a hook (6.5+: RCU).
 */
import { describe, expect, it } from "vitest";
import type { KPath, PteMapKind, PteMapping, pmd_ptr, pte_ptr, task_struct } from "../plugin/kernel.js";
import { pmdp_get_lockless, pte_offset_kernel, rcu_read_lock, rcu_read_unlock } from "../plugin/kernel.js";
import { Engine } from "../engine.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { actor_op } from "../check/actors.js";
import { run_stepped } from "../sched/runner.js";
import { arch } from "../test/arch.js";
import { M, mmapFixed } from "../test/helpers.js";
import { SCENARIO_BASE } from "../check/scenario.js";
import { MADV_DONTNEED } from "../mm/madvise.js";

type Count = Record<PteMapKind, { map: number; unmap: number }>;

function counting(): { plugin: ReclaimPlugin; count: Count; reset(): void } {
  const count: Count = { tryget: { map: 0, unmap: 0 }, stable: { map: 0, unmap: 0 }, lockless: { map: 0, unmap: 0 } };
  const plugin: ReclaimPlugin = {
    specificationVersion: "v1",
    name: "kind-counter",
    version: "0",
    models: "test: counts the pte_offset_map kinds core passes",
    supports: {},
    *pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind): KPath<PteMapping | null> {
      count[kind].map++;
      yield* rcu_read_lock(t);
      const pmdval = yield* pmdp_get_lockless(t, pmdp);
      const a = t.k.arch;
      if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_trans_huge(pmdval) || a.pxd_bad(pmdval)) {
        yield* rcu_read_unlock(t);
        count[kind].unmap++; // a failed map ends here
        return null;
      }
      return { pte: pte_offset_kernel(t.k, pmdval, addr), pmdval };
    },
    *pte_unmap(t: task_struct, _ptep: pte_ptr, kind: PteMapKind): KPath {
      count[kind].unmap++;
      yield* rcu_read_unlock(t);
    },
  };
  const reset = () => {
    for (const k of Object.values(count)) k.map = k.unmap = 0;
  };
  return { plugin, count, reset };
}

const used = (c: Count) =>
  Object.fromEntries(
    Object.entries(c)
      .filter(([, v]) => v.map > 0)
      .map(([k, v]) => [k, v.map === v.unmap ? "balanced" : `map ${v.map} unmap ${v.unmap}`]),
  );

function setup() {
  const c = counting();
  const e = new Engine({ arch, reclaim: c.plugin });
  const p = e.spawn(0);
  mmapFixed(p, SCENARIO_BASE, 2 * M);
  p.touch(SCENARIO_BASE, 64 * 1024, true);
  return { ...c, e, p };
}

describe("PteMapKind passed to the pte_offset_map / pte_unmap hooks", () => {
  it("GUP-fast maps and unmaps 'lockless' (no walker reference with IRQs off)", () => {
    const { count, reset, p } = setup();
    reset();
    const r = run_stepped(p.task, actor_op(p.task, p.mm, { op: "gup_fast", at: 0, len: "64K" }, null, "gup"));
    expect(r.result).toBe("16");
    expect(used(count)).toEqual({ lockless: "balanced" });
    expect(count.lockless.map).toBe(16);
  });

  it("faults, MADV_DONTNEED and the locked walker map 'tryget'", () => {
    const { count, reset, p } = setup();
    expect(used(count)).toEqual({ tryget: "balanced" }); // the faults of setup()
    reset();
    expect(p.madvise(SCENARIO_BASE, 2 * M, MADV_DONTNEED)).toBe(0);
    run_stepped(p.task, actor_op(p.task, p.mm, { op: "walk", at: 0, len: "2M" }, null, "walk"));
    expect(used(count)).toEqual({ tryget: "balanced" });
    expect(count.tryget.map).toBeGreaterThan(0);
  });

  it("fork maps the source table 'stable' and the child's 'tryget'", () => {
    const { count, reset, p } = setup();
    reset();
    p.fork();
    expect(used(count)).toEqual({ tryget: "balanced", stable: "balanced" });
    expect(count.stable.map).toBe(1);
  });
});

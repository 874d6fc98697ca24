/**
 * A pte_tryget_map()-style plugin (the 2021/2022 designs) for tests: its
 * pte_offset_map() refuses a "tryget" wherever `refuse` says, as if the table's
 * refcount had dropped to zero, and otherwise maps the table under RCU as core
 * does. Nobody ever frees a refused table, so a fault there retries (a fixture
 * shared by the actors and lone execution tests).
 */
import type { PteMapKind, PteMapping } from "@mmsim/spec";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { pmdp_get_lockless } from "../pgtable/ops.js";
import { pte_index } from "../pgtable/offset.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { rcu_read_lock, rcu_read_unlock } from "../sync/rcu.js";

export function trygetPlugin(name: string, models: string, refuse: (t: Task, pmdp: number, addr: number) => boolean): ReclaimPlugin {
  return {
    specificationVersion: "v1",
    name,
    version: "0",
    models,
    supports: {},
    *pte_offset_map(t: Task, pmdp: number, addr: number, kind: PteMapKind): KPath<PteMapping | null> {
      if (kind === "tryget" && refuse(t, pmdp, addr)) return null;
      yield* rcu_read_lock(t);
      const pmdval = yield* pmdp_get_lockless(t, pmdp);
      const a = t.k.arch;
      if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_trans_huge(pmdval) || a.pxd_bad(pmdval)) {
        yield* rcu_read_unlock(t, t.k.rcu);
        return null;
      }
      return { pte: t.k.pt.entry(a.pxd_table_pfn(pmdval), pte_index(addr)), pmdval };
    },
    *pte_unmap(t: Task): KPath {
      yield* rcu_read_unlock(t, t.k.rcu);
    },
  } as ReclaimPlugin;
}

/**
 * Table allocation (mm/memory.c, include/linux/pgalloc.h, mm/pgtable-generic.c):
 * __pte_alloc / pmd_install and the upper levels, each new table counted in
 * VmPTE (mm_inc_nr_ptes & co., mm/mm.ts), and the frees of tables.
 */
import type { Kernel } from "../types/kernel.js";
import type { MmStruct } from "../types/mm_types.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { PT } from "@mmsim/spec";
import { BLOCKED, sync_op } from "../sync/op.js";
import { spin_lock, spin_unlock } from "../sync/spinlock.js";
import { pmd_populate, pmdp_get, pxd_populate, pxdp_get } from "./ops.js";
import { P4D_LEVEL, PMD_LEVEL, PTE_LEVEL, PUD_LEVEL } from "./store.js";
import { pmd_table_pud_same } from "./upper_map.js";
import { mm_inc_nr_pmds, mm_inc_nr_ptes, mm_inc_nr_puds } from "../mm/mm.js";

/** pte_alloc_one() + pagetable_pte_ctor(): returns the table's PFN. */
export function pte_alloc_one(k: Kernel, mm: MmStruct): number {
  const pfn = k.pt.alloc(PTE_LEVEL, mm.id);
  mm.counters.pgtables_allocated[0]++;
  k.hooks.pte_table_ctor?.(k, mm, pfn);
  return pfn;
}

/** pte_free() (pagetable_dtor + free): immediate, for tables never made visible or already unreachable. */
export function pte_free(k: Kernel, mm: MmStruct, pfn: number): void {
  k.hooks.pte_table_dtor?.(k, mm, pfn);
  k.sanitizer?.table_freed(pfn);
  mm.counters.pgtables_freed[0]++;
  k.pt.free(pfn);
}

/**
 * pte_free_defer() (mm/pgtable-generic.c): free a PTE table after an RCU grace
 * period, for callers that unlinked it from under lockless walkers (khugepaged,
 * the 2024 freept design). No TLB flush is implied: the caller flushes first.
 */
export function pte_free_defer(t: Task, mm: MmStruct, pfn: number): void {
  const k = t.k;
  k.sanitizer?.table_unlinked(t, pfn);
  // pagetable_dtor() runs in the RCU callback (pte_free_now → Kernel.__tlb_remove_table).
  mm.counters.pgtables_freed[0]++;
  k.counters.tables_deferred++;
  k.arch.pte_free_defer(k.table_free_target(mm), pfn);
}

/** Free an upper-level table (pmd_free / pud_free / p4d_free). */
export function pxd_free(k: Kernel, mm: MmStruct, pfn: number): void {
  const level = k.pt.level_of(pfn);
  mm.counters.pgtables_freed[level - 1]++;
  if (k.rcu_upper) k.sanitizer?.table_freed(pfn); // an immediate free of a table walkers may reach (Kernel.rcu_upper)
  k.pt.free(pfn);
}

function pxd_alloc_one(k: Kernel, mm: MmStruct, level: number): number {
  mm.counters.pgtables_allocated[level - 1]++;
  return k.pt.alloc(level, mm.id);
}

/** pmd_lockptr(): the split PMD lock lives in the PMD table's ptdesc. */
export function pmd_lockptr(k: Kernel, pmdp: number) {
  return k.pt.ptl_at(pmdp);
}

/** pmd_lock(mm, pmd) */
export function* pmd_lock(t: Task, pmdp: number): KPath<ReturnType<typeof pmd_lockptr>> {
  const ptl = pmd_lockptr(t.k, pmdp);
  yield* spin_lock(t, ptl);
  return ptl;
}

/**
 * pmd_install(): publish a new PTE table under the PMD lock unless another did.
 * With a plugin's pmd_install_get hook this is the 2021 pte_refcount's
 * pmd_install_get() (v2 5/9), which every __pte_alloc() went through: once the
 * PMD maps a PTE table the hook takes the caller's reference, pte_ref_init(pte,
 * pmd, 1) for a table installed here, pte_get_unless_zero() for one another
 * installed; when that fails the table is dying, so drop the lock and retry
 * until free_pte_table() has cleared the PMD. Returns true when the caller holds
 * a reference (to drop with pte_put()).
 */
export function* pmd_install(t: Task, mm: MmStruct, pmdp: number, table: { pfn: number }): KPath<boolean> {
  const a = t.k.arch;
  const hook = t.k.hooks.pmd_install_get;
  for (;;) {
    // retry:
    const ptl = yield* pmd_lock(t, pmdp);
    const pmd = yield* pmdp_get(t, pmdp);
    let got = false;
    // Kernel.rcu_upper: the PMD table itself may have been unlinked (pud_clear under
    // pud_lock + this pmd_lock) since the caller's pmd_offset_map(): recheck
    // pud_same() and install nothing into a detached table (the caller's
    // pte_offset_map_lock() then fails on the none PMD and the fault retries).
    if (t.k.rcu_upper && a.pxd_none(pmd) && !(yield* pmd_table_pud_same(t, pmdp))) {
      yield* spin_unlock(t, ptl);
      return false;
    }
    if (a.pxd_none(pmd)) {
      /* Has another populated it ? */
      mm_inc_nr_ptes(mm);
      /* smp_wmb(): the table is zeroed before it becomes visible */
      yield* pmd_populate(t, pmdp, table.pfn);
      if (hook !== null) got = yield* hook(t, mm, pmdp, true);
      table.pfn = 0;
    } else if (hook !== null && pmd_is_pte_table(t.k, pmd)) {
      got = yield* hook(t, mm, pmdp, false);
      if (!got) {
        yield* spin_unlock(t, ptl);
        yield* pmd_install_retry_wait(t, pmdp, pmd);
        continue; // goto retry
      }
    }
    yield* spin_unlock(t, ptl);
    return got;
  }
}

/**
 * pmd_install_get()'s `goto retry` on a dying table, as one primitive that
 * cannot proceed while the PMD still maps that table. In Linux the retrying
 * pmd_lock() queues behind the freer's (qspinlock is FIFO, and the freer runs on
 * its own CPU), so free_pte_table() clears the PMD before the retry can succeed;
 * the model's spinlock is not fair and the explorer may run the spinner forever,
 * a livelock Linux does not have. Model difference: a busy-wait is a wait, so a
 * preempted freer (CONFIG_PREEMPT, an RT spinner on the same CPU) is not explored.
 */
const pmd_changed = (t: Task, pmdp: number, pmdval: number) => (t.k.pt.get(pmdp) === pmdval ? BLOCKED : undefined);
const pmd_install_retry_wait = (t: Task, pmdp: number, pmdval: number) => t.op.set(PT.READ, "pmd_install_get: goto retry", pmd_changed, pmdp, pmdval, null);
export const pmd_install_retry_wait$sync = sync_op("pmd_install_get: goto retry", pmd_changed);

/** The PMD maps a PTE table (not none, present, not a huge leaf, not bad). */
function pmd_is_pte_table(k: Kernel, pmd: number): boolean {
  const a = k.arch;
  return !a.pxd_none(pmd) && a.pxd_present(pmd) && !a.pmd_trans_huge(pmd) && !a.pxd_bad(pmd);
}

/** __pte_alloc(mm, pmd): 0, or -ENOMEM. */
export function* __pte_alloc(t: Task, mm: MmStruct, pmdp: number): KPath<number> {
  yield* __pte_alloc_get(t, mm, pmdp);
  return 0;
}

/**
 * __pte_alloc_get(mm, pmd) (2021 v2 5/9): allocate, install or find the table,
 * and return holding a reference when the plugin keeps them (true). The model
 * never fails an allocation, so there is no -ENOMEM.
 */
export function* __pte_alloc_get(t: Task, mm: MmStruct, pmdp: number): KPath<boolean> {
  const k = t.k;
  const table = { pfn: pte_alloc_one(k, mm) };
  const got = yield* pmd_install(t, mm, pmdp, table);
  if (table.pfn) pte_free(k, mm, table.pfn);
  return got;
}

/** pte_alloc(mm, pmd): allocate only if the PMD is none. Returns nonzero on failure. */
export function* pte_alloc(t: Task, mm: MmStruct, pmdp: number): KPath<number> {
  if (!t.k.arch.pxd_none(t.k.pt.get(pmdp))) return 0;
  return yield* __pte_alloc(t, mm, pmdp);
}

/**
 * pte_alloc_get(mm, pmd) (2021 v2 5/9): pte_alloc() that returns holding a
 * reference on the table (true) when the plugin has a pmd_install_get hook:
 *
 *   ptl = pmd_lock(mm, pmdp);
 *   if (pmd_none(*pmdp) || !pte_get_unless_zero(pmdp)) {
 *           spin_unlock(ptl);
 *           return __pte_alloc_get(mm, pmdp);
 *   }
 *   spin_unlock(ptl);
 *
 * Without the hook it is pte_alloc() and returns false. Model difference: the
 * 2021 Kconfig excluded THP; a PMD that is a huge leaf here returns false (no
 * reference, and the caller's pte_offset_map_lock() fails as it does today).
 */
export function* pte_alloc_get(t: Task, mm: MmStruct, pmdp: number): KPath<boolean> {
  const k = t.k;
  const hook = k.hooks.pmd_install_get;
  if (hook === null) {
    yield* pte_alloc(t, mm, pmdp);
    return false;
  }
  const ptl = yield* pmd_lock(t, pmdp);
  const pmd = yield* pmdp_get(t, pmdp);
  if (!k.arch.pxd_none(pmd)) {
    if (!pmd_is_pte_table(k, pmd)) {
      yield* spin_unlock(t, ptl);
      return false;
    }
    if (yield* hook(t, mm, pmdp, false)) {
      yield* spin_unlock(t, ptl);
      return true;
    }
  }
  yield* spin_unlock(t, ptl);
  return yield* __pte_alloc_get(t, mm, pmdp);
}

/** pte_put(mm, pmd, addr): drop the reference pte_alloc_get() returned (the plugin's pte_put hook). */
export function* pte_put(t: Task, mm: MmStruct, pmdp: number, addr: number): KPath {
  const hook = t.k.hooks.pte_put;
  if (hook !== null) yield* hook(t, mm, pmdp, addr);
}

/** __pmd_alloc(): pud_lock is mm->page_table_lock on x86_64. */
export function* __pmd_alloc(t: Task, mm: MmStruct, pudp: number): KPath<number> {
  const k = t.k;
  const pfn = pxd_alloc_one(k, mm, PMD_LEVEL);
  yield* spin_lock(t, mm.page_table_lock);
  if (!k.arch.pxd_present(yield* pxdp_get(t, pudp))) {
    mm_inc_nr_pmds(mm);
    yield* pxd_populate(t, pudp, pfn);
  } else pxd_free(k, mm, pfn);
  yield* spin_unlock(t, mm.page_table_lock);
  return 0;
}

/** __pud_alloc() */
export function* __pud_alloc(t: Task, mm: MmStruct, p4dp: number): KPath<number> {
  const k = t.k;
  const pfn = pxd_alloc_one(k, mm, PUD_LEVEL);
  yield* spin_lock(t, mm.page_table_lock);
  if (!k.arch.pxd_present(yield* pxdp_get(t, p4dp))) {
    mm_inc_nr_puds(mm);
    yield* pxd_populate(t, p4dp, pfn);
  } else pxd_free(k, mm, pfn);
  yield* spin_unlock(t, mm.page_table_lock);
  return 0;
}

/** __p4d_alloc(): P4D pages are not counted in pgtables_bytes. */
export function* __p4d_alloc(t: Task, mm: MmStruct, pgdp: number): KPath<number> {
  const k = t.k;
  const pfn = pxd_alloc_one(k, mm, P4D_LEVEL);
  yield* spin_lock(t, mm.page_table_lock);
  if (k.arch.pxd_present(yield* pxdp_get(t, pgdp))) pxd_free(k, mm, pfn);
  else yield* pxd_populate(t, pgdp, pfn);
  yield* spin_unlock(t, mm.page_table_lock);
  return 0;
}

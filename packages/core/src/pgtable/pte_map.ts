/**
 * Mapping a PTE table for a walker (mm/pgtable-generic.c, Linux 6.5+):
 * __pte_offset_map() takes rcu_read_lock() and reads the PMD once; the table stays
 * valid (perhaps empty and detached) until pte_unmap() drops RCU. The _lock variant
 * takes the split PTE lock and rechecks pmd_same(), so a PMD cleared under the PTE
 * lock evicts racing writers. A reclaim plugin may replace this protection (the 2021
 * and 2022 designs' pte_tryget_map) through its `pte_offset_map`/`pte_unmap` hooks.
 */
import type { Kernel } from "../types/kernel.js";
import type { MmStruct } from "../types/mm_types.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { rcu_read_lock, rcu_read_unlock } from "../sync/rcu.js";
import { spin_lock, spin_unlock, type SpinLock } from "../sync/spinlock.js";
import { pmdp_get_lockless } from "./ops.js";
import { pte_index } from "./offset.js";

/** pte_lockptr(mm, pmdval): the split lock in the ptdesc of the table pmdval points at. */
export function pte_lockptr(k: Kernel, pmdval: number): SpinLock {
  return k.pt.ptl_of(k.arch.pxd_table_pfn(pmdval));
}

/**
 * __pte_offset_map(pmd, addr, &pmdval): returns the PTE pointer, or -1 (NULL) when
 * the PMD is none, not present, a THP leaf, or bad. Core's own callers find the PMD
 * value read in t.pmdval (an out-parameter kept on the task so the hot paths
 * allocate nothing); plugins get it as an explicit result from @mmsim/core/kernel.
 */
export function* __pte_offset_map(t: Task, pmdp: number, addr: number): KPath<number> {
  const k = t.k;
  const hook = k.hooks.pte_offset_map;
  if (hook !== null) {
    const m = yield* hook(t, pmdp, addr);
    if (m === null) return -1;
    t.pmdval = m.pmdval;
    return m.pte;
  }
  yield* rcu_read_lock(t);
  const pmdval = yield* pmdp_get_lockless(t, pmdp);
  t.pmdval = pmdval;
  const a = k.arch;
  if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_trans_huge(pmdval) || a.pxd_bad(pmdval)) {
    yield* rcu_read_unlock(t, k.rcu);
    return -1;
  }
  return k.pt.entry(a.pxd_table_pfn(pmdval), pte_index(addr));
}

/** pte_offset_map(pmd, addr) */
export const pte_offset_map = __pte_offset_map;

/** pte_unmap(pte) */
export function* pte_unmap(t: Task, ptep: number): KPath {
  const hook = t.k.hooks.pte_unmap;
  if (hook !== null) return yield* hook(t, ptep);
  yield* rcu_read_unlock(t, t.k.rcu);
}

/** pte_offset_map_lock(mm, pmd, addr, &ptl): the lock is left in t.ptl. */
export function* pte_offset_map_lock(t: Task, _mm: MmStruct, pmdp: number, addr: number): KPath<number> {
  const k = t.k;
  for (;;) {
    const pte = yield* __pte_offset_map(t, pmdp, addr);
    if (pte < 0) return -1;
    const pmdval = t.pmdval;
    const ptl = pte_lockptr(k, pmdval);
    yield* spin_lock(t, ptl);
    if (pmdval === (yield* pmdp_get_lockless(t, pmdp))) {
      t.ptl = ptl;
      return pte;
    }
    yield* spin_unlock(t, ptl);
    yield* pte_unmap(t, pte);
  }
}

/** pte_unmap_unlock(pte, ptl) */
export function* pte_unmap_unlock(t: Task, ptep: number, ptl: SpinLock): KPath {
  yield* spin_unlock(t, ptl);
  yield* pte_unmap(t, ptep);
}

/**
 * pte_offset_map_rw_nolock(mm, pmd, addr, &pmdval, &ptl): maps without locking and
 * returns the lock pointer (t.ptl) and the PMD value seen (t.pmdval); the caller
 * must recheck pmd_same() or pte_same() after taking the lock.
 */
export function* pte_offset_map_rw_nolock(t: Task, _mm: MmStruct, pmdp: number, addr: number): KPath<number> {
  const pte = yield* __pte_offset_map(t, pmdp, addr);
  if (pte >= 0) t.ptl = pte_lockptr(t.k, t.pmdval);
  return pte;
}

/** pte_offset_map_ro_nolock(mm, pmd, addr, &ptl): read-only use. */
export const pte_offset_map_ro_nolock = pte_offset_map_rw_nolock;

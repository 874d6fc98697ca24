/**
 * Mapping a PTE table for a walker (mm/pgtable-generic.c, Linux 6.5+):
 * __pte_offset_map() takes rcu_read_lock() and reads the PMD once; the table stays
 * valid (perhaps empty and detached) until pte_unmap() drops RCU. The _lock variant
 * takes the split PTE lock and rechecks pmd_same(), so a PMD cleared under the PTE
 * lock evicts racing writers. A reclaim plugin may replace this protection (the 2021
 * and 2022 designs' pte_tryget_map) through its `pte_offset_map`/`pte_unmap` hooks;
 * core passes each call's PteMapKind ("tryget" unless a caller says otherwise).
 *
 * Kernel era (k.era): before 6.5 (5.14, 5.18; the rework is Hugh Dickins' series,
 * 0d940a9b270b "mm/pgtable: allow pte_offset_map[_lock]() to fail", v6.5) the
 * family took no rcu_read_lock(), could not fail, and pte_offset_map_lock() was
 * `ptl = pte_lockptr(mm, pmd); pte = pte_offset_map(pmd, addr); spin_lock(ptl)`
 * with no pmd_same() recheck: the caller had checked the PMD before (pmd_none /
 * pmd_trans_unstable) and mmap_lock kept it stable. Model difference: the old
 * caller's PMD check is folded in here (none/huge/bad PMD → -1), and the PMD is
 * read once where the 5.x macro read it twice (pte_lockptr, pte_offset_kernel);
 * under mmap_lock both reads saw the same value.
 */
import type { KernelEra, PteMapKind } from "@mmsim/spec";
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
 * Whether the era's pte_offset_map() family is the 6.5+ one (RCU, may fail,
 * pte_offset_map_lock() rechecks pmd_same() under the PTE lock).
 */
export function pte_map_rcu_era(era: KernelEra): boolean {
  return era !== "5.14" && era !== "5.18";
}

/**
 * __pte_offset_map(pmd, addr, &pmdval): returns the PTE pointer, or -1 (NULL) when
 * the PMD is none, not present, a THP leaf, or bad. Core's own callers find the PMD
 * value read in t.pmdval (an out-parameter kept on the task so the hot paths
 * allocate nothing); plugins get it as an explicit result from @mmsim/core/kernel.
 * `kind` goes to the plugin's hook (which decides what each kind takes); without
 * a hook it changes nothing. Before 6.5 (no hook): no RCU, see the file comment.
 */
export function* __pte_offset_map(t: Task, pmdp: number, addr: number, kind: PteMapKind = "tryget"): KPath<number> {
  const k = t.k;
  const hook = k.hooks.pte_offset_map;
  if (hook !== null) {
    const m = yield* hook(t, pmdp, addr, kind);
    if (m === null) return -1;
    t.pmdval = m.pmdval;
    return m.pte;
  }
  const rcu = pte_map_rcu_era(k.era);
  if (rcu) yield* rcu_read_lock(t);
  const pmdval = yield* pmdp_get_lockless(t, pmdp);
  t.pmdval = pmdval;
  const a = k.arch;
  if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_trans_huge(pmdval) || a.pxd_bad(pmdval)) {
    if (rcu) yield* rcu_read_unlock(t, k.rcu);
    return -1;
  }
  return k.pt.entry(a.pxd_table_pfn(pmdval), pte_index(addr));
}

/** pte_offset_map(pmd, addr) */
export const pte_offset_map = __pte_offset_map;

/** pte_unmap(pte): the plugin's hook with the caller's `kind`; else rcu_read_unlock() (6.5+), nothing before 6.5 (x86_64 has no kmap). */
export function* pte_unmap(t: Task, ptep: number, kind: PteMapKind = "tryget"): KPath {
  const hook = t.k.hooks.pte_unmap;
  if (hook !== null) return yield* hook(t, ptep, kind);
  if (pte_map_rcu_era(t.k.era)) yield* rcu_read_unlock(t, t.k.rcu);
}

/**
 * pte_offset_map_lock(mm, pmd, addr, &ptl): the lock is left in t.ptl. 6.5+:
 * rechecks pmd_same() under the lock and retries; before 6.5: maps, locks the
 * table's lock, returns (no recheck).
 */
export function* pte_offset_map_lock(t: Task, _mm: MmStruct, pmdp: number, addr: number, kind: PteMapKind = "tryget"): KPath<number> {
  const k = t.k;
  const recheck = pte_map_rcu_era(k.era);
  for (;;) {
    const pte = yield* __pte_offset_map(t, pmdp, addr, kind);
    if (pte < 0) return -1;
    const pmdval = t.pmdval;
    const ptl = pte_lockptr(k, pmdval);
    yield* spin_lock(t, ptl);
    if (!recheck || pmdval === (yield* pmdp_get_lockless(t, pmdp))) {
      t.ptl = ptl;
      return pte;
    }
    yield* spin_unlock(t, ptl);
    yield* pte_unmap(t, pte, kind);
  }
}

/** pte_unmap_unlock(pte, ptl) */
export function* pte_unmap_unlock(t: Task, ptep: number, ptl: SpinLock, kind: PteMapKind = "tryget"): KPath {
  yield* spin_unlock(t, ptl);
  yield* pte_unmap(t, ptep, kind);
}

/**
 * pte_offset_map_rw_nolock(mm, pmd, addr, &pmdval, &ptl): maps without locking and
 * returns the lock pointer (t.ptl) and the PMD value seen (t.pmdval); the caller
 * must recheck pmd_same() or pte_same() after taking the lock.
 */
export function* pte_offset_map_rw_nolock(t: Task, _mm: MmStruct, pmdp: number, addr: number, kind: PteMapKind = "tryget"): KPath<number> {
  const pte = yield* __pte_offset_map(t, pmdp, addr, kind);
  if (pte >= 0) t.ptl = pte_lockptr(t.k, t.pmdval);
  return pte;
}

/** pte_offset_map_ro_nolock(mm, pmd, addr, &ptl): read-only use. */
export const pte_offset_map_ro_nolock = pte_offset_map_rw_nolock;

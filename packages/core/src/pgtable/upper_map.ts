/**
 * Mapping PMD and PUD tables for a walker: seed 001's "another plan" (issue #12
 * §4, notes (g)), shaped like __pte_offset_map() one and two levels up:
 *
 *   pmd_offset_map(pud, addr): rcu_read_lock(); pudval = READ_ONCE(*pud);
 *     none / not present / leaf / bad → rcu_read_unlock(), NULL;
 *     else the PMD pointer in the table pudval maps, valid (perhaps detached
 *     and empty) until pmd_unmap() drops RCU.
 *   pud_offset_map(p4d, addr): the same for the PUD table a P4D entry maps.
 *
 * Lockers take pmd_lock() (the split lock in the PMD table's ptdesc) or
 * pud_lock() (mm->page_table_lock on x86_64 and arm64) and recheck pud_same(),
 * so a PMD table unlinked under pud_lock + pmd_lock evicts racing writers,
 * exactly as a PTE table unlinked under pmd_lock + PTL does at 6.5+.
 *
 * Only with Kernel.rcu_upper (KernelOptions.rcu_upper_levels): without it
 * upper-level tables live until free_pgtables() under the mmap write lock, as in
 * every Linux release, and pmd_walk_map() is the old lookup with no preemption
 * point (byte-identical runs). Model differences: no PUD leaves (1 GiB pages)
 * exist in the model, so "leaf" is checked at the PMD level only; the walker's
 * cond_resched() points (zap_pmd_range, walk_pmd_range) are not modelled, so no
 * path needs to drop the RCU section midway (in Linux they would, like
 * zap_pte_range's need_resched() break).
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { MmStruct } from "../types/mm_types.js";
import { rcu_read_lock, rcu_read_unlock } from "../sync/rcu.js";
import { spin_lock } from "../sync/spinlock.js";
import type { SpinLock } from "../sync/spinlock.js";
import { pxdp_get } from "./ops.js";
import { pgd_offset, p4d_offset } from "./offset.js";
import { walk_pmd } from "./walk.js";

/** The arch-independent test: does an upper-level entry map a table? */
function maps_table(t: Task, v: number): boolean {
  const a = t.k.arch;
  return !a.pxd_none(v) && a.pxd_present(v) && !a.pxd_bad(v) && !a.pmd_leaf(v);
}

/** pmd_offset_map(pud, addr): the PMD pointer, or -1 (RCU dropped). The PUD value read is left in t.pudval. */
export function* pmd_offset_map(t: Task, pudp: number, addr: number): KPath<number> {
  const k = t.k;
  yield* rcu_read_lock(t);
  const pudval = yield* pxdp_get(t, pudp);
  t.pudval = pudval;
  if (!maps_table(t, pudval)) {
    yield* rcu_read_unlock(t, k.rcu);
    return -1;
  }
  return k.pt.entry(k.arch.pxd_table_pfn(pudval), Math.floor(addr / k.PMD_SIZE) % 512);
}

/** pmd_unmap(pmd): rcu_read_unlock(). */
export function* pmd_unmap(t: Task): KPath {
  yield* rcu_read_unlock(t, t.k.rcu);
}

/** pud_offset_map(p4d, addr): the PUD pointer, or -1 (RCU dropped). */
export function* pud_offset_map(t: Task, p4dp: number, addr: number): KPath<number> {
  const k = t.k;
  yield* rcu_read_lock(t);
  const p4dval = yield* pxdp_get(t, p4dp);
  if (!maps_table(t, p4dval)) {
    yield* rcu_read_unlock(t, k.rcu);
    return -1;
  }
  return k.pt.entry(k.arch.pxd_table_pfn(p4dval), Math.floor(addr / k.PUD_SIZE) % 512);
}

/** pud_unmap(pud): rcu_read_unlock(). */
export function* pud_unmap(t: Task): KPath {
  yield* rcu_read_unlock(t, t.k.rcu);
}

/**
 * pud_same() for the PMD table holding `pmdp`, with its pmd_lock held: the PUD
 * entry that linked the table in still maps it. A PMD-table reclaimer clears that
 * PUD under pud_lock + this pmd_lock, so a writer that sees it unchanged here
 * writes into a table that stays linked until it unlocks. (The model finds the
 * PUD through the table's back-pointer, ptdesc's parent; Linux's callers pass
 * the pud pointer and value they mapped from.)
 */
export function* pmd_table_pud_same(t: Task, pmdp: number): KPath<boolean> {
  const k = t.k;
  const pfn = k.pt.table_of(pmdp);
  const pudp = k.pt.parent_of(pfn);
  if (pudp < 0) return false;
  const pudval = yield* pxdp_get(t, pudp);
  return pudval === k.arch.mk_table_entry(pfn);
}

/** pud_lockptr(mm, pud): mm->page_table_lock (x86_64 and arm64 have no split PUD lock). */
export function pud_lockptr(mm: MmStruct): SpinLock {
  return mm.page_table_lock as SpinLock;
}

/** pud_lock(mm, pud) */
export function* pud_lock(t: Task, mm: MmStruct): KPath<SpinLock> {
  const l = pud_lockptr(mm);
  yield* spin_lock(t, l);
  return l;
}

/** The P4D entry pointer for addr: the PGD entry on 4-level paging (folded), else -1 when the PGD entry is none. */
function p4d_of(t: Task, mm: MmStruct, addr: number): number {
  const k = t.k;
  const pgdp = pgd_offset(k, mm, addr);
  if (!k.arch.p4d_folded && k.arch.pxd_none(k.pt.get(pgdp))) return -1;
  return p4d_offset(k, pgdp, addr);
}

/**
 * The PMD entry pointer covering addr for a walker that holds no page-table
 * lock, or -1 where an upper level is none. With Kernel.rcu_upper:
 * pud_offset_map() then pmd_offset_map(), both RCU sections held until
 * pmd_walk_unmap() (only when the result is >= 0). Without it: walk_pmd(), no
 * preemption point, nothing to unmap (the old code path, unchanged).
 */
export function* pmd_walk_map(t: Task, mm: MmStruct, addr: number): KPath<number> {
  const k = t.k;
  if (!k.rcu_upper) return walk_pmd(k, mm, addr);
  const p4dp = p4d_of(t, mm, addr);
  if (p4dp < 0) return -1;
  const pudp = yield* pud_offset_map(t, p4dp, addr);
  if (pudp < 0) return -1;
  const pmdp = yield* pmd_offset_map(t, pudp, addr);
  if (pmdp < 0) {
    yield* pud_unmap(t);
    return -1;
  }
  return pmdp;
}

/** Undo a successful pmd_walk_map(). */
export function* pmd_walk_unmap(t: Task): KPath {
  if (!t.k.rcu_upper) return;
  yield* pmd_unmap(t);
  yield* pud_unmap(t);
}

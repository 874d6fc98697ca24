/**
 * The pte_offset_map() family for plugins (mm/pgtable-generic.c, Linux 6.5+; k.era selects the 5.x one),
 * with the C out-parameters (&pmdval, &ptl) returned as explicit results. Core's
 * own callers use pgtable/pte_map.ts, which keeps them on the task so the hot
 * paths allocate nothing; these wrap those, so the kernel function names (and
 * the explorer's traces) are the same. Each takes an optional PteMapKind
 * (default "tryget"), passed to the plugin's own pte_offset_map hook.
 */
import type { KPath, PteMapKind, mm_struct, pmd_ptr, pmd_t, pte_ptr, spinlock_t, task_struct } from "@mmsim/spec";
import type { MmStruct } from "../mm/mm_struct.js";
import { __pte_offset_map as ___pte_offset_map, pte_offset_map_lock as _pte_offset_map_lock, pte_offset_map_rw_nolock as _pte_offset_map_rw_nolock } from "../pgtable/pte_map.js";
import type { Task } from "../sched/task.js";

const T = (t: task_struct) => t as Task;
const MM = (mm: mm_struct) => mm as MmStruct;

/** __pte_offset_map(pmd, addr, &pmdval): maps the PTE table (RCU, or the plugin's pte_offset_map hook); null when the PMD maps none. */
export function* __pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): KPath<{ pte: pte_ptr; pmdval: pmd_t } | null> {
  const pte = yield* ___pte_offset_map(T(t), pmdp, addr, kind);
  return pte < 0 ? null : { pte, pmdval: T(t).pmdval };
}

/** pte_offset_map(pmd, addr): the mapped PTE pointer, or null. */
export function* pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): KPath<pte_ptr | null> {
  const pte = yield* ___pte_offset_map(T(t), pmdp, addr, kind);
  return pte < 0 ? null : pte;
}

/** pte_offset_map_lock(mm, pmd, addr, &ptl): mapped and locked, the PMD rechecked under the lock (6.5+; not in the 5.14/5.18 eras); null when it maps no table. */
export function* pte_offset_map_lock(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): KPath<{ pte: pte_ptr; ptl: spinlock_t } | null> {
  const pte = yield* _pte_offset_map_lock(T(t), MM(mm), pmdp, addr, kind);
  return pte < 0 ? null : { pte, ptl: T(t).ptl! };
}

/**
 * pte_offset_map_rw_nolock(mm, pmd, addr, &pmdval, &ptl): mapped, not locked; the
 * caller must recheck pmd_same() (or pte_same()) after taking `ptl`.
 */
export function* pte_offset_map_rw_nolock(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): KPath<{ pte: pte_ptr; pmdval: pmd_t; ptl: spinlock_t } | null> {
  const pte = yield* _pte_offset_map_rw_nolock(T(t), MM(mm), pmdp, addr, kind);
  return pte < 0 ? null : { pte, pmdval: T(t).pmdval, ptl: T(t).ptl! };
}

/** pte_offset_map_ro_nolock(mm, pmd, addr, &ptl): read-only use. */
export function* pte_offset_map_ro_nolock(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): KPath<{ pte: pte_ptr; ptl: spinlock_t } | null> {
  const pte = yield* _pte_offset_map_rw_nolock(T(t), MM(mm), pmdp, addr, kind);
  return pte < 0 ? null : { pte, ptl: T(t).ptl! };
}

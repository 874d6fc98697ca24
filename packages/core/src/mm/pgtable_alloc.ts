/**
 * The allocating upper-level walk of include/linux/mm.h (p4d_alloc, pud_alloc,
 * pmd_alloc) for the paths that build another range's or another mm's tables:
 * fork's copy_page_range(), mremap's alloc_new_pmd() and MADV_GUARD_INSTALL's
 * install walk (mm/madvise_guard.ts). Each returns the entry
 * pointer at its level, or -1 on -ENOMEM (the model never fails an allocation).
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { __p4d_alloc, __pmd_alloc, __pud_alloc } from "../pgtable/pgalloc.js";
import { p4d_offset, pgd_offset, pmd_offset, pud_offset } from "../pgtable/offset.js";
import type { MmStruct } from "./mm_struct.js";

/** p4d_alloc(mm, pgd, addr): on 4-level paging the P4D is folded into the PGD entry. */
export function* p4d_alloc(t: Task, mm: MmStruct, pgdp: number, addr: number): KPath<number> {
  const k = t.k;
  if (!k.arch.p4d_folded && k.arch.pxd_none(k.pt.get(pgdp)) && (yield* __p4d_alloc(t, mm, pgdp))) return -1;
  return p4d_offset(k, pgdp, addr);
}

/** pud_alloc(mm, p4d, addr) */
export function* pud_alloc(t: Task, mm: MmStruct, p4dp: number, addr: number): KPath<number> {
  const k = t.k;
  if (k.arch.pxd_none(k.pt.get(p4dp)) && (yield* __pud_alloc(t, mm, p4dp))) return -1;
  return pud_offset(k, p4dp, addr);
}

/** pmd_alloc(mm, pud, addr) */
export function* pmd_alloc(t: Task, mm: MmStruct, pudp: number, addr: number): KPath<number> {
  const k = t.k;
  if (k.arch.pxd_none(k.pt.get(pudp)) && (yield* __pmd_alloc(t, mm, pudp))) return -1;
  return pmd_offset(k, pudp, addr);
}

/** The PMD entry pointer for `addr` in `mm`, allocating the levels above it (mremap's alloc_new_pmd(); the guard install walk). */
export function* alloc_new_pmd(t: Task, mm: MmStruct, addr: number): KPath<number> {
  const p4dp = yield* p4d_alloc(t, mm, pgd_offset(t.k, mm, addr), addr);
  if (p4dp < 0) return -1;
  const pudp = yield* pud_alloc(t, mm, p4dp, addr);
  if (pudp < 0) return -1;
  return yield* pmd_alloc(t, mm, pudp, addr);
}

/** The PUD entry pointer for `addr` in `mm`, allocating the levels above it (mremap's alloc_new_pud()). */
export function* alloc_new_pud(t: Task, mm: MmStruct, addr: number): KPath<number> {
  const p4dp = yield* p4d_alloc(t, mm, pgd_offset(t.k, mm, addr), addr);
  if (p4dp < 0) return -1;
  return yield* pud_alloc(t, mm, p4dp, addr);
}

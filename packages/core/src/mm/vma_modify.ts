/**
 * Splitting and merging anonymous VMAs (mm/vma.c): __split_vma, the mergeability
 * rules (is_mergeable_vma, is_mergeable_anon_vma, pgoff continuity) and the merges
 * that mmap_region (vma_merge_new_range) and mprotect/madvise (vma_modify_flags →
 * vma_merge_existing_range) attempt.
 */
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { split_huge_pmd_address } from "./huge_memory.js";
import type { MmStruct } from "./mm_struct.js";
import { shmem_evict_inode } from "./shmem.js";
import { Vma } from "./vma.js";
import { vma_start_write } from "./mmap_lock.js";

/** VM_SOFTDIRTY is ignored when comparing flags (VM_IGNORE_MERGE). */
const VM_SOFTDIRTY = 0x8000000;

/** is_mergeable_anon_vma(): either has none yet, or both share one. */
function is_mergeable_anon_vma(a1: number, a2: number): boolean {
  return !a1 || !a2 || a1 === a2;
}

/** Could `a` (below) and `b` (above, adjacent) be one VMA? */
export function can_merge(a: Vma, b: Vma): boolean {
  return (
    a.vm_end === b.vm_start &&
    ((a.vm_flags ^ b.vm_flags) & ~VM_SOFTDIRTY) === 0 &&
    a.vm_file === b.vm_file &&
    is_mergeable_anon_vma(a.anon_vma, b.anon_vma) &&
    a.vm_pgoff + a.pages === b.vm_pgoff
  );
}

/** Merge `b` into `a` (a below b); `b` leaves the tree. */
export function vma_merge_pair(k: Kernel, mm: MmStruct, a: Vma, b: Vma): Vma {
  a.vm_end = b.vm_end;
  if (!a.anon_vma) a.anon_vma = b.anon_vma;
  mm.mm_mt.remove(b);
  vma_close(k, b);
  return a;
}

/** Try to merge `v` with its neighbours; returns the VMA that now covers it. */
export function vma_merge_neighbours(k: Kernel, mm: MmStruct, v: Vma): Vma {
  const prev = mm.mm_mt.prev_of(v);
  if (prev && can_merge(prev, v)) v = vma_merge_pair(k, mm, prev, v);
  const next = mm.mm_mt.next_of(v);
  if (next && can_merge(v, next)) v = vma_merge_pair(k, mm, v, next);
  return v;
}

/** The file of a VMA loses a mapping: shmem's page cache goes with the last one. */
export function vma_close(k: Kernel, v: Vma): void {
  const f = v.vm_file;
  if (f && --f.mappers === 0) shmem_evict_inode(k, f);
}

/**
 * __split_vma(vma, addr): returns the new upper part. A huge PMD straddling the
 * split point is split first (vma_adjust_trans_huge).
 */
export function* __split_vma(t: Task, mm: MmStruct, vma: Vma, addr: number): KPath<Vma> {
  yield* split_huge_pmd_address(t, vma, mm, addr);
  yield* vma_start_write(t, mm, vma);
  const upper = new Vma(addr, vma.vm_end, vma.vm_flags, vma.vm_page_prot, vma.vm_pgoff + (addr - vma.vm_start) / 4096, vma.anon_vma, vma.vm_file);
  if (upper.vm_file) upper.vm_file.mappers++;
  vma.vm_end = addr;
  mm.mm_mt.insert(upper);
  yield* vma_start_write(t, mm, upper);
  return upper;
}

/**
 * vma_modify(): isolate [start, end) of `vma` as its own VMA (splitting as needed),
 * apply `apply` to it, then merge it with neighbours that became compatible.
 */
export function* vma_modify(t: Task, mm: MmStruct, vma: Vma, start: number, end: number, apply: (v: Vma) => void): KPath<Vma> {
  yield* vma_start_write(t, mm, vma);
  let v = vma;
  if (start > v.vm_start) v = yield* __split_vma(t, mm, v, start);
  if (end < v.vm_end) yield* __split_vma(t, mm, v, end);
  apply(v);
  return vma_merge_neighbours(t.k, mm, v);
}

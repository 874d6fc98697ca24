/**
 * Reverse mapping (mm/rmap.c), as far as the model has one: anon_vma_prepare()
 * gives a VMA its anon_vma on the first anonymous fault, and try_to_unmap_one()
 * takes a folio out of the page tables when reclaim (shrink_folio_list, reached
 * from MADV_PAGEOUT) discards or unmaps it: a lazily freed anon folio, or a shmem
 * one (try_to_unmap_shmem). The model's rmap walk is the caller's page-table walk
 * (single-mm, at the address the folio is mapped at).
 */
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { VM_EXEC, VM_READ, VM_WRITE } from "../pgtable/arch.js";
import { ptep_get_and_clear, set_pte_at } from "../pgtable/ops.js";
import { flush_tlb_mm_range } from "../tlb/flush.js";
import { folio_put, page_folio } from "./folio.js";
import { add_mm_counter, MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS } from "./mm.js";
import type { MmStruct } from "./mm_struct.js";
import { PF_DIRTY, PF_LAZYFREE } from "./page_alloc.js";
import { swap_duplicate } from "./swapfile.js";
import type { Vma } from "./vma.js";

/**
 * vmf_anon_prepare() → anon_vma_prepare(): give the VMA an anon_vma on its first
 * fault. As in Linux (include/linux/rmap.h), the check is inline and the work is in
 * __anon_vma_prepare(): this runs once per fault batch run (issue #10), and a
 * function whose parameter a closure captures allocates its context on every call,
 * even one that returns at the check (~1.2 MB per seed run).
 */
export function anon_vma_prepare(k: Kernel, mm: MmStruct, vma: Vma): void {
  if (vma.anon_vma) return;
  __anon_vma_prepare(k, mm, vma);
}

/** anon_vma_prepare() for a VMA without one yet. */
function __anon_vma_prepare(k: Kernel, mm: MmStruct, vma: Vma): void {
  // find_mergeable_anon_vma() → reusable_anon_vma(): reuse a neighbour's anon_vma when
  // anon_vma_compatible() (mm/vma.c, 6.18): adjacent, the same file, vm_flags differing only in
  // VM_ACCESS_FLAGS (VM_READ|VM_WRITE|VM_EXEC) and VM_SOFTDIRTY, pgoff continuous. VM_HUGEPAGE and
  // VM_NOHUGEPAGE do count: a neighbour advised otherwise gets its own anon_vma, and the two can then
  // never merge (is_mergeable_anon_vma), even once their flags agree again (found by `mmsim
  // check-host --random`; host corpus: madvise-thp-anon-vma).
  const prev = mm.mm_mt.prev_of(vma);
  const next = mm.mm_mt.next_of(vma);
  if (next !== null && next.anon_vma !== 0 && anon_vma_compatible(vma, next)) vma.anon_vma = next.anon_vma;
  else if (prev !== null && prev.anon_vma !== 0 && anon_vma_compatible(prev, vma)) vma.anon_vma = prev.anon_vma;
  else vma.anon_vma = k.new_anon_vma();
}

/** VM_SOFTDIRTY, ignored by anon_vma_compatible() as by the merge rules. */
const VM_SOFTDIRTY = 0x8000000;

/** anon_vma_compatible(a, b), `a` below `b` (mm/vma.c; NUMA policies are not modelled). */
function anon_vma_compatible(a: Vma, b: Vma): boolean {
  return (
    a.vm_end === b.vm_start &&
    a.vm_file === b.vm_file &&
    ((a.vm_flags ^ b.vm_flags) & ~(VM_READ | VM_WRITE | VM_EXEC | VM_SOFTDIRTY)) === 0 &&
    b.vm_pgoff === a.vm_pgoff + (b.vm_start - a.vm_start) / 4096
  );
}

/**
 * try_to_unmap_one() for a lazily freed anon folio (shrink_folio_list): discard it
 * unless it was written again since MADV_FREE. Called with the PTE lock held.
 * Returns true when the folio was discarded, false when it was re-dirtied
 * (folio_set_swapbacked(), ret = false).
 */
export function* try_to_unmap_one(t: Task, vma: Vma, p: number, addr: number, pmdp: number): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  const mm = (vma.vm_mm ?? t.mm)!; // vma->vm_mm: reclaim (kswapd) runs with no mm of its own
  const pteval = yield* ptep_get_and_clear(t, mm, addr, p); // ptep_clear_flush()
  yield* flush_tlb_mm_range(t, mm, addr, addr + 4096, 12, false);
  const folio = page_folio(k, a.pte_pfn(pteval));
  if (a.pte_dirty(pteval) || k.frames.get_flags(folio) & PF_DIRTY) {
    // Redirtied: the folio is swap-backed again and stays mapped.
    yield* set_pte_at(t, mm, addr, p, pteval);
    k.frames.clear_flag_bits(folio, PF_LAZYFREE);
    return false;
  }
  add_mm_counter(mm, MM_ANONPAGES, -1);
  k.frames.add_mapcount(folio, -1);
  folio_put(k, folio);
  const hook = k.hooks.try_to_unmap_one;
  if (hook !== null) yield* hook(t, vma, pmdp, addr);
  return true;
}

/**
 * The end of each try_to_unmap_one() of one PTE table's folios, after
 * page_vma_mapped_walk_done() (the PTE lock released, the walker's table mapping
 * dropped), in address order: the plugin's `try_to_unmap_one_done` hook for a
 * discarded folio (2022: page_vma_mapped_walk() with PVMW_MADV_FREE leaving the
 * table) and `try_to_unmap_one_redirty` for a re-dirtied one. Model difference:
 * reclaim is MADV_PAGEOUT's walk, which discards under one PTE-lock hold; the
 * kernel's rmap walk maps and locks the table once per folio.
 */
export function* try_to_unmap_one_walk_done(t: Task, vma: Vma, pmdp: number, discarded: readonly number[], redirtied: readonly number[]): KPath {
  const hooks = t.k.hooks;
  if (hooks.try_to_unmap_one_done === null && hooks.try_to_unmap_one_redirty === null) return;
  for (let i = 0, j = 0; i < discarded.length || j < redirtied.length; ) {
    if (j >= redirtied.length || (i < discarded.length && discarded[i] < redirtied[j])) {
      const addr = discarded[i++];
      if (hooks.try_to_unmap_one_done !== null) yield* hooks.try_to_unmap_one_done(t, vma, pmdp, addr);
    } else {
      const addr = redirtied[j++];
      if (hooks.try_to_unmap_one_redirty !== null) yield* hooks.try_to_unmap_one_redirty(t, vma, pmdp, addr);
    }
  }
}

/**
 * shrink_folio_list() for a shmem folio mapped only here: try_to_unmap() takes it
 * out of the page tables first; shmem_writeout() then fails (no swap device), so
 * the folio stays in the page cache, unmapped. Called with the PTE lock held.
 */
export function* try_to_unmap_shmem(t: Task, p: number, addr: number): KPath {
  const k = t.k;
  const mm = t.mm!;
  const pteval = yield* ptep_get_and_clear(t, mm, addr, p); // ptep_clear_flush()
  yield* flush_tlb_mm_range(t, mm, addr, addr + 4096, 12, false);
  const folio = page_folio(k, k.arch.pte_pfn(pteval));
  add_mm_counter(mm, MM_SHMEMPAGES, -1);
  k.frames.add_mapcount(folio, -1);
  folio_put(k, folio);
}

/**
 * try_to_unmap_one() for an anon, swap-backed folio (shrink_folio_list after
 * folio_alloc_swap, mm/vmscan.ts): the PTE becomes the swap entry of slot
 * `offset` (swap_duplicate: one reference for the PTE), exclusive as the page
 * was; MM_ANONPAGES moves to MM_SWAPENTS; the mapping's folio reference is
 * dropped (reclaim holds its own). Returns false (walk_abort: the PTE is restored) when swap_duplicate()
 * fails. Called with the PTE lock held.
 */
export function* try_to_unmap_one_swap(t: Task, p: number, addr: number, offset: number, mm: MmStruct = t.mm!): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  const si = k.swap_info!;
  const pteval = yield* ptep_get_and_clear(t, mm, addr, p); // ptep_clear_flush()
  yield* flush_tlb_mm_range(t, mm, addr, addr + 4096, 12, false);
  const page = a.pte_pfn(pteval);
  const folio = page_folio(k, page);
  if (a.pte_dirty(pteval)) k.frames.set_flag_bits(folio, PF_DIRTY); // folio_mark_dirty()
  if (swap_duplicate(k, offset) < 0) {
    yield* set_pte_at(t, mm, addr, p, pteval);
    return false;
  }
  add_mm_counter(mm, MM_ANONPAGES, -1); // dec_mm_counter(mm, MM_ANONPAGES)
  add_mm_counter(mm, MM_SWAPENTS, 1); // inc_mm_counter(mm, MM_SWAPENTS)
  si.set_exclusive(offset, true); // pte_swp_mkexclusive(): the model's anon pages are never shared
  yield* set_pte_at(t, mm, addr, p, a.swp_entry_to_pte(si.type, offset));
  k.frames.add_mapcount(page, -1); // folio_remove_rmap_pte()
  folio_put(k, folio);
  return true;
}

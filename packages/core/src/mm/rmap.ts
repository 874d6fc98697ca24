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
import { VM_HUGEPAGE, VM_NOHUGEPAGE, VM_WRITE } from "../pgtable/arch.js";
import { ptep_get_and_clear, set_pte_at } from "../pgtable/ops.js";
import { flush_tlb_mm_range } from "../tlb/flush.js";
import { folio_put, page_folio } from "./folio.js";
import { add_mm_counter, MM_ANONPAGES, MM_SHMEMPAGES } from "./mm.js";
import type { MmStruct } from "./mm_struct.js";
import { PF_DIRTY, PF_LAZYFREE } from "./page_alloc.js";
import type { Vma } from "./vma.js";

/** vmf_anon_prepare() → anon_vma_prepare(): give the VMA an anon_vma on its first fault. */
export function anon_vma_prepare(k: Kernel, mm: MmStruct, vma: Vma): void {
  if (vma.anon_vma) return;
  // find_mergeable_anon_vma(): reuse a neighbour's anon_vma when the two could merge.
  const prev = mm.mm_mt.prev_of(vma);
  const next = mm.mm_mt.next_of(vma);
  const ok = (o: Vma | null, before: boolean) =>
    o !== null &&
    o.anon_vma !== 0 &&
    o.vm_file === null &&
    (before ? o.vm_end === vma.vm_start : o.vm_start === vma.vm_end) &&
    ((o.vm_flags ^ vma.vm_flags) & ~(VM_WRITE | 0x1 | 0x4 | VM_HUGEPAGE | VM_NOHUGEPAGE)) === 0;
  if (ok(next, false)) vma.anon_vma = next!.anon_vma;
  else if (ok(prev, true)) vma.anon_vma = prev!.anon_vma;
  else vma.anon_vma = k.new_anon_vma();
}

/**
 * try_to_unmap_one() for a lazily freed anon folio (shrink_folio_list): discard it
 * unless it was written again since MADV_FREE. Called with the PTE lock held.
 */
export function* try_to_unmap_one(t: Task, vma: Vma, p: number, addr: number, pmdp: number): KPath {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  const pteval = yield* ptep_get_and_clear(t, mm, addr, p); // ptep_clear_flush()
  yield* flush_tlb_mm_range(t, mm, addr, addr + 4096, 12, false);
  const folio = page_folio(k, a.pte_pfn(pteval));
  if (a.pte_dirty(pteval) || k.frames.flags[folio] & PF_DIRTY) {
    // Redirtied: the folio is swap-backed again and stays mapped.
    yield* set_pte_at(t, mm, addr, p, pteval);
    k.frames.flags[folio] &= ~PF_LAZYFREE;
    return;
  }
  add_mm_counter(mm, MM_ANONPAGES, -1);
  k.frames.mapcount[folio]--;
  folio_put(k, folio);
  const hook = k.hooks.try_to_unmap_one;
  if (hook !== null) yield* hook(t, vma, pmdp, addr);
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
  k.frames.mapcount[folio]--;
  folio_put(k, folio);
}

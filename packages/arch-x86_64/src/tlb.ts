/**
 * flush_tlb_mm_range() as arch/x86/mm/tlb.c decides it: the single-page
 * ceiling, then which CPUs in mm_cpumask(mm) are flushed.
 */
import { tlb_single_page_flush_ceiling } from "./layout.js";
import { PAGE_SHIFT } from "./pgtable_types.js";
import type { TlbFlushTarget } from "@mmsim/spec";

/** TLB_FLUSH_ALL (-1UL in the kernel): the model uses Infinity as the end of a full flush. */
export const TLB_FLUSH_ALL = Infinity;

/**
 * flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables).
 *
 * get_flush_tlb_info(): if `(end - start) >> stride_shift >
 * tlb_single_page_flush_ceiling` the flush becomes a full one (start = 0,
 * end = TLB_FLUSH_ALL). The page count is computed with division, since
 * addresses exceed 32 bits; end < start counts as a full flush, as the unsigned
 * subtraction would wrap in C; end = Infinity (TLB_FLUSH_ALL) is always full.
 *
 * native_flush_tlb_multi(): CPUs in lazy-TLB mode are skipped (they flush
 * themselves at the next switch_mm) unless page tables were freed, "to prevent
 * CPUs in lazy TLB mode from tripping up on the new contents of what used to be
 * page tables, while doing a speculative memory access".
 *
 * Convention: target.mm_cpus(mm)[0] is the local CPU; it is flushed directly and
 * every other CPU flushed counts as one IPI. target.count() is called once per
 * call with the kind of flush and the IPI count.
 */
export function flush_tlb_mm_range(
  target: TlbFlushTarget,
  mm: unknown,
  start: number,
  end: number,
  stride_shift: number,
  freed_tables: boolean,
): void {
  const span = end - start;
  const full = !(span >= 0 && Math.floor(span / 2 ** stride_shift) <= tlb_single_page_flush_ceiling);
  const cpus = target.mm_cpus(mm);
  let ipis = 0;
  for (let i = 0; i < cpus.length; i++) {
    const c = cpus[i];
    if (c.lazy && !freed_tables) continue;
    if (full) target.flush_all(c.cpu, mm);
    else target.flush_range(c.cpu, mm, start, end, stride_shift);
    if (i !== 0) ipis++;
  }
  target.count(full ? "full" : "ranged", ipis);
}

/**
 * flush_tlb_range(vma, start, end) (arch/x86/include/asm/tlbflush.h):
 *   flush_tlb_mm_range((vma)->vm_mm, start, end,
 *       ((vma)->vm_flags & VM_HUGETLB) ? huge_page_shift(hstate_vma(vma)) : PAGE_SHIFT, false)
 * The model has no hugetlb VMAs, so the stride is always PAGE_SHIFT. freed_tables
 * is false: CPUs in lazy-TLB mode are not flushed.
 */
export function flush_tlb_range(_vm_flags: number): { stride_shift: number; freed_tables: boolean } {
  return { stride_shift: PAGE_SHIFT, freed_tables: false };
}

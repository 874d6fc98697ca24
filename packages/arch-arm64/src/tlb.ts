/**
 * TLB maintenance as arch/arm64/include/asm/tlbflush.h and tlb.h do it: broadcast
 * TLBI instructions (`...IS`, inner shareable) followed by DSB ISH. No IPIs: the
 * interconnect carries the invalidation to every CPU, whether it runs the mm,
 * keeps it lazily (a kernel thread after it), or has switched away (entries are
 * tagged by ASID and the TLBI names the ASID). The flusher waits for the DSB,
 * never for another CPU's IRQ state.
 */
import { PAGE_SHIFT } from "./pgtable_hwdef.js";
import { PTRS_PER_PTE } from "./layout.js";
import type { TlbFlushTarget } from "@mmsim/spec";

/** MAX_DVM_OPS = PTRS_PER_PTE: beyond this many TLBI ops the range is flushed by ASID instead. */
export const MAX_DVM_OPS = PTRS_PER_PTE;
/**
 * The Arch contract's `tlb_single_page_flush_ceiling`: the largest number of
 * strides flushed one TLBI at a time (MAX_DVM_OPS - 1) on a CPU without
 * FEAT_TLBIRANGE, the model's arm64.
 */
export const tlb_single_page_flush_ceiling = MAX_DVM_OPS - 1;

/** TLB_FLUSH_ALL: the model uses Infinity as the end of a full flush. */
export const TLB_FLUSH_ALL = Infinity;

/**
 * __flush_tlb_range_limit_excess(start, end, pages, stride) without
 * FEAT_TLBIRANGE: `(end - start) >= MAX_DVM_OPS * stride`. (The TLBI-range form
 * — MAX_TLBI_RANGE_PAGES — is not modelled: the model's CPUs are ARMv8.0–8.3.)
 */
export function __flush_tlb_range_limit_excess(start: number, end: number, stride_shift: number): boolean {
  const span = end - start;
  return !(span >= 0 && span < MAX_DVM_OPS * 2 ** stride_shift);
}

/**
 * The contract's flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables)
 * as arm64's tlb_flush() / __flush_tlb_range() carry it out:
 * - last_level = !freed_tables (tlb_flush(): `bool last_level = !tlb->freed_tables`):
 *   TLBI VALE1IS drops leaf entries only and keeps the walk cache; TLBI VAE1IS
 *   (freed tables, or flush_tlb_range()) drops the walk-cache entries too;
 * - start/end rounded to the stride; past the limit, flush_tlb_mm(): TLBI
 *   ASIDE1IS, every level;
 * - every CPU that may hold the mm's entries is reached, lazy-TLB CPUs
 *   included, and none of it is an IPI (count(kind, 0)).
 *
 * Model difference: for a fullmm gather (exit_mmap) arm64's tlb_flush() skips a
 * leaf-only flush (the ASID is not reused until the TLB is flushed); core calls
 * this with the whole range, which flushes by ASID: a superset, no behaviour
 * a design can observe.
 */
export function flush_tlb_mm_range(
  target: TlbFlushTarget,
  mm: unknown,
  start: number,
  end: number,
  stride_shift: number,
  freed_tables: boolean,
): void {
  const stride = 2 ** stride_shift;
  const s = Math.floor(start / stride) * stride; // round_down(start, stride)
  const e = end === Infinity ? end : Math.ceil(end / stride) * stride; // round_up(end, stride)
  const full = __flush_tlb_range_limit_excess(s, e, stride_shift);
  const last_level = !freed_tables;
  for (const c of target.mm_cpus(mm)) {
    if (full) target.flush_all(c.cpu, mm);
    else target.flush_range(c.cpu, mm, s, e, stride_shift, last_level);
  }
  target.count(full ? "full" : "ranged", 0);
}

/**
 * flush_tlb_range(vma, start, end) (tlbflush.h):
 *   "We cannot use leaf-only invalidation here, since we may be invalidating
 *    table entries as part of collapsing hugepages or moving page tables."
 *   __flush_tlb_range(vma, start, end, PAGE_SIZE, false, TLBI_TTL_UNKNOWN);
 * so last_level is false: in the contract's terms freed_tables = true. Unlike
 * x86's flush_tlb_range(), it drops the walk caches, on every CPU.
 */
export function flush_tlb_range(_vm_flags: number): { stride_shift: number; freed_tables: boolean } {
  return { stride_shift: PAGE_SHIFT, freed_tables: true };
}

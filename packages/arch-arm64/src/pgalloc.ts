/**
 * How arm64 frees page-table pages (arch/arm64/include/asm/tlb.h, pgalloc.h,
 * mm/pgtable-generic.c). arm64 selects MMU_GATHER_RCU_TABLE_FREE: a table freed
 * through the mmu_gather waits for the TLB flush and then a grace period. On
 * arm64 that grace period is what keeps GUP-fast safe: its IRQ-off section
 * holds off no broadcast TLBI, so a table freed right after the flush alone
 * could be freed under a lockless walker.
 */
import type { TableFreeTarget } from "@mmsim/spec";

export const MMU_GATHER_RCU_TABLE_FREE = true;

/**
 * __pte_free_tlb(tlb, pte, addr): tlb_remove_ptdesc(tlb, page_ptdesc(pte)) →
 * tlb_remove_table(). (pte_free_tlb() in asm-generic/tlb.h has already set
 * tlb->freed_tables, so the gather's flush is not leaf-only; the dtor is core's.)
 */
export function __pte_free_tlb(tlb: TableFreeTarget, pfn: number): void {
  tlb.tlb_remove_table(pfn);
}

/**
 * pte_free_defer(mm, pgtable): arm64 has no override and uses the generic one
 * (mm/pgtable-generic.c): call_rcu(&page->rcu_head, pte_free_now). No TLB flush
 * is implied: the caller flushes first (on arm64 flush_tlb_range() already
 * drops the walk caches of every CPU).
 */
export function pte_free_defer(target: TableFreeTarget, pfn: number): void {
  target.call_rcu(() => target.pte_free_now(pfn));
}

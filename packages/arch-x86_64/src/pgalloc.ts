/**
 * How x86 frees page-table pages (arch/x86/mm/pgtable.c, mm/pgtable-generic.c).
 * x86 selects MMU_GATHER_RCU_TABLE_FREE (since v6.15 unconditionally; before,
 * with paravirt), so a table freed through the mmu_gather waits for the TLB
 * flush and then a grace period, which also keeps GUP-fast (IRQs off) safe.
 */
import type { TableFreeTarget } from "@mmsim/spec";

export const MMU_GATHER_RCU_TABLE_FREE = true;

/**
 * ___pte_free_tlb(tlb, pte): pagetable_dtor(ptdesc); paravirt_tlb_remove_table(tlb, ptdesc)
 * → tlb_remove_table(). (pte_free_tlb() in asm-generic/tlb.h has already set
 * tlb->freed_tables and widened the flush range; the dtor is core's.)
 */
export function __pte_free_tlb(tlb: TableFreeTarget, pfn: number): void {
  tlb.tlb_remove_table(pfn);
}

/**
 * pte_free_defer(mm, pgtable): x86 has no override and uses the generic one
 * (mm/pgtable-generic.c): call_rcu(&page->rcu_head, pte_free_now). No TLB flush
 * is implied: the caller must have flushed, with freed_tables if lazy-TLB CPUs
 * may still cache the PMD entry.
 */
export function pte_free_defer(target: TableFreeTarget, pfn: number): void {
  target.call_rcu(() => target.pte_free_now(pfn));
}

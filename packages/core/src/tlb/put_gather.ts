/**
 * The mmu_gather a PTE-table reference is put under (2021 pte_refcount, v2 9/9
 * "mm: use mmu_gather to free PTE page table"): zap_pte_range() and the madvise
 * walkers drop their table references with pte_put_tlb(tlb, ...) /
 * pte_put_many_tlb(), so a last put frees the table with pte_free_tlb(tlb, ...)
 * (flushed at tlb_finish_mmu(), freed_tables set) instead of flush_tlb_range() +
 * call_rcu().
 *
 * Model difference: the put happens in the plugin's pte_unmap hook, which has no
 * `tlb` argument; the walkers that own a gather publish it here around the
 * pte_unmap_unlock() that ends their walk of one PTE table, and the plugin reads
 * it with put_gather(current).
 */
import type { Task } from "../types/sched.js";
import type { MmuGather } from "./mmu_gather.js";

const gathers = new WeakMap<Task, MmuGather>();

/** Publish `tlb` (or withdraw it with null) as the gather of `t`'s puts. */
export function set_put_gather(t: Task, tlb: MmuGather | null): void {
  if (tlb === null) gathers.delete(t);
  else gathers.set(t, tlb);
}

/** The gather `t`'s current put runs under, or null (a put outside zap/madvise). */
export function put_gather(t: Task): MmuGather | null {
  return gathers.get(t) ?? null;
}

/** Per-task state kept outside the Task object: the explorer's post-setup snapshot copies it with the task (check/setup_snapshot.ts). */
export const PUT_GATHERS_SIDE_TABLE: WeakMap<object, unknown> = gathers as WeakMap<object, unknown>;

/**
 * Page-table entry accessors: every read and write of an entry is one preemption
 * point (READ/WRITE). `ptep`, `pmdp`, ... are entry pointers (indices into
 * PtStore.get/set). set_pte_at() and ptep_get_and_clear() call the plugin's
 * track_pte_set/clear hooks atomically with the write (as page_table_check does).
 * Each accessor has its bulk twin (`name$sync`): the same action, called directly
 * (the loads' twins are `read` itself: no wrapper call, 4 JS calls per 2 MiB chunk
 * of the seed loop that the interpreter runs until the JIT has warmed up).
 */
import { PT } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { MmStruct } from "../types/mm_types.js";
import type { pte_t, pmd_t } from "./arch.js";

/** An entry load; through a freed table it is a use after free (the slot was poisoned). */
function read(t: Task, p: number): number {
  const k = t.k;
  if (k.sanitizer !== null) k.sanitizer.entry_read(t, p);
  return k.pt.get(p);
}

function write_pte(t: Task, p: number, pte: pte_t): void {
  const k = t.k;
  if (k.sanitizer !== null) k.sanitizer.pte_write(t, p);
  const old = k.pt.get(p);
  k.pt.set(p, pte);
  const h = k.hooks.track_pte_set;
  if (h !== null) h(k, p, old, pte);
}

function get_and_clear(t: Task, p: number): pte_t {
  const k = t.k;
  if (k.sanitizer !== null) k.sanitizer.pte_write(t, p);
  const old = k.pt.get(p);
  k.pt.set(p, 0);
  const h = k.hooks.track_pte_clear;
  if (h !== null) h(k, p, old);
  return old;
}

function write_raw(t: Task, p: number, v: number): void {
  if (t.k.sanitizer !== null) t.k.sanitizer.pxd_write(t, p);
  t.k.pt.set(p, v);
}

function get_and_clear_raw(t: Task, p: number): number {
  if (t.k.sanitizer !== null) t.k.sanitizer.pxd_write(t, p);
  const old = t.k.pt.get(p);
  t.k.pt.set(p, 0);
  return old;
}

/** pmdp_establish(pmdp, pmd_mkinvalid(*pmdp)): one exchange (xchg on x86). */
function invalidate_raw(t: Task, p: number): number {
  if (t.k.sanitizer !== null) t.k.sanitizer.pxd_write(t, p);
  const old = t.k.pt.get(p);
  t.k.pt.set(p, t.k.arch.pmd_mkinvalid(old));
  return old;
}

function table_entry(t: Task, p: number, table_pfn: number): void {
  const pt = t.k.pt;
  if (t.k.sanitizer !== null) t.k.sanitizer.pxd_write(t, p);
  pt.set(p, t.k.arch.mk_table_entry(table_pfn));
  pt.set_parent(table_pfn, p);
}

/** ptep_get() */
export const ptep_get = (t: Task, ptep: number) => t.op.set(PT.READ, "ptep_get", read, ptep, null);
export const ptep_get$sync: (t: Task, p: number) => number = read;
/** ptep_get_lockless(): the same single load on x86_64. */
export const ptep_get_lockless = (t: Task, ptep: number) => t.op.set(PT.READ, "ptep_get_lockless", read, ptep, null);
export const ptep_get_lockless$sync: (t: Task, p: number) => number = read;
/** set_pte_at(mm, addr, ptep, pte) */
export const set_pte_at = (t: Task, _mm: MmStruct, _addr: number, ptep: number, pte: pte_t) => t.op.set(PT.WRITE, "set_pte_at", write_pte, ptep, pte);
export const set_pte_at$sync = (t: Task, _mm: MmStruct, _addr: number, ptep: number, pte: pte_t) => write_pte(t, ptep, pte);
/** ptep_get_and_clear(mm, addr, ptep) / ptep_get_and_clear_full() */
export const ptep_get_and_clear = (t: Task, _mm: MmStruct, _addr: number, ptep: number) => t.op.set(PT.WRITE, "ptep_get_and_clear", get_and_clear, ptep, null);
export const ptep_get_and_clear$sync = (t: Task, _mm: MmStruct, _addr: number, ptep: number) => get_and_clear(t, ptep);
/** ptep_set_access_flags() / change_pte_range() style in-place updates of a present PTE. */
export const ptep_modify = (t: Task, ptep: number, pte: pte_t) => t.op.set(PT.WRITE, "ptep_modify", write_pte, ptep, pte);
export const ptep_modify$sync = (t: Task, ptep: number, pte: pte_t) => write_pte(t, ptep, pte);

/** pmdp_get_lockless() (READ_ONCE on x86_64: no GUP_GET_PXX_LOW_HIGH) */
export const pmdp_get_lockless = (t: Task, pmdp: number) => t.op.set(PT.READ, "pmdp_get_lockless", read, pmdp, null);
export const pmdp_get_lockless$sync: (t: Task, p: number) => number = read;
/** pmdp_get() */
export const pmdp_get = (t: Task, pmdp: number) => t.op.set(PT.READ, "pmdp_get", read, pmdp, null);
export const pmdp_get$sync: (t: Task, p: number) => number = read;
/** pmd_populate(mm, pmdp, pte table) */
export const pmd_populate = (t: Task, pmdp: number, pte_table_pfn: number) => t.op.set(PT.WRITE, "pmd_populate", table_entry, pmdp, pte_table_pfn);
export const pmd_populate$sync = (t: Task, pmdp: number, pte_table_pfn: number) => table_entry(t, pmdp, pte_table_pfn);
/** set_pmd_at(): install a huge PMD. */
export const set_pmd_at = (t: Task, pmdp: number, pmd: pmd_t) => t.op.set(PT.WRITE, "set_pmd_at", write_raw, pmdp, pmd);
export const set_pmd_at$sync = (t: Task, pmdp: number, pmd: pmd_t) => write_raw(t, pmdp, pmd);
/** pmd_clear() */
export const pmd_clear = (t: Task, pmdp: number) => t.op.set(PT.WRITE, "pmd_clear", write_raw, pmdp, 0);
export const pmd_clear$sync = (t: Task, pmdp: number) => write_raw(t, pmdp, 0);
/** pmdp_huge_get_and_clear() */
export const pmdp_huge_get_and_clear = (t: Task, pmdp: number) => t.op.set(PT.WRITE, "pmdp_huge_get_and_clear", get_and_clear_raw, pmdp, null);
export const pmdp_huge_get_and_clear$sync = (t: Task, pmdp: number) => get_and_clear_raw(t, pmdp);
/** pmdp_invalidate()'s exchange (the TLB flush is the caller's: huge_memory.ts pmdp_invalidate()). */
export const pmdp_establish_invalid = (t: Task, pmdp: number) => t.op.set(PT.WRITE, "pmdp_invalidate", invalidate_raw, pmdp, null);
export const pmdp_establish_invalid$sync = (t: Task, pmdp: number) => invalidate_raw(t, pmdp);

/** READ_ONCE of an upper-level entry (pudp_get, p4dp_get, pgdp_get). */
export const pxdp_get = (t: Task, p: number) => t.op.set(PT.READ, "pxdp_get", read, p, null);
export const pxdp_get$sync: (t: Task, p: number) => number = read;
/** pud_populate / p4d_populate / pgd_populate */
export const pxd_populate = (t: Task, p: number, table_pfn: number) => t.op.set(PT.WRITE, "pxd_populate", table_entry, p, table_pfn);
export const pxd_populate$sync = (t: Task, p: number, table_pfn: number) => table_entry(t, p, table_pfn);
/** pud_clear / p4d_clear / pgd_clear */
export const pxd_clear = (t: Task, p: number) => t.op.set(PT.WRITE, "pxd_clear", write_raw, p, 0);
export const pxd_clear$sync = (t: Task, p: number) => write_raw(t, p, 0);

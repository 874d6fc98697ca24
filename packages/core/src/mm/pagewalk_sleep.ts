/**
 * walk_page_range() with a `.pmd_entry` callback that may sleep: seed 001's open
 * question for "another plan" (notes (g)). The callback (an mmu_notifier user,
 * say) reads the PMD once, takes the PTE table it maps, calls
 * mmu_notifier_invalidate_range_start() — which may sleep — and then reads the
 * PTEs of that table. Under RCU-freed upper levels the walk cannot simply hold
 * rcu_read_lock() across the callback. The two options the thread names, as
 * Kernel.pmd_entry_sleep:
 *
 *   "srcu"         the walk is an SRCU read-side section (srcu_read_lock of the
 *                  page-table domain); PMD/PUD tables are freed after an SRCU
 *                  grace period too (Kernel.__tlb_remove_table), so the upper
 *                  levels stay; but PTE tables are freed through RCU only, and
 *                  "the SRCU critical section cannot prevent the PTE page from
 *                  being freed via RCU" (Qi Zheng, 2025).
 *   "rcu-refcount" the walk is under RCU (pmd_walk_map); before sleeping the
 *                  callback takes a reference on the PTE table and the PMD table
 *                  under pmd_lock with pmd_same()/pud_same() rechecked
 *                  (pgtable/pt_users.ts), leaves RCU, sleeps, reads, and drops
 *                  the references; reclaimers keep a referenced table.
 *
 * Without Kernel.rcu_upper (Linux 6.18) the callback sleeps first and then maps
 * the table with pte_offset_map_lock(), as a correct 6.18 callback must.
 * Returns the present PTEs seen. Model: the callback shape is illustrative (no
 * Linux callback has exactly this body); the walk is the scenario op
 * `{ "op": "walk", "sleep": true }`.
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { MmStruct } from "../types/mm_types.js";
import { addr_end, pgd_offset, p4d_offset, pud_offset, pmd_offset, pte_index } from "../pgtable/offset.js";
import { pmdp_get, pmdp_get_lockless, ptep_get, pxdp_get } from "../pgtable/ops.js";
import { pmd_lock } from "../pgtable/pgalloc.js";
import { pte_offset_map_lock, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { pgtable_get, pgtable_put } from "../pgtable/pt_users.js";
import { pmd_table_pud_same, pmd_walk_map, pmd_walk_unmap } from "../pgtable/upper_map.js";
import { walk_pmd } from "../pgtable/walk.js";
import { might_sleep } from "../sync/might_sleep.js";
import { down_read, up_read } from "../sync/rwsem.js";
import { spin_unlock } from "../sync/spinlock.js";
import { srcu_read_lock, srcu_read_unlock } from "../sync/srcu.js";

/** What the mutant tests may break in the callback (never set by scenarios). */
export interface PmdEntrySleepFaults {
  /** rcu-refcount: sleep without leaving the RCU section first. */
  keep_rcu_across_sleep?: boolean;
}

/** Does a PMD value map a PTE table? */
function maps_pte_table(t: Task, pmd: number): boolean {
  const a = t.k.arch;
  return !a.pxd_none(pmd) && a.pxd_present(pmd) && !a.pmd_trans_huge(pmd) && !a.pxd_bad(pmd);
}

/** Count present PTEs of the table `pmdval` maps, over [addr, next). */
function* read_ptes(t: Task, pmdval: number, addr: number, next: number): KPath<number> {
  const k = t.k;
  const base = k.pt.entry(k.arch.pxd_table_pfn(pmdval), pte_index(addr));
  let n = 0;
  for (let i = 0; i < (next - addr) / 4096; i++) if (k.arch.pte_present(yield* ptep_get(t, base + i))) n++;
  return n;
}

/** The PMD pointer read under the SRCU section: the upper levels read once each, no RCU. */
function* pmd_walk_srcu(t: Task, mm: MmStruct, addr: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const pgdp = pgd_offset(k, mm, addr);
  if (!a.p4d_folded && a.pxd_none(k.pt.get(pgdp))) return -1;
  const p4dp = p4d_offset(k, pgdp, addr);
  if (a.pxd_none(yield* pxdp_get(t, p4dp))) return -1;
  const pudp = pud_offset(k, p4dp, addr);
  if (a.pxd_none(yield* pxdp_get(t, pudp))) return -1;
  return pmd_offset(k, pudp, addr);
}

/** One PMD slice [addr, next) of the walk. */
function* pmd_entry_sleep_one(t: Task, mm: MmStruct, addr: number, next: number, f: PmdEntrySleepFaults): KPath<number> {
  const k = t.k;
  const mmu_notifier = "mmu_notifier_invalidate_range_start";
  if (!k.rcu_upper) {
    const pmdp = walk_pmd(k, mm, addr);
    if (pmdp < 0) return 0;
    yield* might_sleep(t, mmu_notifier);
    const ptep = yield* pte_offset_map_lock(t, mm, pmdp, addr);
    if (ptep < 0) return 0;
    const ptl = t.ptl!;
    let n = 0;
    for (let i = 0; i < (next - addr) / 4096; i++) if (k.arch.pte_present(yield* ptep_get(t, ptep + i))) n++;
    yield* pte_unmap_unlock(t, ptep, ptl);
    return n;
  }
  if (k.pmd_entry_sleep === "srcu") {
    yield* srcu_read_lock(t);
    let n = 0;
    const pmdp = yield* pmd_walk_srcu(t, mm, addr);
    if (pmdp >= 0) {
      const pmdval = yield* pmdp_get_lockless(t, pmdp);
      if (maps_pte_table(t, pmdval)) {
        yield* might_sleep(t, mmu_notifier);
        n = yield* read_ptes(t, pmdval, addr, next);
      }
    }
    yield* srcu_read_unlock(t);
    return n;
  }
  // "rcu-refcount"
  const pmdp = yield* pmd_walk_map(t, mm, addr);
  if (pmdp < 0) return 0;
  const pmdval = yield* pmdp_get_lockless(t, pmdp);
  let held = false;
  if (maps_pte_table(t, pmdval)) {
    const pml = yield* pmd_lock(t, pmdp);
    if (pmdval === (yield* pmdp_get(t, pmdp)) && (yield* pmd_table_pud_same(t, pmdp))) {
      pgtable_get(k, k.arch.pxd_table_pfn(pmdval));
      pgtable_get(k, k.pt.table_of(pmdp));
      held = true;
    }
    yield* spin_unlock(t, pml);
  }
  const pmd_table = k.pt.table_of(pmdp);
  if (!f.keep_rcu_across_sleep) yield* pmd_walk_unmap(t);
  let n = 0;
  if (held) {
    yield* might_sleep(t, mmu_notifier);
    n = yield* read_ptes(t, pmdval, addr, next);
    pgtable_put(k, k.arch.pxd_table_pfn(pmdval));
    pgtable_put(k, pmd_table);
  }
  if (f.keep_rcu_across_sleep) yield* pmd_walk_unmap(t);
  return n;
}

/** walk_page_range(mm, start, start + len) under mmap_read_lock with the sleeping `.pmd_entry`. */
export function* walk_page_range_pmd_entry_sleep(t: Task, mm: MmStruct, start: number, len: number, f: PmdEntrySleepFaults = {}): KPath<number> {
  const k = t.k;
  let present = 0;
  yield* down_read(t, mm.mmap_lock);
  for (let addr = start; addr < start + len; ) {
    const next = addr_end(addr, start + len, k.PMD_SIZE);
    present += yield* pmd_entry_sleep_one(t, mm, addr, next, f);
    addr = next;
  }
  yield* up_read(t, mm.mmap_lock);
  return present;
}

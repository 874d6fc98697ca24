/**
 * Deliberately broken variants of rcu-freept (the 2024 RFC's mm/freept.c). The
 * kit cannot import @mmsim/reclaim-rcu-freept (that package tests itself with the
 * kit: a dependency cycle), so the scanner is restated here, line for line after
 * packages/reclaim-rcu-freept/src/freept.ts, with one mistake switched on per
 * mutant. `rcuFreeptReplica()` with no mistake is tested to pass what the real
 * plugin passes (src/scenario_mutants.test.ts).
 */
import {
  down_read_trylock,
  find_vma,
  flush_tlb_range,
  mm_dec_nr_ptes,
  mm_find_pmd,
  pmd_clear,
  pmd_lock,
  pmdp_get_lockless,
  pmdp_peek,
  pte_free,
  pte_free_defer,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  spin_lock_nested,
  spin_unlock,
  task_work_add,
  task_work_pending,
  up_read,
  vma_next,
  VM_HUGEPAGE,
  type KPath,
  type ReclaimPlugin,
  type mm_struct,
  type pmd_ptr,
  type task_struct,
  type vm_area_struct,
} from "@mmsim/core/kernel";
import type { Mutant } from "./pt_reclaim_mutants.js";

/** The one mistake a mutant makes (none: the RFC as posted). */
export interface ScanMistakes {
  /** Scan without mmap_read_trylock(): nothing keeps munmap/mprotect/khugepaged out. */
  no_mmap_lock?: boolean;
  /** Skip the pmd_same() recheck under the PMD lock. */
  no_pmd_recheck?: boolean;
  /** Free the table without checking its 512 entries under the locks. */
  no_rescan?: boolean;
  /** Free the table at once (pte_free) instead of pte_free_defer(): no grace period. */
  free_now?: boolean;
  /** No flush_tlb_range() before the free. */
  no_flush?: boolean;
  /** Scan VM_HUGEPAGE VMAs too and treat a huge PMD as a table. */
  scan_huge?: boolean;
  /**
   * The rescan asks pte_present() instead of pte_none(): a table holding only guard
   * markers or swap entries is freed with them (the "non-present entries" checks).
   */
  present_only?: boolean;
}

const DELAY = 25; // MM_PGTABLE_SCAN_DELAY: 100 ms in jiffies at HZ=250
const SIZE = 256 * 1024 * 1024; // MM_PGTABLE_SCAN_SIZE

/** freept_pmd_entry(), with the given mistake. */
function* freept_pmd_entry(m: ScanMistakes, t: task_struct, mm: mm_struct, vma: vm_area_struct, pmdp: pmd_ptr, haddr: number): KPath {
  const a = t.k.arch;
  const start = yield* pte_offset_map_rw_nolock(t, mm, pmdp, haddr);
  if (start === null) return;
  const { pte: start_pte, pmdval, ptl } = start;
  const pml = yield* pmd_lock(t, pmdp);
  if (ptl !== pml) yield* spin_lock_nested(t, ptl);
  const out_ptl = function* (): KPath {
    yield* pte_unmap_unlock(t, start_pte, ptl);
    if (pml !== ptl) yield* spin_unlock(t, pml);
  };
  if (!m.no_pmd_recheck && pmdval !== (yield* pmdp_get_lockless(t, pmdp))) return yield* out_ptl();
  if (!m.no_rescan)
    for (let i = 0; i < a.PTRS_PER_PTE; i++) {
      const pte = yield* ptep_get(t, start_pte + i);
      if (m.present_only ? a.pte_present(pte) : !a.pte_none(pte)) return yield* out_ptl();
    }
  yield* pte_unmap(t, start_pte);
  yield* pmd_clear(t, pmdp);
  if (!m.no_flush) yield* flush_tlb_range(t, vma, haddr, haddr + a.PMD_SIZE);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);
  mm_dec_nr_ptes(mm);
  if (m.free_now) pte_free(t.k, mm, a.pxd_pfn(pmdval));
  else pte_free_defer(t, mm, a.pxd_pfn(pmdval));
  mm.counters.pte_tables_reclaimed++;
}

/** task_mm_pgtable_work(), with the given mistake. */
function* task_mm_pgtable_work(m: ScanMistakes, s: { next: number; offset: number }, t: task_struct, mm: mm_struct): KPath {
  if (mm.exited) return;
  const now = t.k.jiffies;
  const PMD_SIZE = t.k.arch.PMD_SIZE;
  if (!s.next) {
    s.next = now + DELAY;
    return;
  }
  if (now < s.next) return;
  s.next = now + DELAY;
  if (!m.no_mmap_lock && !(yield* down_read_trylock(t, mm.mmap_lock))) return;
  let vma: vm_area_struct | null = find_vma(mm, s.offset);
  if (!vma) {
    s.offset = 0;
    vma = find_vma(mm, 0);
  }
  let end = 0;
  for (; vma; vma = vma_next(mm, vma)) {
    if (!m.scan_huge && vma.vm_flags & VM_HUGEPAGE) continue;
    const start = Math.ceil(vma.vm_start / PMD_SIZE) * PMD_SIZE;
    end = Math.floor(vma.vm_end / PMD_SIZE) * PMD_SIZE;
    if (end - start < PMD_SIZE) continue;
    for (let addr = Math.max(start, Math.floor(s.offset / PMD_SIZE) * PMD_SIZE); addr < end; addr += PMD_SIZE) {
      const pmdp = mm_find_pmd(t, mm, addr);
      if (pmdp === null) continue;
      const pmd = pmdp_peek(t, pmdp);
      if (t.k.arch.pxd_none(pmd) || (!m.scan_huge && t.k.arch.pmd_trans_huge(pmd))) continue;
      yield* freept_pmd_entry(m, t, mm, vma, pmdp, addr);
    }
    if (end - s.offset >= SIZE) break;
  }
  s.offset = vma ? end : 0;
  if (!m.no_mmap_lock) yield* up_read(t, mm.mmap_lock);
}

/** The RFC's scanner restated, with `m` switched on. */
export function rcuFreeptReplica(name = "rcu-freept-replica", m: ScanMistakes = {}): ReclaimPlugin {
  const mms = new WeakMap<mm_struct, { next: number; offset: number }>();
  const state = (mm: mm_struct) => {
    let s = mms.get(mm);
    if (!s) mms.set(mm, (s = { next: 0, offset: 0 }));
    return s;
  };
  return {
    specificationVersion: "v1",
    name,
    version: "0.1.0",
    models: `rcu-freept (2024 RFC, mm/freept.c) restated${name === "rcu-freept-replica" ? "" : `, mutant: ${name}`}`,
    supports: { madv_dontneed: true, madv_free: true, async_scan: true, rcu_table_free: true },
    scheduler_tick(t: task_struct): void {
      const mm = t.mm;
      if (!mm || mm.exited || task_work_pending(t)) return;
      if (t.k.jiffies < state(mm).next) return;
      task_work_add(t);
    },
    *task_work(t: task_struct, mm: mm_struct): KPath {
      yield* task_mm_pgtable_work(m, state(mm), t, mm);
    },
  };
}

const mutant = (name: string, description: string, caught_by: string[], m: ScanMistakes): Mutant => ({
  name,
  description,
  caught_by,
  plugin: () => rcuFreeptReplica(`mutant:${name}`, m),
});

/** Mutants of rcu-freept's scanner. */
export const RCU_FREEPT_MUTANTS: readonly Mutant[] = [
  mutant("scan-no-mmap-lock", "task_mm_pgtable_work() scans without mmap_read_trylock(): munmap, mprotect and khugepaged change the range under it", ["page-table use after free", "ptlock use after free", "double free", "lost mapping", "user data", "table freed while still reachable", "PMD write without the PMD lock", "kernel BUG"], { no_mmap_lock: true }),
  mutant("scan-no-pmd-recheck", "freept_pmd_entry() skips the pmd_same() recheck under the PMD lock: a table freed and replaced since it was mapped is cleared and freed again", ["double free", "lost mapping", "user data", "page-table use after free", "ptlock use after free", "table freed while still reachable"], { no_pmd_recheck: true }),
  mutant("scan-no-rescan", "freept_pmd_entry() frees the table without checking its 512 entries under the locks", ["lost mapping", "user data"], { no_rescan: true }),
  mutant("scan-free-now", "freept_pmd_entry() frees with pte_free() instead of pte_free_defer(): no RCU grace period for lockless walkers", ["RCU: freed before a grace period", "page-table use after free", "ptlock use after free", "stale paging-structure cache"], { free_now: true }),
  mutant("scan-no-flush", "freept_pmd_entry() frees the table with no TLB flush at all", ["stale paging-structure cache", "stale TLB entry", "page-table use after free"], { no_flush: true }),
  mutant("scan-huge", "the scanner walks VM_HUGEPAGE VMAs and takes a huge PMD for a PTE table", ["page-table use after free", "lost mapping", "user data", "kernel BUG", "double free", "table freed while still reachable"], { scan_huge: true }),
];

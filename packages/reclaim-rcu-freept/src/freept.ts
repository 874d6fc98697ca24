/**
 * mm/freept.c from the 2024 RFC (Qi Zheng, "[RFC PATCH 3/3] mm: free empty user
 * PTE pages", seed 000). The scheduler tick arms a task_work at most every
 * MM_PGTABLE_SCAN_DELAY; on return to user the work scans up to
 * MM_PGTABLE_SCAN_SIZE of the mm under mmap_read_trylock and frees every empty
 * PTE table whose 2 MiB range lies inside one VMA:
 *
 *   pte_offset_map_nolock → pmd_lock → PTE lock nested → pmd_same recheck →
 *   512 × pte_none → pmd_clear → flush_tlb_range → unlock → pte_free_defer
 *
 * Model note: time is the model's clock (core: Kernel.advance); jiffies at HZ=250.
 */
import {
  HZ,
  MmsimError,
  down_read_trylock,
  find_vma,
  flush_tlb_range,
  mm_dec_nr_ptes,
  mm_find_pmd,
  pmd_clear,
  pmd_lock,
  pmdp_get_lockless,
  pmdp_peek,
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
  type mm_struct,
  type pmd_ptr,
  type task_struct,
  type vm_area_struct,
} from "@mmsim/core/kernel";

/** 100 ms, in jiffies at HZ=250. */
export const MM_PGTABLE_SCAN_DELAY = 25;
/** 256 MB */
export const MM_PGTABLE_SCAN_SIZE = 256;

/**
 * Not in the RFC: the two constants above as options, to measure how the
 * figures depend on them (README, "Figures"). The defaults are the patch's.
 */
export interface FreeptScanOptions {
  /** MM_PGTABLE_SCAN_DELAY in ms (default 100); rounded to jiffies at HZ, at least 1. */
  readonly scan_delay_ms?: number;
  /** MM_PGTABLE_SCAN_SIZE in MB (default 256). */
  readonly scan_size_mb?: number;
}

/** The mm_struct fields the patch adds. */
export interface MmPgtableScan {
  /** Next mm_pgtable scan (in jiffies) */
  mm_pgtable_next_scan: number;
  /** Restart point for scanning and freeing empty user PTE pages */
  mm_pgtable_scan_offset: number;
}

export class FreeptState {
  private readonly mms = new WeakMap<mm_struct, MmPgtableScan>();
  /** Tables freed by the scanner, for reporting. */
  freed = 0;
  /** msecs_to_jiffies(MM_PGTABLE_SCAN_DELAY) */
  readonly scan_delay: number;
  /** MM_PGTABLE_SCAN_SIZE << 20 */
  readonly scan_size: number;

  constructor(opts: FreeptScanOptions = {}) {
    const ms = opts.scan_delay_ms;
    const mb = opts.scan_size_mb ?? MM_PGTABLE_SCAN_SIZE;
    if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) throw new MmsimError("config-error", `rcu-freept: scan_delay_ms must be a positive number of ms, got ${ms}`);
    if (!(Number.isFinite(mb) && mb > 0)) throw new MmsimError("config-error", `rcu-freept: scan_size_mb must be a positive number of MB, got ${mb}`);
    this.scan_delay = ms === undefined ? MM_PGTABLE_SCAN_DELAY : Math.max(1, Math.round((ms * HZ) / 1000));
    this.scan_size = mb * 1024 * 1024;
  }

  mm(mm: mm_struct): MmPgtableScan {
    let s = this.mms.get(mm);
    if (!s) this.mms.set(mm, (s = { mm_pgtable_next_scan: 0, mm_pgtable_scan_offset: 0 }));
    return s;
  }
}

/** task_tick_mm_pgtable(curr) */
export function task_tick_mm_pgtable(st: FreeptState, curr: task_struct): void {
  const mm = curr.mm;
  if (!mm || mm.exited || task_work_pending(curr)) return;
  if (curr.k.jiffies < st.mm(mm).mm_pgtable_next_scan) return;
  task_work_add(curr); // task_work_add(curr, work, TWA_RESUME)
}

/**
 * freept_pmd_entry(pmd, addr, next, walk)
 *
 * Where the model differs from the RFC:
 *   - mmu_notifier_range_init() / _invalidate_range_start() / _end() around the
 *     whole function: no MMU notifiers in the model (nothing listens), dropped;
 *   - the RFC's `pte_offset_map_nolock(mm, pmd, &pmdval, haddr, &ptl)` (its patch 2/3
 *     adds the pmdval argument) is core's pte_offset_map_rw_nolock(), the name that
 *     signature got upstream (6.12): RCU held, pmdval and ptl returned, no lock taken;
 *   - pmdp_get_lockless_sync() after the flush is a no-op on 64-bit (it pairs with
 *     the split PMD reads of 32-bit PAE), dropped.
 */
export function* freept_pmd_entry(st: FreeptState, t: task_struct, mm: mm_struct, vma: vm_area_struct, pmdp: pmd_ptr, haddr: number): KPath {
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
  if (pmdval !== (yield* pmdp_get_lockless(t, pmdp))) return yield* out_ptl();

  /* Check if it is empty PTE page */
  for (let i = 0; i < a.PTRS_PER_PTE; i++) if (!a.pte_none(yield* ptep_get(t, start_pte + i))) return yield* out_ptl();
  yield* pte_unmap(t, start_pte);

  yield* pmd_clear(t, pmdp);
  yield* flush_tlb_range(t, vma, haddr, haddr + a.PMD_SIZE);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);

  mm_dec_nr_ptes(mm);
  pte_free_defer(t, mm, a.pxd_pfn(pmdval));
  mm.counters.pte_tables_reclaimed++;
  st.freed++;
}

/** task_mm_pgtable_work(work): task_work_run() calls it on return to user once the tick queued it. */
export function* task_mm_pgtable_work(st: FreeptState, t: task_struct, mm: mm_struct): KPath {
  if (mm.exited) return;
  const s = st.mm(mm);
  const now = t.k.jiffies;
  const PMD_SIZE = t.k.arch.PMD_SIZE;
  if (!s.mm_pgtable_next_scan) {
    s.mm_pgtable_next_scan = now + st.scan_delay;
    return;
  }
  if (now < s.mm_pgtable_next_scan) return;
  // try_cmpxchg(&mm->mm_pgtable_next_scan, &old_scan, next_scan): no preemption point
  // between the check above and this store, so it always succeeds for the one thread here.
  s.mm_pgtable_next_scan = now + st.scan_delay;

  if (!(yield* down_read_trylock(t, mm.mmap_lock))) return;
  let vma: vm_area_struct | null = find_vma(mm, s.mm_pgtable_scan_offset);
  if (!vma) {
    s.mm_pgtable_scan_offset = 0;
    vma = find_vma(mm, 0);
  }
  let end = 0;
  for (; vma; vma = vma_next(mm, vma)) {
    // Model: no hugetlb and no userfaultfd VMAs exist, so the RFC's
    // is_vm_hugetlb_page() and userfaultfd_wp() skips have nothing to skip.
    /* Leave this to the THP path to handle */
    if (vma.vm_flags & VM_HUGEPAGE) continue;
    /* Only consider PTE pages that do not cross vmas */
    const start = Math.ceil(vma.vm_start / PMD_SIZE) * PMD_SIZE;
    end = Math.floor(vma.vm_end / PMD_SIZE) * PMD_SIZE;
    // `if (end - start < PMD_SIZE) continue;` on unsigned longs: a VMA inside one 2 MiB
    // slot (ALIGN(vm_start) > ALIGN_DOWN(vm_end)) wraps to a huge difference and is NOT
    // skipped; walk_page_range_vma() returns -EINVAL (start >= end, the loop below is
    // empty) and the window check after it runs. Modelled as posted.
    if (end >= start && end - start < PMD_SIZE) continue;
    // walk_page_range_vma(vma, start, end): PMDs that map a PTE table. As the RFC,
    // the whole VMA from ALIGN(vm_start), also when mm_pgtable_scan_offset lies inside it.
    // Model: walk_pmd_range() calls ->pmd_entry() for a huge PMD too, where
    // pte_offset_map_nolock() fails at once (`goto out`): skipped here, same outcome.
    for (let addr = start; addr < end; addr += PMD_SIZE) {
      const pmdp = mm_find_pmd(t, mm, addr);
      if (pmdp === null) continue;
      const pmd = pmdp_peek(t, pmdp);
      if (t.k.arch.pxd_none(pmd) || t.k.arch.pmd_trans_huge(pmd)) continue;
      yield* freept_pmd_entry(st, t, mm, vma, pmdp, addr);
    }
    if (end - s.mm_pgtable_scan_offset >= st.scan_size) break;
  }
  s.mm_pgtable_scan_offset = vma ? end : 0;
  yield* up_read(t, mm.mmap_lock);
}

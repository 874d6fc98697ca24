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
  down_read_trylock,
  flush_tlb_mm_range,
  mm_dec_nr_ptes,
  pmd_clear,
  pmd_lock,
  pmdp_get_lockless,
  pte_free_defer,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  spin_lock_nested,
  spin_unlock,
  task_work_add,
  up_read,
  walk_pmd,
  VM_HUGEPAGE,
  type KPath,
  type MmStruct,
  type Task,
  type Vma,
} from "@mmsim/core";

/** 100 ms, in jiffies at HZ=250. */
export const MM_PGTABLE_SCAN_DELAY = 25;
/** 256 MB */
export const MM_PGTABLE_SCAN_SIZE = 256;

const PMD_SIZE = 2 * 1024 * 1024;

/** The mm_struct fields the patch adds. */
export interface MmPgtableScan {
  /** Next mm_pgtable scan (in jiffies) */
  mm_pgtable_next_scan: number;
  /** Restart point for scanning and freeing empty user PTE pages */
  mm_pgtable_scan_offset: number;
}

export class FreeptState {
  private readonly mms = new WeakMap<MmStruct, MmPgtableScan>();
  /** Tables freed by the scanner, for reporting. */
  freed = 0;

  mm(mm: MmStruct): MmPgtableScan {
    let s = this.mms.get(mm);
    if (!s) this.mms.set(mm, (s = { mm_pgtable_next_scan: 0, mm_pgtable_scan_offset: 0 }));
    return s;
  }
}

/** task_tick_mm_pgtable(curr) */
export function task_tick_mm_pgtable(st: FreeptState, curr: Task): void {
  const mm = curr.mm;
  if (!mm || mm.exited || curr.task_work_pending) return;
  if (curr.k.jiffies < st.mm(mm).mm_pgtable_next_scan) return;
  task_work_add(curr); // task_work_add(curr, work, TWA_RESUME)
}

/** freept_pmd_entry(pmd, addr, next, walk) */
export function* freept_pmd_entry(st: FreeptState, t: Task, mm: MmStruct, _vma: Vma, pmdp: number, haddr: number): KPath {
  const a = t.k.arch;
  const start_pte = yield* pte_offset_map_rw_nolock(t, mm, pmdp, haddr);
  if (start_pte < 0) return;
  const pmdval = t.pmdval;
  const ptl = t.ptl!;
  const pml = yield* pmd_lock(t, pmdp);
  if (ptl !== pml) yield* spin_lock_nested(t, ptl);

  const out_ptl = function* (): KPath {
    yield* pte_unmap_unlock(t, start_pte, ptl);
    if (pml !== ptl) yield* spin_unlock(t, pml);
  };
  if (pmdval !== (yield* pmdp_get_lockless(t, pmdp))) return yield* out_ptl();

  /* Check if it is empty PTE page */
  for (let i = 0; i < 512; i++) if (!a.pte_none(yield* ptep_get(t, start_pte + i))) return yield* out_ptl();
  yield* pte_unmap(t, start_pte);

  yield* pmd_clear(t, pmdp);
  // flush_tlb_range(walk->vma, haddr, haddr + PMD_SIZE): x86 passes freed_tables = false.
  yield* flush_tlb_mm_range(t, mm, haddr, haddr + PMD_SIZE, 12, false);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);

  mm_dec_nr_ptes(mm);
  pte_free_defer(t, mm, a.pxd_pfn(pmdval));
  mm.counters.pte_tables_reclaimed++;
  st.freed++;
}

/** task_mm_pgtable_work(work): task_work_run() calls it on return to user once the tick queued it. */
export function* task_mm_pgtable_work(st: FreeptState, t: Task, mm: MmStruct): KPath {
  if (mm.exited) return;
  const s = st.mm(mm);
  const now = t.k.jiffies;
  if (!s.mm_pgtable_next_scan) {
    s.mm_pgtable_next_scan = now + MM_PGTABLE_SCAN_DELAY;
    return;
  }
  if (now < s.mm_pgtable_next_scan) return;
  s.mm_pgtable_next_scan = now + MM_PGTABLE_SCAN_DELAY;

  if (!(yield* down_read_trylock(t, mm.mmap_lock))) return;
  const k = t.k;
  let vma: Vma | null = mm.mm_mt.find_vma(s.mm_pgtable_scan_offset);
  if (!vma) {
    s.mm_pgtable_scan_offset = 0;
    vma = mm.mm_mt.find_vma(0);
  }
  let end = 0;
  for (; vma; vma = mm.mm_mt.next_of(vma)) {
    /* Leave this to the THP path to handle */
    if (vma.vm_flags & VM_HUGEPAGE) continue;
    /* Only consider PTE pages that do not cross vmas */
    const start = Math.ceil(vma.vm_start / PMD_SIZE) * PMD_SIZE;
    end = Math.floor(vma.vm_end / PMD_SIZE) * PMD_SIZE;
    if (end - start < PMD_SIZE) continue;
    // walk_page_range_vma(): PMDs that map a PTE table.
    for (let addr = Math.max(start, Math.floor(s.mm_pgtable_scan_offset / PMD_SIZE) * PMD_SIZE); addr < end; addr += PMD_SIZE) {
      const pmdp = walk_pmd(k, mm, addr);
      if (pmdp < 0) continue;
      const pmd = k.pt.ent[pmdp];
      if (k.arch.pxd_none(pmd) || k.arch.pmd_trans_huge(pmd)) continue;
      yield* freept_pmd_entry(st, t, mm, vma, pmdp, addr);
    }
    if (end - s.mm_pgtable_scan_offset >= MM_PGTABLE_SCAN_SIZE * 1024 * 1024) break;
  }
  s.mm_pgtable_scan_offset = vma ? end : 0;
  yield* up_read(t, mm.mmap_lock);
}

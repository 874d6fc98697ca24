/**
 * Deliberately broken variants of the two `shrink`-hook designs, seed 001's
 * step 2 (@mmsim/reclaim-lazyfree: the marked mms' emptied tables) and step 3
 * (@mmsim/reclaim-zero-pte: tables mapping only the zero page). The kit cannot
 * import those packages (they test themselves with the kit: a dependency
 * cycle), so their passes are restated here, line for line after
 * packages/reclaim-lazyfree/src/lazyfree.ts + index.ts and
 * packages/reclaim-zero-pte/src/zero_pte.ts + index.ts, on pt-reclaim's exported
 * zap hooks and slow path, with one mistake switched on per mutant.
 * `lazyfreeReplica()` and `zeroPteReplica()` with no mistake are tested to pass
 * the scenarios that catch the mutants (src/scenario_mutants.test.ts); the real
 * plugins run every kit scenario in their own packages' kit tests.
 *
 * Not in `MUTANTS` (src/mutants/all.ts): `mmsim … mutant:NAME` does not list them.
 */
import {
  find_vma,
  is_zero_pfn,
  mm_find_pmd,
  mm_list,
  mmap_read_trylock,
  mmap_read_unlock,
  pmd_clear,
  pmd_lock,
  pmdp_get_lockless,
  pmdp_peek,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  ptep_get_and_clear,
  spin_lock_nested,
  spin_unlock,
  tlb_finish_mmu,
  tlb_gather_mmu,
  tlb_remove_tlb_entry,
  vma_next,
  VM_LOCKED,
  VM_PLUGIN_1,
  VM_SHARED,
  type KPath,
  type ReclaimPlugin,
  type ScanControl,
  type kernel_t,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type pte_t,
  type task_struct,
  type vm_area_struct,
} from "@mmsim/core/kernel";
import { free_pte, pt_reclaim_zap_hooks, try_to_free_pte } from "@mmsim/reclaim-pt-reclaim";
import type { Mutant } from "./pt_reclaim_mutants.js";

/** The one mistake a mutant makes (none: the design as bundled). */
export interface ShrinkMistakes {
  /**
   * The pass ignores mmap_read_trylock()'s result: it walks the mm whether or not
   * it got the lock and calls mmap_read_unlock() at the end as if it had.
   */
  ignore_trylock?: boolean;
  /** The pass never takes mmap_lock: munmap's free_pgtables() (no PMD lock) runs under it. */
  no_mmap_lock?: boolean;
  /**
   * zero-pte only: the pass walks VM_SHARED VMAs too. Not a mutant the kit can
   * catch: a shared anonymous VMA is shmem, whose faults map shmem pages, never
   * the zero page, so try_to_free_zero_pte() keeps its tables ("mapped");
   * src/scenario_mutants.test.ts shows it passing zero-shrink-vs-mprotect.
   */
  scan_shared?: boolean;
}

/* ---- step 2: lazyfree (MADV_PT_RECLAIM, the global mm list) ---- */

const MADV_PT_RECLAIM = 200;
const MADV_NO_PT_RECLAIM = 201;
const VM_PT_RECLAIM = VM_PLUGIN_1;

/** pt_reclaim_scan_mm() restated: "unmarked" when no VMA carries the flag, null when skipped. */
function* lazyfree_scan_mm(m: ShrinkMistakes, t: task_struct, mm: mm_struct): KPath<number | null | "unmarked"> {
  const a = t.k.arch;
  // BUG ignore_trylock: the result is dropped; BUG no_mmap_lock: not even tried.
  const locked = m.no_mmap_lock ? false : yield* mmap_read_trylock(t, mm);
  if (!locked && !m.ignore_trylock && !m.no_mmap_lock) return null;
  let freed = 0;
  let marked = false;
  const tlb = tlb_gather_mmu(t.k, mm);
  for (let vma = find_vma(mm, 0); vma !== null; vma = vma_next(mm, vma)) {
    if ((vma.vm_flags & VM_PT_RECLAIM) === 0) continue;
    marked = true;
    for (let addr = Math.ceil(vma.vm_start / a.PMD_SIZE) * a.PMD_SIZE; addr + a.PMD_SIZE <= vma.vm_end; addr += a.PMD_SIZE) {
      const pmdp = mm_find_pmd(t, mm, addr);
      if (pmdp === null) continue;
      const pmd = pmdp_peek(t, pmdp);
      if (a.pxd_none(pmd) || a.pmd_trans_huge(pmd)) continue;
      const before = mm.counters.pte_tables_reclaimed;
      yield* try_to_free_pte(t, mm, pmdp, addr, tlb);
      freed += mm.counters.pte_tables_reclaimed - before;
    }
  }
  yield* tlb_finish_mmu(t, tlb);
  if (!m.no_mmap_lock) yield* mmap_read_unlock(t, mm);
  return marked ? freed : "unmarked";
}

/** @mmsim/reclaim-lazyfree restated, with `m` switched on. */
export function lazyfreeReplica(name = "lazyfree-replica", m: ShrinkMistakes = {}): ReclaimPlugin {
  const mms: mm_struct[] = [];
  return {
    specificationVersion: "v1",
    name,
    version: "0.1.0",
    models: `lazyfree (seed 001 step 2) restated${name === "lazyfree-replica" ? "" : `, mutant: ${name}`}`,
    supports: { madv_dontneed: true, madv_free: false, async_scan: false, rcu_table_free: true, zero_page_tables: false, madv_pt_reclaim: true },
    madvise_advice: [
      { name: "pt_reclaim", behavior: MADV_PT_RECLAIM, set: VM_PT_RECLAIM, clear: 0 },
      { name: "no_pt_reclaim", behavior: MADV_NO_PT_RECLAIM, set: 0, clear: VM_PT_RECLAIM },
    ],
    ...pt_reclaim_zap_hooks,
    *madvise_update_vma(t: task_struct, vma: vm_area_struct): KPath {
      if (vma.vm_flags & VM_PT_RECLAIM && t.mm !== null && !mms.includes(t.mm)) mms.push(t.mm);
    },
    *exit_mmap(_t: task_struct, mm: mm_struct): KPath {
      const i = mms.indexOf(mm);
      if (i >= 0) mms.splice(i, 1);
    },
    *shrink(t: task_struct, sc: ScanControl): KPath {
      for (const mm of [...mms]) {
        if (mm.exited) {
          mms.splice(mms.indexOf(mm), 1);
          continue;
        }
        const r = yield* lazyfree_scan_mm(m, t, mm);
        if (r === "unmarked") mms.splice(mms.indexOf(mm), 1);
        else if (r !== null) sc.nr_pt_reclaimed += r;
      }
    },
  };
}

/* ---- step 3: zero-pte (tables mapping only the zero page) ---- */

function zero_pte_vma_suitable(m: ShrinkMistakes, vma: vm_area_struct): boolean {
  // VM_SHARED, VM_LOCKED; userfaultfd_armed() is left out: core has no userfaultfd, no VMA carries its flags.
  return (vma.vm_flags & ((m.scan_shared ? 0 : VM_SHARED) | VM_LOCKED)) === 0; // BUG scan_shared
}

function pte_maps_zero_page(k: kernel_t, pte: pte_t): boolean {
  const a = k.arch;
  return a.pte_present(pte) && a.pte_special(pte) && is_zero_pfn(k, a.pte_pfn(pte));
}

/** try_to_free_zero_pte() restated; true when it freed the table. */
function* try_to_free_zero_pte(t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, tlb: mmu_gather): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  const pml = yield* pmd_lock(t, pmdp);
  const start = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
  if (start === null) {
    yield* spin_unlock(t, pml);
    return false;
  }
  const { pte: start_pte, pmdval, ptl } = start;
  if (ptl !== pml) yield* spin_lock_nested(t, ptl);
  const out_ptl = function* (): KPath<boolean> {
    yield* pte_unmap_unlock(t, start_pte, ptl);
    if (ptl !== pml) yield* spin_unlock(t, pml);
    return false;
  };
  if ((yield* pmdp_get_lockless(t, pmdp)) !== pmdval) return yield* out_ptl();
  let nr_zero = 0;
  for (let i = 0; i < a.PTRS_PER_PTE; i++) {
    const pte = yield* ptep_get(t, start_pte + i);
    if (a.pte_none(pte)) continue;
    if (!pte_maps_zero_page(k, pte)) return yield* out_ptl();
    nr_zero++;
  }
  if (nr_zero === 0) return yield* out_ptl();
  for (let i = 0; i < a.PTRS_PER_PTE; i++) {
    const ptep = start_pte + i;
    const va = addr + i * a.PAGE_SIZE;
    if (!pte_maps_zero_page(k, yield* ptep_get(t, ptep))) continue;
    yield* ptep_get_and_clear(t, mm, va, ptep);
    tlb_remove_tlb_entry(tlb, ptep, va);
  }
  yield* pte_unmap(t, start_pte);
  yield* pmd_clear(t, pmdp);
  if (ptl !== pml) yield* spin_unlock(t, ptl);
  yield* spin_unlock(t, pml);
  yield* free_pte(t, mm, addr, tlb, pmdval);
  return true;
}

/** zero_pte_shrink_mm() restated: the gather, the scan, the flush; the tables freed. */
function* zero_pte_shrink_mm(m: ShrinkMistakes, t: task_struct, mm: mm_struct): KPath<number> {
  const a = t.k.arch;
  const tlb = tlb_gather_mmu(t.k, mm);
  let freed = 0;
  if (!mm.exited) {
    const locked = m.no_mmap_lock ? false : yield* mmap_read_trylock(t, mm);
    if (locked || m.ignore_trylock || m.no_mmap_lock) {
      for (let vma = find_vma(mm, 0); vma !== null; vma = vma_next(mm, vma)) {
        if (!zero_pte_vma_suitable(m, vma)) continue;
        for (let addr = Math.ceil(vma.vm_start / a.PMD_SIZE) * a.PMD_SIZE; addr + a.PMD_SIZE <= vma.vm_end; addr += a.PMD_SIZE) {
          const pmdp = mm_find_pmd(t, mm, addr);
          if (pmdp === null) continue;
          const pmd = yield* pmdp_get_lockless(t, pmdp);
          if (a.pxd_none(pmd) || a.pmd_leaf(pmd)) continue;
          if (yield* try_to_free_zero_pte(t, mm, pmdp, addr, tlb)) freed++;
        }
      }
      if (!m.no_mmap_lock) yield* mmap_read_unlock(t, mm);
    }
  }
  yield* tlb_finish_mmu(t, tlb);
  return freed;
}

/** @mmsim/reclaim-zero-pte restated, with `m` switched on. */
export function zeroPteReplica(name = "zero-pte-replica", m: ShrinkMistakes = {}): ReclaimPlugin {
  return {
    specificationVersion: "v1",
    name,
    version: "0.1.0",
    models: `zero-pte (seed 001 step 3) restated${name === "zero-pte-replica" ? "" : `, mutant: ${name}`}`,
    supports: { madv_dontneed: true, madv_free: false, async_scan: false, rcu_table_free: true, zero_page_tables: true },
    ...pt_reclaim_zap_hooks,
    *shrink(t: task_struct, sc: ScanControl): KPath {
      for (const mm of mm_list(t.k)) sc.nr_pt_reclaimed += yield* zero_pte_shrink_mm(m, t, mm);
    },
  };
}

const mutant = (name: string, description: string, caught_by: string[], replica: typeof lazyfreeReplica, m: ShrinkMistakes): Mutant => ({
  name,
  description,
  caught_by,
  plugin: () => replica(`mutant:${name}`, m),
});

/** Mutants of the two shrink passes (issue #9 §1: the mmap_read_trylock() failure no scenario reached before). */
export const SHRINK_MUTANTS: readonly Mutant[] = [
  mutant("lazyfree-ignore-trylock", "pt_reclaim_scan_mm() ignores mmap_read_trylock()'s result: it walks the marked VMAs under another task's mmap_write_lock and drops a read lock it never took", ["lock rules", "double free", "page-table use after free", "PMD write without the PMD lock"], lazyfreeReplica, { ignore_trylock: true }),
  mutant("lazyfree-no-mmap-lock", "pt_reclaim_scan_mm() takes no mmap_lock: it frees an empty table of a VMA munmap has detached, which free_pgtables() (mmap_lock, no PMD lock) frees too", ["double free", "page-table use after free", "ptlock use after free", "PMD write without the PMD lock", "table freed while still reachable"], lazyfreeReplica, { no_mmap_lock: true }),
  mutant("zero-pte-ignore-trylock", "zero_pte_scan_mm() ignores mmap_read_trylock()'s result: it walks the VMAs under another task's mmap_write_lock and drops a read lock it never took", ["lock rules"], zeroPteReplica, { ignore_trylock: true }),
];

/**
 * Deliberately broken variants of the zero-page reclaimer, each with the check
 * meant to catch it (zero_pte.test.ts, tlb.test.ts, races.test.ts). Each is
 * try_to_free_zero_pte() with one step changed; not exported from the package.
 *
 *   - "no-tlb-entry": the zero-page entries are cleared without
 *     tlb_remove_tlb_entry(): the gather's range is only pte_free_tlb()'s first
 *     page, so other CPUs keep the zero-page translations of the rest of the
 *     2 MiB (a later write there by another CPU is invisible to them);
 *   - "no-flush": nothing goes into the gather: the entries are cleared without
 *     tlb_remove_tlb_entry() and the table is freed with pte_free_defer() (RCU
 *     only), so no TLB is flushed at all: paging-structure caches keep
 *     pointing at the table, TLBs keep the zero-page translations;
 *   - "check-unlocked": the entries are checked under the PMD lock alone, before
 *     the PTE lock: a fault that maps a page in between (it takes only the PTE
 *     lock) is not seen, and the table is freed with that entry (lost mapping);
 *   - "any-present": the emptiness test takes any present entry for the zero
 *     page (pte_present() without pte_special/is_zero_pfn): tables mapping user
 *     data are cleared and freed (the differential test sees the data go);
 *   - "no-pmd-lock": the PTE lock alone, no pmd_lock: the PMD is cleared while
 *     step 1's fast path may hold the PMD lock to clear it too;
 *   - "present-only": the emptiness test looks at present entries only (a
 *     non-present one is passed over as if none): a table holding a guard
 *     marker (MADV_GUARD_INSTALL, 6.13+) or a swap entry beside zero-page
 *     entries is freed with it, and the guard page no longer faults.
 */
import {
  mm_dec_nr_ptes,
  pmd_clear,
  pmd_lock,
  pmdp_get_lockless,
  pte_free_defer,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  ptep_get_and_clear,
  spin_lock,
  spin_lock_nested,
  spin_unlock,
  tlb_finish_mmu,
  tlb_gather_mmu,
  mm_list,
  tlb_remove_tlb_entry,
  type KPath,
  type ReclaimPlugin,
  type ScanControl,
  type mm_struct,
  type mmu_gather,
  type pmd_ptr,
  type task_struct,
} from "@mmsim/core/kernel";
import { free_pte } from "@mmsim/reclaim-pt-reclaim";
import { zeroPte } from "./index.js";
import { pte_maps_zero_page, zero_pte_scan_mm, type ZeroPteResult } from "./zero_pte.js";

export type ZeroPteBug = "no-tlb-entry" | "no-flush" | "check-unlocked" | "any-present" | "no-pmd-lock" | "present-only";
export const ZERO_PTE_BUGS: readonly ZeroPteBug[] = ["no-tlb-entry", "no-flush", "check-unlocked", "any-present", "no-pmd-lock", "present-only"];

/** try_to_free_zero_pte() with `bug`. */
export function* try_to_free_zero_pte_mutant(bug: ZeroPteBug, t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, tlb: mmu_gather): KPath<ZeroPteResult> {
  const k = t.k;
  const a = k.arch;
  // BUG no-pmd-lock: the PMD lock is not taken (pml stands for the PTE lock below).
  const pml = bug === "no-pmd-lock" ? null : yield* pmd_lock(t, pmdp);
  const start = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
  if (start === null) {
    if (pml !== null) yield* spin_unlock(t, pml);
    return "no-table";
  }
  const { pte: start_pte, pmdval } = start;
  const ptl = start.ptl;
  const check = function* (): KPath<ZeroPteResult | null> {
    let nr_zero = 0;
    for (let i = 0; i < a.PTRS_PER_PTE; i++) {
      const pte = yield* ptep_get(t, start_pte + i);
      if (bug === "present-only" ? !a.pte_present(pte) : a.pte_none(pte)) continue; // BUG present-only
      if (!(bug === "any-present" ? a.pte_present(pte) : pte_maps_zero_page(k, pte))) return "mapped"; // BUG any-present
      nr_zero++;
    }
    return nr_zero === 0 ? "empty" : null;
  };
  // BUG check-unlocked: the entries are read before the PTE lock is taken.
  const early = bug === "check-unlocked" ? yield* check() : null;
  if (pml === null) yield* spin_lock(t, ptl);
  else if (ptl !== pml) yield* spin_lock_nested(t, ptl);
  const out_ptl = function* (r: ZeroPteResult): KPath<ZeroPteResult> {
    yield* pte_unmap_unlock(t, start_pte, ptl);
    if (pml !== null && ptl !== pml) yield* spin_unlock(t, pml);
    return r;
  };
  if ((yield* pmdp_get_lockless(t, pmdp)) !== pmdval) return yield* out_ptl("no-table");
  const found = bug === "check-unlocked" ? early : yield* check();
  if (found !== null) return yield* out_ptl(found);
  for (let i = 0; i < a.PTRS_PER_PTE; i++) {
    const ptep = start_pte + i;
    const va = addr + i * a.PAGE_SIZE;
    const pte = yield* ptep_get(t, ptep);
    if (!(bug === "any-present" ? a.pte_present(pte) : pte_maps_zero_page(k, pte))) continue; // BUG any-present
    yield* ptep_get_and_clear(t, mm, va, ptep);
    if (bug !== "no-tlb-entry" && bug !== "no-flush") tlb_remove_tlb_entry(tlb, ptep, va); // BUG no-tlb-entry, no-flush
  }
  yield* pte_unmap(t, start_pte);
  yield* pmd_clear(t, pmdp);
  if (pml === null) yield* spin_unlock(t, ptl);
  else {
    if (ptl !== pml) yield* spin_unlock(t, ptl);
    yield* spin_unlock(t, pml);
  }
  if (bug === "no-flush") {
    // BUG no-flush: freed after a grace period, never flushed from any TLB.
    pte_free_defer(t, mm, a.pxd_pfn(pmdval));
    mm_dec_nr_ptes(mm);
    mm.counters.pte_tables_reclaimed++;
  } else yield* free_pte(t, mm, addr, tlb, pmdval);
  return "freed";
}

/** The plugin with `bug` in its per-PMD path (step 1 unchanged). */
export function zeroPteMutant(bug: ZeroPteBug): ReclaimPlugin {
  const good = zeroPte();
  return {
    ...good,
    name: `zero-pte-mutant-${bug}`,
    *shrink(t: task_struct, sc: ScanControl): KPath {
      for (const mm of mm_list(t.k)) {
        const tlb = tlb_gather_mmu(t.k, mm);
        const r = yield* zero_pte_scan_mm(t, mm, tlb, (tt, m, p, ad, g) => try_to_free_zero_pte_mutant(bug, tt, m, p, ad, g));
        yield* tlb_finish_mmu(t, tlb);
        sc.nr_pt_reclaimed += r.freed;
      }
    },
  };
}

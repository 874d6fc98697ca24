/**
 * The facade a page-table shrinker (the `shrink` hook) is written with:
 * mm_list, vma_lookup, mmap_read_trylock/unlock, tlb_gather_mmu/tlb_finish_mmu on
 * another task's mm. A minimal shrinker frees every empty PTE table of every mm
 * from kswapd; its mutant (mmap_read_trylock ignored: it walks an mm whose
 * mmap_lock a writer holds) is caught.
 */
import { describe, expect, it } from "vitest";
import {
  find_vma,
  mm_dec_nr_ptes,
  mm_find_pmd,
  mm_list,
  mmap_read_trylock,
  mmap_read_unlock,
  pmd_clear,
  pmd_lock,
  pmdp_peek,
  pte_free_tlb,
  pte_offset_map_rw_nolock,
  pte_unmap_unlock,
  ptep_get,
  spin_lock_nested,
  spin_unlock,
  tlb_finish_mmu,
  tlb_gather_mmu,
  vma_lookup,
  vma_next,
  type KPath,
  type ReclaimPlugin,
  type ScanControl,
  type mm_struct,
  type task_struct,
} from "./kernel.js";
import { Engine } from "../engine.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { MADV_FREE } from "../mm/madvise.js";
import { down_write, up_write } from "../sync/rwsem.js";
import { run_to_completion } from "../sched/runner.js";
import { check_mm } from "../check/invariants.js";

function shrinker(o: { ignore_trylock?: boolean } = {}): ReclaimPlugin & { walked: number[] } {
  const walked: number[] = [];
  function* scan_mm(t: task_struct, mm: mm_struct, sc: ScanControl): KPath {
    const a = t.k.arch;
    const tlb = tlb_gather_mmu(t.k, mm);
    for (let vma = find_vma(mm, 0); vma; vma = vma_next(mm, vma)) {
      for (let addr = vma.vm_start; addr + a.PMD_SIZE <= vma.vm_end; addr += a.PMD_SIZE) {
        const pmdp = mm_find_pmd(t, mm, addr);
        if (pmdp === null || a.pxd_none(pmdp_peek(t, pmdp))) continue;
        const pml = yield* pmd_lock(t, pmdp);
        const m = yield* pte_offset_map_rw_nolock(t, mm, pmdp, addr);
        if (m === null) {
          yield* spin_unlock(t, pml);
          continue;
        }
        yield* spin_lock_nested(t, m.ptl);
        let empty = true;
        for (let i = 0; i < a.PTRS_PER_PTE && empty; i++) if (!a.pte_none(yield* ptep_get(t, m.pte + i))) empty = false;
        if (empty) yield* pmd_clear(t, pmdp);
        yield* pte_unmap_unlock(t, m.pte, m.ptl);
        yield* spin_unlock(t, pml);
        if (empty) {
          yield* pte_free_tlb(t, tlb, a.pxd_table_pfn(m.pmdval), addr);
          mm_dec_nr_ptes(mm);
          mm.counters.pte_tables_reclaimed++;
          sc.nr_pt_reclaimed++;
        }
      }
    }
    yield* tlb_finish_mmu(t, tlb);
  }
  return {
    specificationVersion: "v1",
    name: "test-shrinker",
    version: "0",
    models: "test",
    supports: {},
    walked,
    *shrink(t: task_struct, sc: ScanControl): KPath {
      for (const mm of mm_list(t.k)) {
        if (!o.ignore_trylock && !(yield* mmap_read_trylock(t, mm))) continue;
        walked.push(mm.id);
        expect(vma_lookup(mm, SLOT)).not.toBeNull();
        yield* scan_mm(t, mm, sc);
        if (!o.ignore_trylock) yield* mmap_read_unlock(t, mm);
      }
    },
  };
}

function run(o: { ignore_trylock?: boolean; writer?: boolean }) {
  const plugin = shrinker(o);
  const e = new Engine({ arch, reclaim: plugin });
  const p = e.spawn();
  mmapFixed(p, SLOT, 4 * M);
  p.touch(SLOT, 4 * M, true);
  p.madvise(SLOT, 4 * M, MADV_FREE);
  if (o.writer) run_to_completion(down_write(p.task, p.mm.mmap_lock)); // the process is inside mmap()/munmap()
  const r = p.reclaim(8 * M);
  if (o.writer) run_to_completion(up_write(p.task, p.mm.mmap_lock));
  return { e, p, r, plugin };
}

describe("the facade for a page-table shrinker", () => {
  it("kswapd frees the MADV_FREE'd tables of every mm through a gather on that mm", () => {
    const { e, p, r, plugin } = run({});
    expect(plugin.walked.length).toBeGreaterThan(0);
    expect(r.nr_pt_reclaimed).toBe(2);
    expect(p.status().VmPTE).toBe(8); // the PMD and PUD tables remain
    expect(p.mm.counters.pte_tables_reclaimed).toBe(2);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("mmap_read_trylock fails while a writer holds mmap_lock: the mm is skipped", () => {
    const { p, r, plugin } = run({ writer: true });
    expect(plugin.walked).toEqual([]);
    expect(r.nr_pt_reclaimed).toBe(0);
    expect(p.status().VmPTE).toBe(16);
  });

  it("mutant: a shrinker that does not try the lock walks the mm under the writer", () => {
    const { plugin } = run({ writer: true, ignore_trylock: true });
    expect(plugin.walked.length).toBeGreaterThan(0); // the test above would fail on it
  });
});

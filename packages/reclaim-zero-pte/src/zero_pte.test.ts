/**
 * Step 3's per-PMD logic and scan, driven directly (zero_pte_shrink_mm(): one
 * mm's pass with its own mmu_gather), and through the `shrink` hook.
 */
import { arm64 } from "@mmsim/arch-arm64";
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, type Arch, MADV_DONTNEED, MADV_GUARD_INSTALL, MADV_HUGEPAGE, MADV_PAGEOUT, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, type Process } from "@mmsim/core";
import { check_exit, check_mm, execute, RandomStrategy, validateScenario } from "@mmsim/core/check";
import { mm_find_pmd, mmap_read_trylock, mmap_read_unlock, tlb_finish_mmu, tlb_gather_mmu, VM_LOCKED, VM_READ, VM_SHARED, VM_WRITE, type vm_area_struct } from "@mmsim/core/kernel";
import { describe, expect, it } from "vitest";
import { try_to_free_zero_pte, userfaultfd_armed, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP, zero_pte_shrink_mm, zero_pte_vma_suitable, zeroPte, type ZeroPteResult, type ZeroPteScan } from "./index.js";
import { zeroPteMutant } from "./mutants.js";

const K = 1024;
const M = 1024 * K;
const G = 1024 * M;
const SLOT = 0x200000000000;

function proc(arch: Arch = x86_64()): { e: Engine; p: Process } {
  const e = new Engine({ arch, reclaim: zeroPte() });
  return { e, p: e.spawn() };
}
const map = (p: Process, addr: number, len: number, flags = MAP_PRIVATE) => p.mmap(addr, len, 3, MAP_ANONYMOUS | flags | MAP_FIXED_NOREPLACE);
const pte = (p: Process) => p.status().VmPTE;
/** One pass over p's mm, run to completion (p's task is not stepping: the path never yields). */
function shrink(p: Process): ZeroPteScan {
  const r = zero_pte_shrink_mm(p.task, p.mm).next();
  expect(r.done).toBe(true);
  p.idle(10); // grace periods: the freed tables' RCU callbacks run
  return r.value as ZeroPteScan;
}
const vma = (vm_flags: number) => ({ vm_start: 0, vm_end: 2 * M, vm_flags }) as vm_area_struct;

/** One page swapped out, the other 511 of the slice read (zero page): the shrinker must keep the table. */
function swapEntryThenZeroPages(p: Process): void {
  expect(p.swapon(64 * M)).toBe(0);
  map(p, SLOT, 2 * M);
  p.access(SLOT, true);
  expect(p.madvise(SLOT, 4 * K, MADV_PAGEOUT)).toBe(0);
  expect(p.status().VmSwap).toBe(4);
  p.touch(SLOT + 4 * K, 2 * M - 4 * K, false);
  expect(shrink(p).freed).toBe(0);
  expect(pte(p)).toBe(12);
}

describe("zero-pte: the per-PMD check and the scan", () => {
  it("frees tables that map only the zero page; RSS stays 0; a re-read maps the zero page again", () => {
    const { e, p } = proc();
    map(p, SLOT, 8 * M);
    expect(p.touch(SLOT, 8 * M, false)).toBe("ok");
    expect(pte(p)).toBe(24); // 4 PTE + PMD + PUD
    expect(p.status().VmRSS).toBe(0);
    const r = shrink(p);
    expect(r).toEqual({ skipped: false, freed: 4, scanned: 4 });
    expect(pte(p)).toBe(8);
    expect(p.status().VmRSS).toBe(0);
    expect(p.mm.counters.pte_tables_reclaimed).toBe(4);
    expect(check_mm(e.k, p.mm)).toEqual([]);
    // Same data, one extra fault per page.
    const faults = p.mm.counters.zero_page_faults;
    expect(p.load(SLOT + 5 * M)).toBe(0);
    expect(p.mm.counters.zero_page_faults).toBe(faults + 1);
    expect(pte(p)).toBe(12);
    p.exit();
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("a table with one written page is kept; so is one with every entry none (step 1's or step 2's)", () => {
    const { p } = proc();
    map(p, SLOT, 6 * M);
    p.touch(SLOT, 6 * M, false);
    p.access(SLOT + 2 * M + 8 * K, true); // slice 1: a page written
    p.madvise(SLOT + 4 * M, 2 * M, MADV_DONTNEED); // slice 2: pt-reclaim frees it at once
    expect(pte(p)).toBe(16);
    p.access(SLOT + 4 * M, true);
    p.madvise(SLOT + 4 * M, 4 * K, MADV_DONTNEED); // slice 2 again: a table of none entries (a 4K DONTNEED is no candidate)
    expect(pte(p)).toBe(20);
    const r = shrink(p);
    expect(r.freed).toBe(1);
    expect(r.scanned).toBe(3);
    expect(pte(p)).toBe(16);
    expect(p.load(SLOT + 2 * M + 8 * K)).not.toBe(0);
  });

  it("a table with zero-page and none entries is freed (at least one zero-page entry)", () => {
    const { p } = proc();
    map(p, SLOT, 2 * M);
    p.touch(SLOT, 64 * K, false);
    expect(shrink(p).freed).toBe(1);
    expect(pte(p)).toBe(8);
  });

  it("a swap entry aborts (non-present entries: swap, migration, markers)", () => {
    const { p } = proc();
    swapEntryThenZeroPages(p);
  });

  it("a guard marker aborts too (MADV_GUARD_INSTALL, 6.13+): the table stays and the guard page still faults", () => {
    for (const plugin of [zeroPte(), zeroPteMutant("present-only")]) {
      const e = new Engine({ arch: x86_64(), reclaim: plugin });
      const p = e.spawn();
      map(p, SLOT, 2 * M);
      expect(p.madvise(SLOT, 4 * K, MADV_GUARD_INSTALL)).toBe(0);
      p.touch(SLOT + 4 * K, 2 * M - 4 * K, false); // the rest: the zero page
      const before = pte(p);
      p.reclaim(1 * M); // kswapd: the shrink hook's pass
      p.idle(20);
      if (plugin.name === "zero-pte") {
        expect(pte(p)).toBe(before);
        expect(p.access(SLOT, false)).toBe("SIGSEGV");
        expect(check_mm(e.k, p.mm)).toEqual([]);
      } else {
        // The mutant frees the table with the marker in it: the guard page is ordinary memory again.
        expect(pte(p)).toBe(before - 4);
        expect(p.access(SLOT, false)).toBe("ok");
      }
    }
  });

  it("only slices wholly inside one suitable VMA: a clipped slice and a shared mapping are left", () => {
    const { p } = proc();
    map(p, SLOT, 3 * M); // slice 1 clipped by the VMA end
    map(p, SLOT + 4 * M, 2 * M, MAP_SHARED); // shmem: read faults map page-cache pages, not the zero page
    p.touch(SLOT, 3 * M, false);
    p.touch(SLOT + 4 * M, 2 * M, false);
    const before = pte(p);
    const r = shrink(p);
    expect(r).toEqual({ skipped: false, freed: 1, scanned: 1 });
    expect(pte(p)).toBe(before - 4);
  });

  it("the huge zero PMD is out of scope (a PMD leaf, not a PTE table)", () => {
    const { p } = proc();
    map(p, SLOT, 4 * M);
    expect(p.madvise(SLOT, 4 * M, MADV_HUGEPAGE)).toBe(0);
    p.touch(SLOT, 4 * M, false);
    const before = pte(p);
    expect(shrink(p)).toEqual({ skipped: false, freed: 0, scanned: 0 });
    expect(pte(p)).toBe(before);
  });

  it("arm64: a swap entry is not the zero page even where its offset field reads as the zero PFN (pte_present first)", () => {
    // arm64 keeps a swap PTE's offset in the bits a present PTE's PFN occupies
    // (x86 stores it inverted): the first slot, offset 1, reads as PFN 1, the
    // model's zero PFN. is_zero_pfn(pte_pfn(pte)) alone would take it for the zero page.
    const { p } = proc(arm64());
    swapEntryThenZeroPages(p);
    expect(p.status().VmSwap).toBe(4);
    expect(p.load(SLOT)).not.toBe(0); // swapped back in: the data survived
  });

  it("try_to_free_zero_pte() says what it found: no-table (a huge PMD), mapped, empty, freed", () => {
    const { e, p } = proc();
    map(p, SLOT, 8 * M);
    expect(p.madvise(SLOT, 2 * M, MADV_HUGEPAGE)).toBe(0); // slice 0: the huge zero PMD
    p.touch(SLOT, 6 * M, false);
    p.access(SLOT + 2 * M, true); // slice 1: a written page
    p.madvise(SLOT + 4 * M + 8 * K, 4 * K, MADV_DONTNEED); // slice 2: zero-page entries and a none one
    p.access(SLOT + 6 * M, true);
    p.madvise(SLOT + 6 * M, 4 * K, MADV_DONTNEED); // slice 3: one write, discarded: every entry none (a 4K DONTNEED is no candidate)
    const t = p.task;
    const tlb = tlb_gather_mmu(e.k, p.mm);
    const got: ZeroPteResult[] = [];
    const it = (function* () {
      expect(yield* mmap_read_trylock(t, p.mm)).toBe(true);
      for (let i = 0; i < 4; i++) got.push(yield* try_to_free_zero_pte(t, p.mm, mm_find_pmd(t, p.mm, SLOT + i * 2 * M)!, SLOT + i * 2 * M, tlb));
      yield* mmap_read_unlock(t, p.mm);
      yield* tlb_finish_mmu(t, tlb);
    })();
    expect(it.next().done).toBe(true);
    p.idle(10);
    expect(got).toEqual(["no-table", "mapped", "freed", "empty"]);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("a suitable VMA with no page-table levels below the PGD yet (mm_find_pmd() NULL) is skipped", () => {
    const { e, p } = proc();
    map(p, SLOT, 2 * M);
    map(p, SLOT + 4 * G, 2 * M); // another PUD entry: never touched, no PMD table
    p.touch(SLOT, 2 * M, false);
    expect(shrink(p)).toEqual({ skipped: false, freed: 1, scanned: 1 });
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("VMA exclusions: VM_LOCKED, VM_SHARED, userfaultfd-armed (MISSING, WP, MINOR)", () => {
    const rw = VM_READ | VM_WRITE;
    expect(zero_pte_vma_suitable(vma(rw))).toBe(true);
    expect(zero_pte_vma_suitable(vma(rw | VM_LOCKED))).toBe(false);
    expect(zero_pte_vma_suitable(vma(rw | VM_SHARED))).toBe(false);
    for (const f of [VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR]) {
      expect(userfaultfd_armed(vma(rw + f))).toBe(true);
      expect(zero_pte_vma_suitable(vma(rw + f))).toBe(false);
    }
    expect(userfaultfd_armed(vma(rw | VM_LOCKED))).toBe(false);
  });

  it("step 1 is unchanged: MADV_DONTNEED over 3G written every 2M leaves 16 kB", () => {
    const { e, p } = proc();
    map(p, SLOT, 3 * G);
    p.touch(SLOT, 3 * G, true, 2 * M);
    expect(p.madvise(SLOT, 3 * G, MADV_DONTNEED)).toBe(0);
    expect(pte(p)).toBe(16);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });
});

describe("zero-pte: the shrink hook (shrink_node after the anon LRU pass)", () => {
  it("kswapd frees every mm's zero-page tables and counts them in sc.nr_pt_reclaimed", () => {
    const plugin = zeroPte();
    const e = new Engine({ arch: x86_64(), reclaim: plugin });
    const p = e.spawn();
    const q = e.spawn(1, "other");
    map(p, SLOT, 8 * M);
    map(q, SLOT, 4 * M);
    p.touch(SLOT, 8 * M, false);
    q.touch(SLOT, 4 * M, false);
    q.access(SLOT, true); // q's first table maps a page: kept
    const r = p.reclaim(1 * M);
    expect(r.nr_pt_reclaimed).toBe(5);
    expect(pte(p)).toBe(8);
    expect(pte(q)).toBe(12);
    // balance_pgdat() calls shrink_node() once per priority while it finds no folio
    // to reclaim (nothing here is reclaimable): the first pass frees, the others find nothing.
    expect(plugin.stats.shrink_calls).toBeGreaterThan(1);
    expect(plugin.stats.zero_tables_freed).toBe(5);
    expect(plugin.stats.mm_skipped).toBe(0);
    expect(plugin.stats.pmds_scanned).toBeGreaterThanOrEqual(6); // the first pass looks at p's 4 tables and q's 2
    expect(check_mm(e.k, p.mm)).toEqual([]);
    expect(check_mm(e.k, q.mm)).toEqual([]);
  });

  it("reclaim never waits for mmap_lock: against mprotect() holding it for write, a pass skips the mm (mm_skipped) and leaves its tables", () => {
    const s = validateScenario({
      name: "mprotect-vs-shrink",
      description: "kswapd's passes while a thread's mprotect() holds mmap_write_lock",
      requires: "zero_page_tables",
      setup: [
        { op: "mmap", at: 0, len: "4M" },
        { op: "touch", at: 0, len: "4M" },
      ],
      actors: [
        { name: "kswapd", cpu: 0, ops: [{ op: "reclaim", len: "64K" }] },
        { name: "mprotect", cpu: 1, ops: [{ op: "mprotect", at: 0, len: "4K", prot: "r" }] },
      ],
    });
    const rnd = new RandomStrategy(1);
    let some_skipped = 0;
    let all_skipped = 0;
    for (let n = 0; n < 20 && rnd.new_execution(); n++) {
      const plugin = zeroPte();
      const r = execute(s, rnd, { plugin, arch: x86_64() });
      expect(r.violation).toBeNull();
      const st = plugin.stats;
      expect(st.mm_skipped).toBeGreaterThanOrEqual(0);
      expect(st.mm_skipped).toBeLessThanOrEqual(st.shrink_calls); // one mm: at most one skip per pass
      if (st.mm_skipped > 0) some_skipped++;
      if (st.mm_skipped === st.shrink_calls) {
        all_skipped++;
        expect(st.zero_tables_freed).toBe(0); // never got the lock: nothing scanned, nothing freed
        expect(st.pmds_scanned).toBe(0);
      }
    }
    expect(some_skipped).toBeGreaterThan(0);
    expect(all_skipped).toBeGreaterThan(0);
  });

  it("direct reclaim in the allocating task does the same", () => {
    const { p } = proc();
    map(p, SLOT, 8 * M);
    p.touch(SLOT, 8 * M, false);
    expect(p.reclaim(1 * M, true).nr_pt_reclaimed).toBe(4);
    expect(pte(p)).toBe(8);
  });

  it("a forked child's zero-page tables are its own: each mm is scanned", () => {
    const { e, p } = proc();
    map(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, false);
    const c = p.fork();
    // copy_page_range() skips a VMA without an anon_vma (vma_needs_copy): the child refaults.
    expect(pte(c)).toBe(0);
    c.touch(SLOT, 4 * M, false);
    expect(pte(c)).toBe(16);
    expect(p.reclaim(1 * M).nr_pt_reclaimed).toBe(4);
    expect(pte(p)).toBe(8);
    expect(pte(c)).toBe(8);
    expect(c.load(SLOT + 4096)).toBe(0);
    c.exit();
    p.exit();
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });
});

/** Syscall argument checks, errno and VMA layout, as Linux returns them. */
import { describe, expect, it } from "vitest";
import { engine } from "../test/arch.js";
import { G, K, M, RW, SLOT, mmapAnon, mmapFixed, vm } from "../test/helpers.js";
import { EEXIST, EINVAL, ENOMEM, EBADF } from "./errno.js";
import { MADV_COLD, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_PAGEOUT } from "./madvise.js";
import { check_mm } from "../check/invariants.js";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from "./mmap.js";

const MMAP_BASE = 0x7ffff7fff000;

describe("mmap placement (arch_get_unmapped_area_topdown, __get_unmapped_area)", () => {
  it("places a small mapping right below mmap_base", () => {
    const p = engine().spawn();
    expect(mmapAnon(p, 4 * K)).toBe(MMAP_BASE - 4 * K);
    expect(mmapAnon(p, 8 * K)).toBe(MMAP_BASE - 12 * K);
    // adjacent private anonymous mappings with equal flags merge (vma_merge_new_range)
    expect(p.mm.map_count).toBe(1);
  });

  it("aligns PMD-multiple anonymous mappings to 2 MiB (thp_get_unmapped_area_vmflags), as the 50G seed mapping was", () => {
    const p = engine().spawn();
    const a = mmapAnon(p, 50 * G);
    expect(a % (2 * M)).toBe(0);
    expect(a + 50 * G).toBeLessThanOrEqual(MMAP_BASE);
    expect(MMAP_BASE - (a + 50 * G)).toBeLessThan(2 * M);
    const b = mmapAnon(p, 3 * M); // not a PMD multiple: no THP alignment
    expect(b).toBe(a - 3 * M);
  });

  it("MAP_FIXED_NOREPLACE over an existing mapping fails with EEXIST and changes nothing", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.access(SLOT, true);
    const before = vm(p);
    expect(mmapFixed(p, SLOT + 1 * M, 2 * M)).toBe(-EEXIST);
    expect(vm(p)).toEqual(before);
  });

  it("rejects bad arguments with Linux's errno", () => {
    const p = engine().spawn();
    expect(p.mmap(0, 0, RW, MAP_ANONYMOUS | MAP_PRIVATE)).toBe(-EINVAL);
    expect(p.mmap(0, 4096, RW, MAP_ANONYMOUS)).toBe(-EINVAL); // neither shared nor private
    expect(p.mmap(0, 4096, RW, MAP_PRIVATE)).toBe(-EBADF); // a file mapping with fd -1
    expect(p.mmap(SLOT + 1, 4096, RW, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED)).toBe(-EINVAL);
    expect(p.mmap(0, 4096, RW, MAP_ANONYMOUS | MAP_PRIVATE, 1)).toBe(-EINVAL); // unaligned offset
    expect(p.mmap(0, 2 ** 48, RW, MAP_ANONYMOUS | MAP_PRIVATE)).toBe(-ENOMEM);
    expect(p.munmap(SLOT + 1, 4096)).toBe(-EINVAL);
    expect(p.munmap(SLOT, 0)).toBe(-EINVAL);
    expect(p.munmap(SLOT, 4096)).toBe(0); // nothing mapped there: still 0
    expect(p.madvise(SLOT + 1, 4096, MADV_DONTNEED)).toBe(-EINVAL);
    expect(p.madvise(SLOT, 0, MADV_DONTNEED)).toBe(0);
    expect(p.madvise(SLOT, 4096, 12345)).toBe(-EINVAL);
    expect(p.madvise(SLOT, 4096, MADV_DONTNEED)).toBe(-ENOMEM); // unmapped
    expect(p.mprotect(SLOT + 1, 4096, PROT_READ)).toBe(-EINVAL);
    expect(p.mprotect(SLOT, 0, PROT_READ)).toBe(0);
    expect(p.mprotect(SLOT, 4096, 0x100)).toBe(-EINVAL);
    expect(p.mprotect(SLOT, 4096, PROT_READ)).toBe(-ENOMEM);
    expect(p.mm.map_count).toBe(0);
  });
});

describe("madvise over holes (madvise_walk_vmas)", () => {
  it("applies to the mapped parts, then returns ENOMEM", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    mmapFixed(p, SLOT + 4 * M, 2 * M);
    p.touch(SLOT, 6 * M, true, 2 * M); // the hole raises SIGSEGV and stops the touch
    p.touch(SLOT + 4 * M, 2 * M, true);
    p.touch(SLOT, 2 * M, true);
    expect(vm(p).VmRSS).toBe(4096);
    expect(p.madvise(SLOT, 6 * M, MADV_DONTNEED)).toBe(-ENOMEM);
    expect(vm(p).VmRSS).toBe(0);
  });
});

describe("mprotect splits and merges VMAs (mprotect_fixup, vma_modify)", () => {
  it("splits in three, then merges back when the flags match again", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 12 * K);
    p.touch(SLOT, 12 * K, true);
    expect(p.mprotect(SLOT + 4 * K, 4 * K, PROT_READ)).toBe(0);
    expect(p.mm.map_count).toBe(3);
    expect(p.access(SLOT + 4 * K, true)).toBe("SIGSEGV");
    expect(p.access(SLOT + 4 * K, false)).toBe("ok");
    expect(p.mprotect(SLOT + 4 * K, 4 * K, PROT_READ | PROT_WRITE)).toBe(0);
    expect(p.mm.map_count).toBe(1);
    expect(p.access(SLOT + 4 * K, true)).toBe("ok");
  });

  it("applies up to a hole, then returns ENOMEM", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * K);
    mmapFixed(p, SLOT + 8 * K, 4 * K);
    expect(p.mprotect(SLOT, 12 * K, PROT_READ)).toBe(-ENOMEM);
    expect(p.access(SLOT, true)).toBe("SIGSEGV");
    expect(p.access(SLOT + 8 * K, true)).toBe("ok");
  });

  it("drops VM_ACCOUNT from a never-faulted read-only part so it merges again", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 8 * K);
    p.mprotect(SLOT, 4 * K, PROT_READ);
    expect(p.mm.map_count).toBe(2);
    p.mprotect(SLOT, 4 * K, PROT_READ | PROT_WRITE);
    expect(p.mm.map_count).toBe(1);
  });
});

describe("THP in madvise mode (do_huge_pmd_anonymous_page, zap_huge_pmd, __split_huge_pmd)", () => {
  it("a write fault in a MADV_HUGEPAGE VMA maps a huge PMD with a deposited PTE table", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    expect(p.madvise(SLOT, 4 * M, MADV_HUGEPAGE)).toBe(0);
    p.access(SLOT, true);
    // PMD + PUD + the deposit (counted in nr_ptes)
    expect(vm(p)).toMatchObject({ VmRSS: 2048, VmPTE: 12 });
    expect(p.mm.counters.thp_fault_alloc).toBe(1);
  });

  it("a read fault maps the huge zero page, also with a deposit; a write replaces it with a THP", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.madvise(SLOT, 2 * M, MADV_HUGEPAGE);
    expect(p.load(SLOT + 8 * K)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 0, VmPTE: 12 });
    p.access(SLOT, true);
    expect(vm(p)).toMatchObject({ VmRSS: 2048, VmPTE: 12 });
  });

  it("a partial MADV_DONTNEED splits the PMD (the deposit becomes the PTE table); a full one frees the deposit", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.madvise(SLOT, 4 * M, MADV_HUGEPAGE);
    p.access(SLOT, true);
    p.access(SLOT + 2 * M, true);
    expect(vm(p)).toMatchObject({ VmRSS: 4096, VmPTE: 16 });
    expect(p.madvise(SLOT, 4 * K, MADV_DONTNEED)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 4092, VmPTE: 16 });
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_DONTNEED)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 2044, VmPTE: 12 });
  });

  it("MADV_FREE on part of a THP splits the folio; zero-filled subpages go to the shared zero page (6.12+)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.madvise(SLOT, 2 * M, MADV_HUGEPAGE);
    p.access(SLOT, true); // one written subpage, 511 zero-filled
    expect(vm(p)).toMatchObject({ VmRSS: 2048, VmPTE: 12 });
    expect(p.madvise(SLOT + 1 * M, 1 * M, MADV_FREE)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 4, VmPTE: 12 });
    expect(p.load(SLOT + 8 * K)).toBe(0);
    expect(p.load(SLOT)).toBeGreaterThan(0);
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("MADV_COLD/PAGEOUT split a partly covered THP; PAGEOUT reclaims a whole lazily freed one (deposit becomes the PTE table)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.madvise(SLOT, 4 * M, MADV_HUGEPAGE);
    p.touch(SLOT, 4 * M, true, 2 * M); // one byte written in each THP
    expect(p.madvise(SLOT, 2 * M, MADV_COLD)).toBe(0); // whole: deactivation only
    expect(vm(p)).toMatchObject({ VmRSS: 4096, VmPTE: 16 });
    expect(p.madvise(SLOT, 1 * M, MADV_COLD)).toBe(0); // partial: split, zero subpages remapped
    expect(vm(p)).toMatchObject({ VmRSS: 2052, VmPTE: 16 });
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_FREE)).toBe(0);
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_PAGEOUT)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 4, VmPTE: 16 });
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("MADV_PAGEOUT without swap splits a whole anon THP it cannot swap (shrink_folio_list: folio_alloc_swap fails, split_folio_to_list maps the zero-filled subpages to the zero page); measured on Linux 6.18 (host corpus thp-pageout-noswap)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 8 * M);
    p.madvise(SLOT, 8 * M, MADV_HUGEPAGE);
    p.touch(SLOT, 6 * M, true, 1 * M); // two bytes written in each of three THPs
    p.touch(SLOT + 6 * M, 2 * M, false); // the huge zero page
    expect(vm(p)).toMatchObject({ VmRSS: 6144, VmPTE: 24 });
    expect(p.madvise(SLOT, 2 * M, MADV_PAGEOUT)).toBe(0); // PMD-mapped, whole: 510 subpages to the zero page, 2 stay
    expect(vm(p)).toMatchObject({ VmRSS: 4104, VmPTE: 24 });
    expect(p.load(SLOT)).toBeGreaterThan(0);
    expect(p.load(SLOT + 4 * K)).toBe(0);
    p.touch(SLOT + 2 * M, 2 * M, true); // every subpage written: the split keeps them all
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_PAGEOUT)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 4104, VmPTE: 24 });
    expect(p.madvise(SLOT + 6 * M, 2 * M, MADV_PAGEOUT)).toBe(0); // the huge zero page is left alone
    expect(vm(p)).toMatchObject({ VmRSS: 4104, VmPTE: 24 });
    expect(p.madvise(SLOT, 8 * M, MADV_PAGEOUT)).toBe(0); // again: nothing more to reclaim without swap
    expect(vm(p)).toMatchObject({ VmRSS: 2064, VmPTE: 24 });
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("a whole PTE-mapped THP is one batch (madvise_folio_pte_batch): MADV_COLD and MADV_FREE leave it whole, MADV_PAGEOUT keeps it when redirtied; a partial MADV_FREE leaves the huge zero page alone; measured on Linux 6.18 (host corpus thp-pte-mapped-advice)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 8 * M);
    p.madvise(SLOT, 8 * M, MADV_HUGEPAGE);
    p.touch(SLOT, 4 * M, true, 1 * M);
    for (const at of [SLOT, SLOT + 2 * M]) {
      // mprotect of one page and back: the PMD is split (PTE-mapped), the folio stays whole, the VMAs merge again
      expect(p.mprotect(at, 4 * K, PROT_READ)).toBe(0);
      expect(p.mprotect(at, 4 * K, PROT_READ | PROT_WRITE)).toBe(0);
    }
    expect(vm(p)).toMatchObject({ VmRSS: 4096, VmPTE: 16 });
    expect(p.madvise(SLOT, 2 * M, MADV_COLD)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 4096, VmPTE: 16 }); // not split: its zero-filled subpages stay
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_FREE)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 4096, VmPTE: 16 });
    expect(p.access(SLOT + 2 * M, true)).toBe("ok"); // redirtied
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_PAGEOUT)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 4096, VmPTE: 16 }); // mapped back whole, swap-backed again
    p.touch(SLOT + 4 * M, 2 * M, false, 1 * M); // the huge zero page (a deposited table)
    expect(vm(p)).toMatchObject({ VmRSS: 4096, VmPTE: 20 });
    expect(p.madvise(SLOT + 4 * M, 4 * K, MADV_FREE)).toBe(0); // is_huge_zero_pmd(): left alone, not split
    expect(p.access(SLOT + 4 * M + 8 * K, true)).toBe("ok"); // so a write still gets a THP (do_huge_zero_wp_pmd)
    expect(vm(p)).toMatchObject({ VmRSS: 6144, VmPTE: 20 });
    expect(p.madvise(SLOT, 8 * M, MADV_DONTNEED)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 0, VmPTE: 16 }); // the two PTE-mapped THPs' tables stay (no pt-reclaim here)
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("a VMA too small for an aligned 2 MiB falls back to PTEs", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT + 4 * K, 2 * M);
    p.madvise(SLOT + 4 * K, 2 * M, MADV_HUGEPAGE);
    p.access(SLOT + 4 * K, true);
    expect(vm(p)).toMatchObject({ VmRSS: 4, VmPTE: 12 });
  });
});

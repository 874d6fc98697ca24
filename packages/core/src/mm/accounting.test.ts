/**
 * VmPTE (mm_pgtables_bytes), RSS and VmSize accounting, each rule with the kernel
 * function it models. Figures marked "measured" are the real kernel's on our
 * machines (shared/notes/linux-observations.md).
 */
import { describe, expect, it } from "vitest";
import { check_mm } from "../check/invariants.js";
import { engine, arch5 } from "../test/arch.js";
import { G, K, M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT } from "./madvise.js";
import { PROT_READ } from "./mmap.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";

describe("mm_pgtables_bytes: PTE + PMD + PUD tables, 4 KiB each", () => {
  it("a first write in an untouched 512 GiB slot adds one PTE, PMD and PUD table (__pte_alloc, __pmd_alloc, __pud_alloc)", () => {
    const e = engine();
    const p = e.spawn();
    expect(mmapFixed(p, SLOT, 4 * M)).toBe(SLOT);
    expect(vm(p).VmPTE).toBe(0);
    expect(p.access(SLOT, true)).toBe("ok");
    expect(vm(p)).toEqual({ VmSize: 4096, VmRSS: 4, VmPTE: 12 });
    expect(p.mm.counters.pgtables_allocated).toEqual([1, 1, 1, 0]);
  });

  it("a second 2 MiB slice adds only a PTE table (pmd_install)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.access(SLOT, true);
    p.access(SLOT + 4 * K, true);
    expect(vm(p).VmPTE).toBe(12);
    p.access(SLOT + 2 * M, true);
    expect(vm(p).VmPTE).toBe(16);
  });

  it("P4D pages are not counted: on 5-level paging the first fault also allocates a P4D (__p4d_alloc) but VmPTE is the same", () => {
    const e = engine(null, arch5);
    const p = e.spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.access(SLOT, true);
    expect(vm(p).VmPTE).toBe(12);
    expect(p.mm.counters.pgtables_allocated).toEqual([1, 1, 1, 1]);
  });

  it("measured: write one byte every 2M of 3G at 0x200000000000 adds 6160 kB (1536 PTE + 3 PMD + 1 PUD)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 3 * G);
    expect(p.touch(SLOT, 3 * G, true, 2 * M)).toBe("ok");
    expect(vm(p).VmPTE).toBe(6160);
    expect(vm(p).VmRSS).toBe(1536 * 4);
  });

  it("MADV_DONTNEED frees pages but, without reclaim, not tables (zap_pte_range)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 3 * G);
    p.touch(SLOT, 3 * G, true, 2 * M);
    expect(p.madvise(SLOT, 3 * G, MADV_DONTNEED)).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 3 * G / K, VmRSS: 0, VmPTE: 6160 });
  });

  it("measured: munmap of all 3G returns VmPTE to 0 (free_pgtables frees PMD and PUD tables too)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 3 * G);
    p.touch(SLOT, 3 * G, true, 2 * M);
    expect(p.munmap(SLOT, 3 * G)).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 0, VmRSS: 0, VmPTE: 0 });
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("free_pgd_range keeps a table a neighbouring VMA still uses (floor/ceiling)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 4 * K);
    mmapFixed(p, SLOT + 8 * K, 4 * K);
    p.access(SLOT, true);
    p.access(SLOT + 8 * K, true);
    expect(vm(p).VmPTE).toBe(12);
    expect(p.munmap(SLOT, 4 * K)).toBe(0);
    expect(vm(p).VmPTE).toBe(12); // ceiling = next->vm_start inside the same PMD range
    expect(p.munmap(SLOT + 8 * K, 4 * K)).toBe(0);
    expect(vm(p).VmPTE).toBe(0);
  });

  it("free_pgd_range frees a PTE table whose 2 MiB range no VMA touches, keeping the shared PMD table", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    mmapFixed(p, SLOT + 4 * M, 2 * M);
    p.access(SLOT, true);
    p.access(SLOT + 4 * M, true);
    expect(vm(p).VmPTE).toBe(16);
    p.munmap(SLOT + 4 * M, 2 * M);
    expect(vm(p).VmPTE).toBe(12);
  });
});

describe("RSS (MM_ANONPAGES, MM_SHMEMPAGES)", () => {
  it("a read fault maps the shared zero page: a table, no RSS (do_anonymous_page); a write then copies it (wp_page_copy)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    expect(p.load(SLOT)).toBe(0);
    expect(vm(p)).toMatchObject({ VmRSS: 0, VmPTE: 12 });
    expect(p.mm.counters.zero_page_faults).toBe(1);
    p.access(SLOT, true);
    expect(vm(p).VmRSS).toBe(4);
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("shared anonymous pages count as RssShmem and survive MADV_DONTNEED in the page cache", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 64 * K, { shared: true });
    p.touch(SLOT, 64 * K, true, 4 * K);
    expect(p.status()).toMatchObject({ VmRSS: 64, RssShmem: 64, RssAnon: 0 });
    const before = p.load(SLOT + 8 * K);
    expect(p.madvise(SLOT, 64 * K, MADV_DONTNEED)).toBe(0);
    expect(p.status().RssShmem).toBe(0);
    // A read refaults the same page, and do_fault_around() maps its cached neighbours (64 KiB window).
    expect(p.load(SLOT + 8 * K)).toBe(before);
    expect(p.status().RssShmem).toBe(64);
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("MADV_PAGEOUT with no swap unmaps shmem pages but keeps them cached (try_to_unmap before shmem_writeout fails)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 64 * K, { shared: true });
    p.touch(SLOT, 64 * K, true);
    const v = p.load(SLOT + 4 * K);
    expect(p.madvise(SLOT, 64 * K, MADV_PAGEOUT)).toBe(0);
    expect(p.status().RssShmem).toBe(0);
    expect(p.load(SLOT + 4 * K)).toBe(v);
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });

  it("MADV_FREE keeps pages mapped until reclaim; MADV_PAGEOUT discards the clean ones, not the re-dirtied", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, true);
    expect(p.madvise(SLOT, 64 * K, MADV_FREE)).toBe(0);
    expect(vm(p).VmRSS).toBe(64);
    p.access(SLOT, true); // re-dirty one page
    expect(p.madvise(SLOT, 64 * K, MADV_PAGEOUT)).toBe(0);
    expect(vm(p).VmRSS).toBe(4);
    expect(p.load(SLOT + 4 * K)).toBe(0); // discarded: reads zero again
    expect(vm(p).VmPTE).toBe(12);
    expect(check_mm(p.k, p.mm)).toEqual([]);
  });
});

describe("reclaim plugin hooks", () => {
  it("a plugin that frees nothing leaves Linux's numbers unchanged (hooks are called, not required)", () => {
    let calls = 0;
    const noop: ReclaimPlugin = {
      specificationVersion: "v1",
      name: "noop",
      version: "0",
      models: "test",
      supports: {},
      reclaim_pt_is_enabled: () => {
        calls++;
        return false;
      },
    };
    const p = engine(noop).spawn();
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 4 * M, true);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    expect(calls).toBe(2);
    expect(vm(p).VmPTE).toBe(16);
  });

  it("a read-only mapping faults reads, and a write raises SIGSEGV (access_error)", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 8 * K, { prot: PROT_READ });
    expect(p.access(SLOT, false)).toBe("ok");
    expect(p.access(SLOT, true)).toBe("SIGSEGV");
    expect(p.access(SLOT + 64 * K, false)).toBe("SIGSEGV");
  });
});

/** MAP_POPULATE / MAP_LOCKED (vm_mmap_pgoff → __mm_populate) and MADV_POPULATE_READ/WRITE (madvise_populate). */
import { describe, expect, it } from "vitest";
import { check_mm } from "../check/invariants.js";
import { engine } from "../test/arch.js";
import { K, M, RW, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { EINVAL, ENOMEM } from "./errno.js";
import { MADV_HUGEPAGE } from "./madvise.js";
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, PROT_READ } from "./mmap.js";
import { MADV_POPULATE_READ, MADV_POPULATE_WRITE, MAP_LOCKED, MAP_NONBLOCK } from "./populate.js";

const ANON = MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE;

describe("MAP_POPULATE", () => {
  it("faults every page of a private writable mapping in for writing; MAP_NONBLOCK turns it off; MAP_LOCKED populates too", () => {
    const e = engine();
    const p = e.spawn();
    expect(p.mmap(SLOT, 64 * 4 * K, RW, ANON | MAP_POPULATE)).toBe(SLOT);
    expect(vm(p)).toEqual({ VmSize: 256, VmRSS: 256, VmPTE: 12 });
    expect(p.mm.counters.pgfault).toBe(64);
    expect(p.mmap(SLOT + 4 * M, 16 * K, RW, ANON | MAP_POPULATE | MAP_NONBLOCK)).toBe(SLOT + 4 * M);
    expect(vm(p).VmRSS).toBe(256);
    expect(p.mmap(SLOT + 8 * M, 16 * K, RW, ANON | MAP_LOCKED)).toBe(SLOT + 8 * M);
    expect(vm(p).VmRSS).toBe(256 + 16);
    expect(p.status().VmLck).toBe(0); // VM_LOCKED is not modelled
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("reads a read-only private mapping in (zero pages: tables, no RSS) and a shared one (shmem pages)", () => {
    const p = engine().spawn();
    p.mmap(SLOT, 16 * K, PROT_READ, ANON | MAP_POPULATE);
    expect(vm(p)).toEqual({ VmSize: 16, VmRSS: 0, VmPTE: 12 });
    p.mmap(SLOT + 2 * M, 16 * K, RW, MAP_ANONYMOUS | MAP_SHARED | MAP_FIXED_NOREPLACE | MAP_POPULATE);
    expect(p.status().RssShmem).toBe(16);
  });

  it("maps a THP in a MADV_HUGEPAGE range on its first fault; the other pages are then present", () => {
    const p = engine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.madvise(SLOT, 2 * M, MADV_HUGEPAGE);
    expect(p.madvise(SLOT, 2 * M, MADV_POPULATE_WRITE)).toBe(0);
    expect(vm(p)).toEqual({ VmSize: 2 * K, VmRSS: 2 * K, VmPTE: 12 });
    expect(p.mm.counters.pgfault).toBe(1);
  });
});

describe("MADV_POPULATE_READ / MADV_POPULATE_WRITE", () => {
  it("populate the range, returning -ENOMEM at a hole (after populating up to it) and -EINVAL for a VMA without the access", () => {
    const e = engine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 16 * K);
    expect(p.madvise(SLOT, 16 * K, MADV_POPULATE_WRITE)).toBe(0);
    expect(vm(p).VmRSS).toBe(16);
    mmapFixed(p, SLOT + M, 16 * K);
    expect(p.madvise(SLOT + M, 32 * K, MADV_POPULATE_WRITE)).toBe(-ENOMEM);
    expect(vm(p).VmRSS).toBe(32);
    expect(p.madvise(SLOT + 2 * M, 4 * K, MADV_POPULATE_READ)).toBe(-ENOMEM);
    mmapFixed(p, SLOT + 4 * M, 16 * K, { prot: PROT_READ });
    expect(p.madvise(SLOT + 4 * M, 16 * K, MADV_POPULATE_WRITE)).toBe(-EINVAL);
    expect(p.madvise(SLOT + 4 * M, 16 * K, MADV_POPULATE_READ)).toBe(0);
    mmapFixed(p, SLOT + 6 * M, 16 * K, { prot: 0 });
    expect(p.madvise(SLOT + 6 * M, 16 * K, MADV_POPULATE_READ)).toBe(-EINVAL);
    expect(p.madvise(SLOT + 1, 4 * K, MADV_POPULATE_READ)).toBe(-EINVAL);
    expect(p.madvise(SLOT, 0, MADV_POPULATE_READ)).toBe(0);
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });
});

/**
 * The swap model (mm/swapfile.ts, mm/vmscan.ts, do_swap_page, the swap branches of
 * try_to_unmap_one, zap_nonpresent_ptes and copy_nonpresent_pte): what each path
 * does to the PTEs, the per-mm counters (VmSwap = MM_SWAPENTS) and the slots.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { describe, expect, it } from "vitest";
import { check_exit, check_mm, check_swap } from "../check/invariants.js";
import { Engine, type Process } from "../engine.js";
import { walk_pte } from "../pgtable/walk.js";
import { K, M, SLOT, mmapFixed } from "../test/helpers.js";
import { EBUSY, EINVAL } from "./errno.js";
import { MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_PAGEOUT } from "./madvise.js";
import { MM_SWAPENTS } from "./mm.js";
import { PROT_READ } from "./mmap.js";
import { si_swapinfo, swap_count, SWAP_MIN_BYTES, sys_swapon } from "./swapfile.js";

const arch = x86_64();
const swapEngine = (bytes = 64 * M) => new Engine({ arch, swap_bytes: bytes });
const st = (p: Process) => {
  const s = p.status();
  return { VmRSS: s.VmRSS, VmSwap: s.VmSwap, VmPTE: s.VmPTE };
};
const pte = (p: Process, addr: number) => p.k.pt.get(walk_pte(p.k, p.mm, addr));
const clean = (p: Process) => expect([...check_mm(p.k, p.mm), ...check_swap(p.k)]).toEqual([]);

describe("swapon", () => {
  it("no swap by default: MADV_PAGEOUT keeps anon pages mapped (as before)", () => {
    const p = new Engine({ arch }).spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, true);
    expect(p.madvise(SLOT, 64 * K, MADV_PAGEOUT)).toBe(0);
    expect(st(p)).toEqual({ VmRSS: 64, VmSwap: 0, VmPTE: 12 });
    expect(p.k.swap_info).toBeNull();
  });

  it("a swap area of N pages has N - 1 usable slots (the header page); a second swapon is EBUSY, a one-page area EINVAL", () => {
    const e = new Engine({ arch });
    expect(sys_swapon(e.k, 4096)).toBe(-EINVAL);
    const swap = e.k.vm_commit.total_swap_pages;
    expect(e.spawn().swapon(SWAP_MIN_BYTES)).toBe(0);
    expect(si_swapinfo(e.k)).toEqual({ total: 9, free: 9 });
    expect(e.k.vm_commit.total_swap_pages).toBe(swap + 9); // __vm_enough_memory: totalram + total_swap_pages
    expect(sys_swapon(e.k, 64 * M)).toBe(-EBUSY);
  });
});

describe("MADV_PAGEOUT with swap: try_to_unmap_one's swap branch", () => {
  it("each anon page's PTE becomes a swap entry (not none, not present); RSS moves to VmSwap; the table stays", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, true);
    expect(p.madvise(SLOT, 64 * K, MADV_PAGEOUT)).toBe(0);
    expect(st(p)).toEqual({ VmRSS: 0, VmSwap: 64, VmPTE: 12 });
    const e = pte(p, SLOT);
    expect(arch.pte_none(e)).toBe(false);
    expect(arch.pte_present(e)).toBe(false);
    expect(arch.is_swap_pte(e)).toBe(true);
    expect(swap_count(p.k, arch.pte_to_swp_offset(e))).toBe(1);
    expect(si_swapinfo(p.k).free).toBe(si_swapinfo(p.k).total - 16);
    clean(p);
  });

  it("zero-page PTEs (read faults) are not swapped", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, false);
    p.madvise(SLOT, 64 * K, MADV_PAGEOUT);
    expect(st(p)).toEqual({ VmRSS: 0, VmSwap: 0, VmPTE: 12 });
    clean(p);
  });

  it("swap full: the pages that find no slot stay mapped (activate_locked)", () => {
    const p = swapEngine(SWAP_MIN_BYTES).spawn(); // 9 slots
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, true);
    p.madvise(SLOT, 64 * K, MADV_PAGEOUT);
    expect(st(p)).toEqual({ VmRSS: 28, VmSwap: 36, VmPTE: 12 });
    clean(p);
  });

  it("lazily freed clean folios are still discarded, not swapped", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, true);
    p.madvise(SLOT, 64 * K, MADV_FREE);
    p.madvise(SLOT, 64 * K, MADV_PAGEOUT);
    expect(st(p)).toEqual({ VmRSS: 0, VmSwap: 0, VmPTE: 12 });
    clean(p);
  });

  it("a whole THP is split and its written pages swapped; the deposit becomes the PTE table", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.madvise(SLOT, 2 * M, MADV_HUGEPAGE);
    p.touch(SLOT, 2 * M, true, 1 * M); // one THP fault, two subpages written
    expect(st(p)).toEqual({ VmRSS: 2048, VmSwap: 0, VmPTE: 12 });
    p.madvise(SLOT, 2 * M, MADV_PAGEOUT);
    // split_folio(): the 510 zero-filled subpages go to the zero page, the 2 written ones to swap.
    expect(st(p)).toEqual({ VmRSS: 0, VmSwap: 8, VmPTE: 12 });
    expect(p.load(SLOT + 1 * M)).toBeGreaterThan(0);
    clean(p);
  });
});

describe("do_swap_page", () => {
  it("a read fault brings the page back with its data; the slot is freed; the PTE is writable (exclusive)", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 16 * K);
    p.touch(SLOT, 16 * K, true);
    const before = p.load(SLOT + 4 * K);
    p.madvise(SLOT, 16 * K, MADV_PAGEOUT);
    expect(p.load(SLOT + 4 * K)).toBe(before);
    expect(st(p)).toEqual({ VmRSS: 4, VmSwap: 12, VmPTE: 12 });
    expect(arch.pte_write(pte(p, SLOT + 4 * K))).toBe(true);
    const faults = p.mm.counters.pgfault;
    expect(p.access(SLOT + 4 * K, true)).toBe("ok");
    expect(p.mm.counters.pgfault).toBe(faults); // no write-protect fault
    expect(si_swapinfo(p.k).free).toBe(si_swapinfo(p.k).total - 3);
    clean(p);
  });

  it("a write fault maps it writable and dirty in one fault", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 4 * K);
    p.touch(SLOT, 4 * K, true);
    p.madvise(SLOT, 4 * K, MADV_PAGEOUT);
    const faults = p.mm.counters.pgfault;
    expect(p.access(SLOT, true)).toBe("ok");
    expect(p.mm.counters.pgfault).toBe(faults + 1);
    expect(arch.pte_dirty(pte(p, SLOT))).toBe(true);
    expect(st(p)).toEqual({ VmRSS: 4, VmSwap: 0, VmPTE: 12 });
    clean(p);
  });

  it("in a read-only VMA the page comes back read-only; a write is SIGSEGV", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 4 * K);
    p.touch(SLOT, 4 * K, true);
    p.madvise(SLOT, 4 * K, MADV_PAGEOUT);
    expect(p.mprotect(SLOT, 4 * K, PROT_READ)).toBe(0);
    expect(arch.is_swap_pte(pte(p, SLOT))).toBe(true); // change_pte_range keeps swap entries
    expect(p.access(SLOT, false)).toBe("ok");
    expect(arch.pte_write(pte(p, SLOT))).toBe(false);
    expect(p.access(SLOT, true)).toBe("SIGSEGV");
    clean(p);
  });
});

describe("zap_nonpresent_ptes: swap entries are zapped and their slots freed", () => {
  it("MADV_DONTNEED: VmSwap drops, every slot is free, a later read sees zeroes", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, true);
    p.madvise(SLOT, 64 * K, MADV_PAGEOUT);
    expect(p.madvise(SLOT, 32 * K, MADV_DONTNEED)).toBe(0);
    expect(st(p)).toEqual({ VmRSS: 0, VmSwap: 32, VmPTE: 12 });
    expect(p.load(SLOT)).toBe(0);
    expect(si_swapinfo(p.k).free).toBe(si_swapinfo(p.k).total - 8);
    clean(p);
  });

  it("munmap and exit free the slots", () => {
    const e = swapEngine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, true);
    p.madvise(SLOT, 64 * K, MADV_PAGEOUT);
    expect(p.munmap(SLOT, 16 * K)).toBe(0);
    expect(st(p).VmSwap).toBe(48);
    clean(p);
    p.exit();
    expect(check_exit(e.k, p.mm)).toEqual([]);
    expect(si_swapinfo(e.k).free).toBe(si_swapinfo(e.k).total);
  });
});

describe("MADV_FREE over swap entries (madvise_free_pte_range)", () => {
  it("clears them and frees their slots: a later read sees zeroes, not the swapped-out data", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 64 * K);
    p.touch(SLOT, 64 * K, true);
    p.madvise(SLOT, 64 * K, MADV_PAGEOUT);
    expect(p.madvise(SLOT, 16 * K, MADV_FREE)).toBe(0);
    expect(st(p)).toEqual({ VmRSS: 0, VmSwap: 48, VmPTE: 12 });
    expect(arch.pte_none(pte(p, SLOT))).toBe(true);
    expect(p.load(SLOT)).toBe(0);
    expect(si_swapinfo(p.k).free).toBe(si_swapinfo(p.k).total - 12);
    clean(p);
  });
});

describe("copy_nonpresent_pte: fork shares swap entries", () => {
  it("the child gets the entries (VmSwap), each slot counts both PTEs, and both read the data back", () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 16 * K);
    p.touch(SLOT, 16 * K, true);
    const v = p.load(SLOT);
    p.madvise(SLOT, 16 * K, MADV_PAGEOUT);
    const c = p.fork();
    expect(st(c)).toEqual({ VmRSS: 0, VmSwap: 16, VmPTE: 12 });
    expect(swap_count(p.k, arch.pte_to_swp_offset(pte(p, SLOT)))).toBe(2);
    expect(c.load(SLOT)).toBe(v);
    expect(arch.pte_write(pte(c, SLOT))).toBe(false); // not exclusive any more: mapped read-only
    expect(p.load(SLOT)).toBe(v);
    expect(check_mm(p.k, c.mm)).toEqual([]);
    clean(p);
    c.exit();
    p.exit();
    expect(si_swapinfo(p.k).free).toBe(si_swapinfo(p.k).total);
  });
});

describe("the invariants know swap entries (each broken path below is caught)", () => {
  const pagedOut = () => {
    const p = swapEngine().spawn();
    mmapFixed(p, SLOT, 16 * K);
    p.touch(SLOT, 16 * K, true);
    p.madvise(SLOT, 16 * K, MADV_PAGEOUT);
    clean(p);
    return p;
  };
  const rules = (p: Process) => [...check_mm(p.k, p.mm), ...check_swap(p.k)].map((v) => v.rule);

  it("a zap that clears a swap PTE but forgets free_swap_and_cache(): the slot leaks", () => {
    const p = pagedOut();
    p.k.pt.set(walk_pte(p.k, p.mm, SLOT), 0);
    p.mm.rss_stat[MM_SWAPENTS]--; // the counter kept right: only the slot is wrong
    expect(rules(p)).toContain("swap slot leaked");
  });

  it("a zap that frees the slot but leaves MM_SWAPENTS: VmSwap is wrong", () => {
    const p = pagedOut();
    const ptep = walk_pte(p.k, p.mm, SLOT);
    p.k.swap_info!.set_map(arch.pte_to_swp_offset(p.k.pt.get(ptep)), 0);
    p.k.swap_info!.inuse_pages--;
    p.k.pt.set(ptep, 0);
    expect(rules(p)).toContain("MM_SWAPENTS");
  });

  it("a swap-in that maps the page but keeps the slot's reference: swap_map count", () => {
    const p = pagedOut();
    const off = arch.pte_to_swp_offset(pte(p, SLOT));
    p.k.swap_info!.set_map(off, 2);
    expect(rules(p)).toContain("swap_map count");
  });

  it("a slot freed while a swap PTE still holds it", () => {
    const p = pagedOut();
    const off = arch.pte_to_swp_offset(pte(p, SLOT));
    p.k.swap_info!.set_map(off, 0);
    p.k.swap_info!.inuse_pages--;
    expect(rules(p)).toContain("swap entry on a free slot");
  });

  it("an entry that is neither none, present nor a swap entry of the device", () => {
    const p = pagedOut();
    p.k.pt.set(walk_pte(p.k, p.mm, SLOT), arch.swp_entry_to_pte(3, 1));
    expect(rules(p)).toContain("PTE neither none, present nor swap");
  });

  it("exit that leaves MM_SWAPENTS counted", () => {
    const e = swapEngine();
    const p = e.spawn();
    mmapFixed(p, SLOT, 16 * K);
    p.touch(SLOT, 16 * K, true);
    p.madvise(SLOT, 16 * K, MADV_PAGEOUT);
    p.exit();
    p.mm.rss_stat[MM_SWAPENTS] = 1;
    expect(check_exit(e.k, p.mm).map((v) => v.rule)).toContain("MM_SWAPENTS at exit");
  });
});

describe("the swap paths stepped (generators) and bulk (twins) agree", () => {
  it("same counters, tables and slots either way", () => {
    const run = (stepped: boolean) => {
      const e = new Engine({ arch, swap_bytes: 1 * M, stepped });
      const p = e.spawn();
      mmapFixed(p, SLOT, 4 * M);
      p.madvise(SLOT + 2 * M, 2 * M, MADV_HUGEPAGE);
      p.touch(SLOT, 4 * M, true, 16 * K);
      p.madvise(SLOT, 4 * M, MADV_PAGEOUT);
      p.touch(SLOT, 1 * M, false, 32 * K);
      const c = p.fork();
      p.madvise(SLOT, 1 * M, MADV_DONTNEED);
      c.touch(SLOT, 2 * M, true, 64 * K);
      c.exit();
      return { st: p.status(), swap: si_swapinfo(e.k), ents: [...Array(64).keys()].map((i) => pte(p, SLOT + i * 64 * K)) };
    };
    expect(run(true)).toEqual(run(false));
  });
});

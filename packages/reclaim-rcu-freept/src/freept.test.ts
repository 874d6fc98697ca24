/**
 * The 2024 asynchronous design: what it frees and when, and what the conformance
 * kit finds in it.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, isMmsimError, MADV_DONTNEED, MADV_HUGEPAGE, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE } from "@mmsim/core";
import { check_exit, check_mm } from "@mmsim/core/check";
import { builtinScript, runScript } from "@mmsim/core/workload";
import { describe, expect, it } from "vitest";
import { rcuFreept } from "./index.js";

const M = 1024 * 1024;
const SLOT = 0x200000000000;

describe("rcu-freept", () => {
  it("frees nothing synchronously: MADV_DONTNEED leaves the tables until the scanner runs", () => {
    const e = new Engine({ arch: x86_64(), reclaim: rcuFreept() });
    const p = e.spawn();
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    expect(p.status().VmPTE).toBe(16);
    // First tick arms the work, which only sets mm_pgtable_next_scan; the scan is 100 ms later.
    p.idle(60);
    expect(p.status().VmPTE).toBe(16);
    p.idle(200);
    expect(p.status().VmPTE).toBe(8); // both PTE tables freed; PMD + PUD stay
    expect(e.k.counters.tables_freed_rcu).toBe(2); // after a grace period (pte_free_defer)
    expect(check_mm(e.k, p.mm)).toEqual([]);
  });

  it("catches up with the seed loop once the task has run a while", () => {
    const e = new Engine({ arch: x86_64(), reclaim: rcuFreept() });
    const p = e.spawn();
    runScript(builtinScript("seed-small")!, p);
    p.idle(2000);
    expect(p.status().VmPTE).toBe(12);
    p.exit();
    p.idle(20);
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("declares its era, 6.10 (the RFC's base, next-20240612), and the engine runs it", () => {
    expect(rcuFreept().era).toBe("6.10");
    expect(new Engine({ arch: x86_64(), reclaim: rcuFreept() }).k.era).toBe("6.10");
  });

  it("leaves a table that a fault refilled", () => {
    const e = new Engine({ arch: x86_64(), reclaim: rcuFreept() });
    const p = e.spawn();
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 2 * M, true);
    p.madvise(SLOT, 2 * M, MADV_DONTNEED);
    p.access(SLOT + 4096, true);
    p.idle(500);
    expect(p.status().VmPTE).toBe(12);
  });
});

describe("rcu-freept's scan, as the RFC walks it", () => {
  it("walks the whole VMA the restart offset lies in (walk_page_range_vma from ALIGN(vm_start)), not from the offset", () => {
    // A 300M + 4K VMA: the scan that walks it ends at ALIGN_DOWN(vm_end), past the
    // 256 MB window, and leaves mm_pgtable_scan_offset inside the VMA. The RFC's
    // next scan finds that VMA again and walks all of it.
    const e = new Engine({ arch: x86_64(), reclaim: rcuFreept() });
    const p = e.spawn();
    p.mmap(SLOT, 300 * M + 4096, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    const empty_table_at = (off: number) => {
      p.touch(SLOT + off, 2 * M, true);
      p.madvise(SLOT + off, 2 * M, MADV_DONTNEED);
    };
    empty_table_at(0);
    // Tick by tick until the scan that walks the VMA frees the first empty table.
    for (let ms = 0; p.mm.counters.pte_tables_reclaimed === 0; ms += 4) {
      expect(ms).toBeLessThan(1000);
      p.idle(4);
    }
    empty_table_at(100 * M);
    p.idle(100); // exactly one more scan (every 25 jiffies)
    expect(p.mm.counters.pte_tables_reclaimed).toBe(2);
  });

  it("takes its scan delay and window as options, checked", () => {
    const e = new Engine({ arch: x86_64(), reclaim: rcuFreept({ scan_delay_ms: 20 }) });
    const p = e.spawn();
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    p.idle(60); // 100 ms would not have scanned yet (first test above)
    expect(p.status().VmPTE).toBe(8);
    for (const bad of [{ scan_delay_ms: 0 }, { scan_delay_ms: Number.NaN }, { scan_size_mb: -1 }]) {
      expect(() => rcuFreept(bad)).toThrow(/^rcu-freept: scan_(delay_ms|size_mb) must be a positive number/);
    }
    expect(() => rcuFreept({ scan_delay_ms: -5 })).toThrow("rcu-freept: scan_delay_ms must be a positive number of ms, got -5");
    expect(() => rcuFreept({ scan_size_mb: 0 })).toThrow("rcu-freept: scan_size_mb must be a positive number of MB, got 0");
    for (const bad of [{ scan_delay_ms: -5 }, { scan_size_mb: 0 }]) {
      let err: unknown = null;
      try {
        rcuFreept(bad);
      } catch (e) {
        err = e;
      }
      expect(isMmsimError(err, "config-error"), JSON.stringify(bad)).toBe(true);
    }
  });

  it("scan_delay_ms is converted to jiffies at HZ (200 ms = 50 jiffies): no scan before it", () => {
    const e = new Engine({ arch: x86_64(), reclaim: rcuFreept({ scan_delay_ms: 200 }) });
    const p = e.spawn();
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    p.idle(150);
    expect(p.status().VmPTE).toBe(16);
    p.idle(100);
    expect(p.status().VmPTE).toBe(8);
  });
});

/**
 * One scan round at a time: the first scan is MM_PGTABLE_SCAN_DELAY (100 ms) after
 * the first tick, then one every 100 ms; each round walks VMAs from
 * mm_pgtable_scan_offset until it has passed MM_PGTABLE_SCAN_SIZE (256 MB) beyond
 * it, and restarts at 0 when no VMA lies past the offset. The kit checks only
 * that every free is safe; these pin the RFC's scan policy.
 */
describe("rcu-freept's scan rounds (MM_PGTABLE_SCAN_DELAY, MM_PGTABLE_SCAN_SIZE, mm_pgtable_scan_offset)", () => {
  /** A process with a 4 MiB VMA at each offset, each holding one empty PTE table. */
  const with_empty_tables = (offsets: number[], opts = {}) => {
    const e = new Engine({ arch: x86_64(), reclaim: rcuFreept(opts) });
    const p = e.spawn();
    for (const off of offsets) p.mmap(SLOT + off, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    for (const off of offsets) {
      p.touch(SLOT + off, 2 * M, true);
      p.madvise(SLOT + off, 2 * M, MADV_DONTNEED);
    }
    return p;
  };
  const reclaimed = (p: ReturnType<Engine["spawn"]>) => p.mm.counters.pte_tables_reclaimed;
  /** Tick by tick until the first scan round has freed a table: 100 ms (25 jiffies) after the first tick, which arms it. */
  const first_round = (p: ReturnType<Engine["spawn"]>) => {
    let ms = 0;
    for (; reclaimed(p) === 0; ms += 4) {
      expect(ms).toBeLessThan(1000);
      p.idle(4);
    }
    expect(ms).toBe(104);
  };

  it("the first round walks one VMA from offset 0 (ALIGN_DOWN(vm_end) is past 256 MB); a VMA ending exactly 256 MB past the offset ends a round", () => {
    // A = [0, 4M), B = [256M, 260M), C = [264M, 268M) from SLOT: B's end is exactly
    // MM_PGTABLE_SCAN_SIZE past A's end, the offset after the first round.
    const p = with_empty_tables([0, 256 * M, 264 * M]);
    first_round(p);
    expect(reclaimed(p)).toBe(1);
    p.idle(100);
    expect(reclaimed(p)).toBe(2); // B, and `end - offset >= scan_size` stops there
    p.idle(100);
    expect(reclaimed(p)).toBe(3); // C
  });

  it("a round goes on past VMAs within 256 MB of the offset, and the next one starts where it stopped", () => {
    const p = with_empty_tables([0, 8 * M, 16 * M]);
    first_round(p);
    expect(reclaimed(p)).toBe(1); // A
    p.idle(100);
    expect(reclaimed(p)).toBe(3); // B and C in the second round, from A's end
  });

  it("a round whose offset is past the last VMA restarts at 0; no round before the scan delay", () => {
    const p = with_empty_tables([0]);
    first_round(p); // walks the only VMA; the offset is now its end
    expect(reclaimed(p)).toBe(1);
    p.touch(SLOT + 2 * M, 2 * M, true);
    p.madvise(SLOT + 2 * M, 2 * M, MADV_DONTNEED);
    p.idle(40);
    expect(reclaimed(p)).toBe(1); // the next round is 100 ms after the first
    p.idle(80);
    expect(reclaimed(p)).toBe(2); // find_vma(offset) is NULL: the round restarts at 0
  });


  /**
   * A = [0, 4M) and C = [304M, 308M) at SLOT, each with its first table emptied by
   * MADV_DONTNEED, and a small VMA T = [t, t + len) between them; returns once the
   * scanner has freed A's table (the first round).
   */
  function aTC(t: number, len: number) {
    const p = new Engine({ arch: x86_64(), reclaim: rcuFreept() }).spawn();
    for (const off of [0, 304 * M]) p.mmap(SLOT + off, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.mmap(t, len, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    for (const off of [0, 304 * M]) {
      p.touch(SLOT + off, 2 * M, true);
      p.madvise(SLOT + off, 2 * M, MADV_DONTNEED);
    }
    for (let ms = 0; reclaimed(p) === 0; ms += 4) {
      expect(ms).toBeLessThan(1000);
      p.idle(4);
    }
    return p;
  }
  it("a VMA inside one 2 MiB slot is not skipped before the window check (`end - start` is unsigned in the RFC): a round stops at it", () => {
    // A = [0, 4M) and C = [304M, 308M) from SLOT, each with an empty table, and a 4 KiB VMA T
    // at 300M + 4K. For T, start = ALIGN(vm_start) = 302M > end = ALIGN_DOWN(vm_end) = 300M:
    // the RFC's `end - start < PMD_SIZE` wraps (unsigned long) and does not `continue`;
    // walk_page_range_vma() returns -EINVAL (start >= end) and the window check
    // `end - mm_pgtable_scan_offset >= MM_PGTABLE_SCAN_SIZE << 20` (300M - 4M) ends the round at T.
    const p = aTC(SLOT + 300 * M + 4096, 4096);
    expect(reclaimed(p)).toBe(1); // A; the offset is now A's end
    p.idle(100);
    expect(reclaimed(p)).toBe(1); // stopped at T: the offset is T's ALIGN_DOWN(vm_end), 300M
    p.idle(100);
    expect(reclaimed(p)).toBe(2); // from T again (0 past the offset), on to C
  });

  it("a VMA that crosses one 2 MiB boundary without holding a whole slot is skipped before the window check (`end - start` is 0)", () => {
    // As above, but T = [300M - 4K, 300M + 4K): ALIGN(vm_start) = ALIGN_DOWN(vm_end) = 300M,
    // `end - start < PMD_SIZE` holds and the RFC `continue`s past the window check, on to C.
    const p = aTC(SLOT + 300 * M - 4096, 8192);
    expect(reclaimed(p)).toBe(1); // A
    p.idle(100);
    expect(reclaimed(p)).toBe(2); // T skipped, C walked in the same round
  });

  it("leaves MADV_HUGEPAGE VMAs to the THP path (VM_HUGEPAGE)", () => {
    const e = new Engine({ arch: x86_64(), reclaim: rcuFreept() });
    const p = e.spawn();
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true); // PTE-mapped before the advice
    p.madvise(SLOT, 4 * M, MADV_HUGEPAGE);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    p.idle(500);
    expect(p.status().VmPTE).toBe(16);
    expect(reclaimed(p)).toBe(0);
  });
});

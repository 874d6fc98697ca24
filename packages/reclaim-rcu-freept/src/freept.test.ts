/**
 * The 2024 asynchronous design: what it frees and when, and what the conformance
 * kit finds in it.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE } from "@mmsim/core";
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
  });
});

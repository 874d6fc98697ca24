/**
 * Every table's percpu_ref is freed with the table: pgtable_pte_page_dtor() →
 * pte_ref_free() → percpu_ref_exit() (the per-CPU counters go back to the percpu
 * allocator). A leak would show in /proc/meminfo's Percpu and to kmemleak; the
 * model's percpu_ref has no allocator, so this test counts the refs that
 * percpu_ref_init() made and percpu_ref_exit() has not freed, by wrapping the two
 * (vi.mock of @mmsim/core/kernel: the plugin's source sees the wrappers).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE } from "@mmsim/core";
import { check_exit } from "@mmsim/core/check";
import { describe, expect, it, vi } from "vitest";
import { percpu } from "./index.js";

const live = vi.hoisted(() => new Set<object>());
const exits = vi.hoisted(() => ({ n: 0 }));
vi.mock("@mmsim/core/kernel", async (importOriginal) => {
  const k = await importOriginal<typeof import("@mmsim/core/kernel")>();
  return {
    ...k,
    percpu_ref_init: (...a: Parameters<typeof k.percpu_ref_init>) => {
      const r = k.percpu_ref_init(...a);
      live.add(r);
      return r;
    },
    percpu_ref_exit: (r: Parameters<typeof k.percpu_ref_exit>[0]) => {
      if (!live.delete(r)) throw new Error("percpu_ref_exit() of a ref that is not live (double exit?)");
      exits.n++;
      k.percpu_ref_exit(r);
    },
  };
});

const M = 1024 * 1024;
const SLOT = 0x200000000000;

describe("percpu: a table's pte_ref lives exactly as long as the table", () => {
  it("one live percpu_ref per PTE table; freed ones (DONTNEED, then exit) are percpu_ref_exit()ed once", () => {
    live.clear();
    exits.n = 0;
    const e = new Engine({ arch: x86_64(), reclaim: percpu() });
    const p = e.spawn();
    const tables = () => (p.status().VmPTE - 8) / 4; // minus the PMD and PUD tables
    p.mmap(SLOT, 8 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 8 * M, true);
    expect(tables()).toBe(4);
    expect(live.size).toBe(4);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED); // two tables freed by the plugin (call_rcu → dtor)
    p.idle(10);
    expect(tables()).toBe(2);
    expect(live.size).toBe(2);
    expect(exits.n).toBe(2);
    p.exit(); // the other two by free_pgtables()
    p.idle(10);
    expect(check_exit(e.k, p.mm)).toEqual([]);
    expect(live.size).toBe(0);
    expect(exits.n).toBe(4);
  });
});

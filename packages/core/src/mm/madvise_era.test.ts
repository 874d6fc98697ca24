/**
 * madvise() locking by kernel era (G17): MADV_DONTNEED and MADV_FREE take the
 * per-VMA read lock from Linux 6.17 (a6fde7add78d and "mm: madvise: use per_vma
 * lock for MADV_FREE"), mmap_read_lock before; MADV_DONTNEED_LOCKED exists
 * from 5.18. A plugin's pte_offset_map hook records which locks the walker holds
 * when it maps each table; the mutant (a pre-6.17 engine that takes the per-VMA
 * lock, i.e. the 6.18 paths) is told apart by the same observation.
 */
import { describe, expect, it } from "vitest";
import type { KernelEra } from "../plugin/kernel.js";
import { Engine } from "../engine.js";
import { arch } from "../test/arch.js";
import { lockWatch } from "../test/lock_watch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { EINVAL } from "./errno.js";
import { MADV_COLD, MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE, MADV_NORMAL, MADV_PAGEOUT, MADV_WILLNEED, madvise_lock_mode, madvise_per_vma_lock_era, type MadviseLockMode } from "./madvise.js";
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from "./madvise_guard.js";
import { MADV_POPULATE_READ, MADV_POPULATE_WRITE } from "./populate.js";

/** Which of mmap_lock / the VMA's lock the task held at each table map during `advice`. */
function locks_held(era: KernelEra, advice: number): string {
  const w = lockWatch(era);
  const e = new Engine({ arch, reclaim: w.plugin });
  const p = e.spawn();
  mmapFixed(p, SLOT, 2 * M);
  p.touch(SLOT, 2 * M, true);
  w.start();
  expect(p.madvise(SLOT, 2 * M, advice)).toBe(0);
  return w.seen();
}

describe("madvise locking by era", () => {
  it("6.18 (per-VMA lock since 6.17): MADV_DONTNEED and MADV_FREE hold the VMA's lock, not mmap_lock", () => {
    expect(madvise_per_vma_lock_era("6.18")).toBe(true);
    expect(locks_held("6.18", MADV_DONTNEED)).toBe("vma_lock(read)");
    expect(locks_held("6.18", MADV_FREE)).toBe("vma_lock(read)");
  });

  it("5.14, 5.18, 6.10: MADV_DONTNEED and MADV_FREE run under mmap_read_lock", () => {
    for (const era of ["5.14", "5.18", "6.10"] as const) {
      expect(madvise_per_vma_lock_era(era)).toBe(false);
      expect(locks_held(era, MADV_DONTNEED)).toBe("mmap_lock(read)");
      expect(locks_held(era, MADV_FREE)).toBe("mmap_lock(read)");
    }
  });

  it("the mutant (a 5.18 engine running 6.18's per-VMA-lock madvise) fails that test", () => {
    // The mutant's behaviour is 6.18's; the observation differs, so the test above would fail on it.
    expect(locks_held("6.18", MADV_DONTNEED)).not.toBe(locks_held("5.18", MADV_DONTNEED));
  });

  it("MADV_DONTNEED_LOCKED: -EINVAL in 5.14 (added in 5.18, 9457056ac426), mmap_read_lock in 5.18", () => {
    const e = new Engine({ arch, era: "5.14" });
    const p = e.spawn();
    mmapFixed(p, SLOT, 2 * M);
    expect(p.madvise(SLOT, 2 * M, MADV_DONTNEED_LOCKED)).toBe(-EINVAL);
    expect(locks_held("5.18", MADV_DONTNEED_LOCKED)).toBe("mmap_lock(read)");
    expect(locks_held("6.18", MADV_DONTNEED_LOCKED)).toBe("vma_lock(read)");
  });
});

/**
 * Linux 6.18 on our machines, measured with @mmsim/host's madvise-lock probe
 * (packages/host/scripts/madvise-locks.mjs: does madvise() wait behind another
 * thread's mmap write lock, and behind its mmap read lock?): MADV_DONTNEED,
 * MADV_DONTNEED_LOCKED and MADV_FREE take the per-VMA lock; MADV_WILLNEED,
 * COLD, PAGEOUT, POPULATE_READ/WRITE and the guard advice mmap_read_lock (the
 * guard advice move to the per-VMA lock only after 6.18); the flag advice
 * (NORMAL, ..., HUGEPAGE, DONTFORK, MERGEABLE, ...) mmap_write_lock.
 */
describe("madvise_lock_mode(): the locks Linux 6.18 takes, and the model's paths take them", () => {
  const linux618: [number, MadviseLockMode][] = [
    [MADV_DONTNEED, "vma"],
    [MADV_DONTNEED_LOCKED, "vma"],
    [MADV_FREE, "vma"],
    [MADV_WILLNEED, "read"],
    [MADV_COLD, "read"],
    [MADV_PAGEOUT, "read"],
    [MADV_POPULATE_READ, "read"],
    [MADV_POPULATE_WRITE, "read"],
    [MADV_GUARD_INSTALL, "read"],
    [MADV_GUARD_REMOVE, "read"],
    [MADV_NORMAL, "write"],
  ];

  it("the table measured on Linux 6.18", () => {
    for (const [advice, mode] of linux618) expect([advice, madvise_lock_mode(advice, "6.18")]).toEqual([advice, mode]);
  });

  it("the guard advice walk their tables under mmap_read_lock in 6.18 (the mutant: the per-VMA lock, as kernels after 6.18)", () => {
    expect(locks_held("6.18", MADV_GUARD_INSTALL)).toBe("mmap_lock(read)");
    expect(locks_held("6.18", MADV_GUARD_REMOVE)).toBe("mmap_lock(read)");
    // What the test tells apart: a path under the per-VMA lock is seen as such.
    expect(locks_held("6.18", MADV_DONTNEED)).toBe("vma_lock(read)");
  });

  it("MADV_COLD and MADV_PAGEOUT walk their tables under the lock madvise_lock_mode() names", () => {
    for (const advice of [MADV_COLD, MADV_PAGEOUT]) expect(locks_held("6.18", advice)).toBe(madvise_lock_mode(advice, "6.18") === "read" ? "mmap_lock(read)" : "?");
  });
});


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
import { MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE, madvise_per_vma_lock_era } from "./madvise.js";

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

/**
 * zap_pte_range() starts each call with force_flush and force_break clear, as
 * Linux's stack locals do (mm/zap.ts keeps them in a reused host frame, issue #10).
 * A stale pair can only survive a call whose mmu_gather filled on the table's last
 * entry: the loop then breaks with addr === end, before its own reset. Here one
 * MADV_DONTNEED fills the gather exactly there: the gather holds
 * (MMU_GATHER_BUNDLE - 1) + MAX_GATHER_BATCH_COUNT * (MAX_GATHER_BATCH - 1) pages
 * (each batch is full at max - 1, tlb/mmu_gather.ts), 18 full tables and 462 pages
 * of the first. The table after it must still take pt-reclaim's direct path
 * (zap_pte_range_locked), which a stale force_break would skip.
 *
 * Mutant shown caught (both cases fail): zap_pte_range() without
 * `z.force_flush = z.force_break = false` at its start.
 */
import { describe, expect, it } from "vitest";
import type { KPath, ZapPteState, mm_struct, pmd_ptr, spinlock_t, task_struct } from "../plugin/kernel.js";
import { Engine } from "../engine.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { MAX_GATHER_BATCH, MAX_GATHER_BATCH_COUNT, MMU_GATHER_BUNDLE } from "../tlb/mmu_gather.js";
import { MADV_DONTNEED } from "./madvise.js";

const CAPACITY = MMU_GATHER_BUNDLE - 1 + MAX_GATHER_BATCH_COUNT * (MAX_GATHER_BATCH - 1);
const FULL = Math.floor(CAPACITY / 512);
const FIRST = CAPACITY - FULL * 512;

function run(batch: boolean): number[] {
  const direct: number[] = [];
  const plugin: ReclaimPlugin = {
    specificationVersion: "v1",
    name: "direct-recorder",
    version: "0",
    models: "test: records which tables reach the zap_pte_range_locked hook",
    supports: { madv_dontneed: true },
    reclaim_pt_is_enabled: () => true,
    *zap_pte_range_locked(_t: task_struct, _mm: mm_struct, _pmdp: pmd_ptr, _ptl: spinlock_t, st: ZapPteState): KPath {
      direct.push((st.addr - SLOT) / (2 * M) - 1);
    },
  };
  const e = new Engine({ arch, reclaim: plugin, batch });
  const p = e.spawn(0);
  const tables = FULL + 2;
  mmapFixed(p, SLOT, tables * 2 * M);
  p.touch(SLOT + (512 - FIRST) * 4096, FIRST * 4096, true);
  p.touch(SLOT + 2 * M, (tables - 1) * 2 * M, true);
  p.madvise(SLOT, tables * 2 * M, MADV_DONTNEED);
  return direct;
}

describe("zap_pte_range() after a gather that filled on a table's last entry", () => {
  it("the gather's capacity is what the test assumes (462 + 18 x 512 pages)", () => {
    expect([CAPACITY, FULL, FIRST]).toEqual([9678, 18, 462]);
  });
  for (const batch of [true, false]) {
    it(`the next table starts with force_flush/force_break clear (${batch ? "range batches" : "step by step"})`, () => {
      // Table FULL (the last full one) filled the gather on its last entry: it left
      // by the force_break path (direct_reclaim false). Every other table, the one
      // after it included, takes the direct path.
      const want = [...Array(FULL + 2).keys()].filter((i) => i !== FULL);
      expect(run(batch)).toEqual(want);
    });
  }
});

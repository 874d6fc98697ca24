/**
 * zap_pte_range()'s locals are host objects reused from call to call (mm/zap.ts,
 * spare_frames; issue #10): each call must start from the values Linux's stack
 * locals start with, whatever a hook wrote into `st` during an earlier call.
 * A plugin here scribbles over every field of `st` at the end of each zap and
 * records what the next zap's zap_pte_range_locked hook sees. (st.addr is
 * assigned before any hook runs, so only the other three can show a stale value.)
 */
import { describe, expect, it } from "vitest";
import type { KPath, ZapPteState, mm_struct, mmu_gather, pmd_ptr, spinlock_t, task_struct } from "../plugin/kernel.js";
import { Engine } from "../engine.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { MADV_DONTNEED } from "./madvise.js";

function scribbler() {
  const seen: ZapPteState[] = [];
  const plugin: ReclaimPlugin = {
    specificationVersion: "v1",
    name: "st-scribbler",
    version: "0",
    models: "test: writes every field of zap_pte_range()'s state at the end of each zap",
    supports: { madv_dontneed: true },
    reclaim_pt_is_enabled: () => true,
    *zap_pte_range_locked(_t: task_struct, _mm: mm_struct, _pmdp: pmd_ptr, _ptl: spinlock_t, st: ZapPteState): KPath {
      seen.push({ ...st });
    },
    *zap_pte_range_end(_t: task_struct, _tlb: mmu_gather, _mm: mm_struct, _pmdp: pmd_ptr, _start: number, st: ZapPteState): KPath {
      st.can_reclaim_pt = false;
      st.direct_reclaim = false;
      st.addr = -1;
      st.pmdval = 12345;
    },
  };
  const e = new Engine({ arch, reclaim: plugin });
  const p = e.spawn(0);
  mmapFixed(p, SLOT, 4 * M);
  return { seen, p };
}

describe("zap_pte_range()'s reused locals", () => {
  it("each zap starts with can_reclaim_pt, direct_reclaim, addr and pmdval of its own", () => {
    const { seen, p } = scribbler();
    for (let i = 0; i < 3; i++) {
      p.touch(SLOT, 4 * M, true);
      p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    }
    expect(seen).toHaveLength(6);
    for (let i = 0; i < 6; i++) expect(seen[i]).toEqual({ can_reclaim_pt: true, direct_reclaim: true, addr: SLOT + ((i % 2) + 1) * 2 * M, pmdval: 0 });
  });
});

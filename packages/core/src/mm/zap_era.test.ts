/**
 * zap_pmd_range() when zap_pte_range() could not map the table, by kernel era:
 * 6.5+ retries the PMD (the map failed because the PMD changed); before 6.5 the
 * map cannot fail and there is no retry, so a plugin's tryget that fails (the
 * 2021 pte_try_get() on a table going away) skips the slice, as the patch's
 * `goto next` does. The mutant is the other era's rule: each test fails under it.
 */
import { describe, expect, it } from "vitest";
import type { KPath, KernelEra, PteMapKind, PteMapping, pmd_ptr, pte_ptr, task_struct } from "../plugin/kernel.js";
import { pmdp_get_lockless, pte_offset_kernel } from "../plugin/kernel.js";
import { Engine } from "../engine.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { MADV_DONTNEED } from "./madvise.js";

/** Maps like 5.14's pte_offset_map(), but the first `fail` tryget maps of the zap return NULL. */
function failing(era: KernelEra, fail: number) {
  const log = { zap_maps: 0 };
  let armed = false;
  const plugin: ReclaimPlugin = {
    specificationVersion: "v1",
    name: "tryget-fails",
    version: "0",
    models: "test: a tryget that fails on the zap's first map",
    supports: {},
    era,
    *pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind): KPath<PteMapping | null> {
      const a = t.k.arch;
      const pmdval = yield* pmdp_get_lockless(t, pmdp);
      if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_trans_huge(pmdval) || a.pxd_bad(pmdval)) return null;
      if (armed && kind === "tryget") {
        log.zap_maps++;
        if (fail-- > 0) return null;
      }
      return { pte: pte_offset_kernel(t.k, pmdval, addr), pmdval };
    },
    *pte_unmap(_t: task_struct, _ptep: pte_ptr): KPath {},
  };
  const e = new Engine({ arch, reclaim: plugin });
  const p = e.spawn(0);
  mmapFixed(p, SLOT, 2 * M);
  p.touch(SLOT, 64 * 1024, true);
  armed = true;
  return { log, p };
}

describe("zap_pmd_range after a failed map, by era", () => {
  it("6.18: retries the PMD, then zaps it", () => {
    const { log, p } = failing("6.18", 1);
    p.madvise(SLOT, 2 * M, MADV_DONTNEED);
    expect(log.zap_maps).toBe(2);
    expect(vm(p).VmRSS).toBe(0);
  });

  it("5.14: no retry; the slice is skipped (2021 zap_pmd_range: !pte_try_get() → goto next)", () => {
    const { log, p } = failing("5.14", 1);
    p.madvise(SLOT, 2 * M, MADV_DONTNEED);
    expect(log.zap_maps).toBe(1);
    expect(vm(p).VmRSS).toBe(64);
  });
});

/**
 * Bulk twins of kernel-path hooks (spec's BulkTwin, `bulk_twin()` from
 * @mmsim/core/kernel): zap_pte_range() calls a hook's twin where range batches
 * may run, and the generator where single steps are observed (`batch: false`, a
 * sanitizer) or the hook has no twin. The exactness of pt-reclaim's twins is the
 * bench's digest test (its "hook-twin-slow-path" mutant is caught there).
 */
import { describe, expect, it } from "vitest";
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine } from "../engine.js";
import { MADV_DONTNEED } from "../mm/madvise.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { bulk_twin, run_to_completion, SPECIFICATION_VERSION, type KPath, type ReclaimPlugin, type ZapPteState, type mm_struct, type mmu_gather, type task_struct } from "./kernel.js";
import { hooks_of } from "./plugin.js";
import { Sanitizer } from "../check/sanitizer.js";

function plugin(log: string[], twin: boolean): ReclaimPlugin {
  function* zap_pte_range_end(_t: task_struct, _tlb: mmu_gather, _mm: mm_struct, _pmdp: number, start: number, _st: ZapPteState): KPath {
    log.push(`end ${start.toString(16)}`);
  }
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: "twin-test",
    version: "0",
    models: "a zap_pte_range_end hook with a bulk twin",
    supports: {},
    reclaim_pt_is_enabled: () => true,
    zap_pte_range_end: twin
      ? bulk_twin(zap_pte_range_end, (t, tlb, mm, pmdp, start, st) => {
          log.push("twin");
          run_to_completion(zap_pte_range_end(t, tlb, mm, pmdp, start, st));
        })
      : zap_pte_range_end,
  };
}

function zap(opts: { twin: boolean; batch?: boolean; sanitize?: boolean }): string[] {
  const log: string[] = [];
  const e = new Engine({ arch: x86_64(), reclaim: plugin(log, opts.twin), batch: opts.batch });
  if (opts.sanitize) e.k.sanitizer = new Sanitizer(e.k);
  const p = e.spawn();
  mmapFixed(p, SLOT, 4 * M);
  p.touch(SLOT, 4 * M, true);
  p.madvise(SLOT, 4 * M, MADV_DONTNEED);
  return log;
}

describe("bulk twins of kernel-path hooks", () => {
  it("bulk_twin() attaches the twin as the hook's (non-enumerable) sync property; hooks_of() finds it", () => {
    const h = hooks_of(plugin([], true));
    expect(h.zap_pte_range_end_sync).toBeTypeOf("function");
    expect(h.zap_pte_range_locked_sync).toBeNull();
    expect(Object.keys(plugin([], true).zap_pte_range_end!)).toEqual([]);
    expect(hooks_of(plugin([], false)).zap_pte_range_end_sync).toBeNull();
  });

  it("zap_pte_range() calls the twin in a bulk run, the generator with batch: false or a sanitizer; the hook's effect is the same", () => {
    const end = [`end ${SLOT.toString(16)}`, `end ${(SLOT + 2 * M).toString(16)}`];
    expect(zap({ twin: true })).toEqual(["twin", end[0], "twin", end[1]]);
    expect(zap({ twin: true, batch: false })).toEqual(end);
    expect(zap({ twin: true, sanitize: true })).toEqual(end);
    expect(zap({ twin: false })).toEqual(end);
  });
});

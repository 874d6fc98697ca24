/**
 * Core's extension points for a plugin's own advice and VMA flag (issue #12,
 * G11): ReclaimPlugin.madvise_advice (madvise_behavior_valid accepts it; it
 * runs as MADV_HUGEPAGE does: mmap_write_lock, vma_modify split/merge, then the
 * madvise_update_vma hook) and the exit_mmap hook (the mm leaves a plugin's
 * list). Mutants: a plugin that forgets exit_mmap keeps a dead mm; an advice
 * applied without vma_modify marks the whole VMA.
 */
import { describe, expect, it } from "vitest";
import { VM_PLUGIN_1, type KPath, type ReclaimPlugin, type mm_struct, type task_struct, type vm_area_struct } from "../plugin/kernel.js";
import { Engine } from "../engine.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { EINVAL } from "./errno.js";

const MADV_MARK = 200;
const MADV_UNMARK = 201;

function marker(o: { forget_exit?: boolean } = {}) {
  const list = new Set<mm_struct>();
  const calls: string[] = [];
  const plugin: ReclaimPlugin = {
    specificationVersion: "v1",
    name: "marker",
    version: "0",
    models: "test",
    supports: {},
    madvise_advice: [
      { name: "mark", behavior: MADV_MARK, set: VM_PLUGIN_1, clear: 0 },
      { name: "unmark", behavior: MADV_UNMARK, set: 0, clear: VM_PLUGIN_1 },
    ],
    *madvise_update_vma(t: task_struct, vma: vm_area_struct, behavior: number): KPath {
      calls.push(`${behavior}:${(vma.vm_end - vma.vm_start) / M}M:${vma.vm_flags & VM_PLUGIN_1 ? "marked" : "clear"}`);
      if (vma.vm_flags & VM_PLUGIN_1) list.add(t.mm!);
    },
    *exit_mmap(_t: task_struct, mm: mm_struct): KPath {
      if (!o.forget_exit) list.delete(mm);
    },
  };
  return { plugin, list, calls };
}

describe("a plugin's advice and VMA flag", () => {
  it("without the plugin the advice is EINVAL; with it, it sets the flag on exactly the range (split, then merge back)", () => {
    const e0 = new Engine({ arch });
    const p0 = e0.spawn();
    mmapFixed(p0, SLOT, 8 * M);
    expect(p0.madvise(SLOT, 2 * M, MADV_MARK)).toBe(-EINVAL);

    const m = marker();
    const p = new Engine({ arch, reclaim: m.plugin }).spawn();
    mmapFixed(p, SLOT, 8 * M);
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_MARK)).toBe(0);
    const vmas = p.mm.mm_mt.list.map((v) => [(v.vm_start - SLOT) / M, (v.vm_end - SLOT) / M, (v.vm_flags & VM_PLUGIN_1) !== 0]);
    expect(vmas).toEqual([
      [0, 2, false],
      [2, 4, true],
      [4, 8, false],
    ]);
    expect(m.calls).toEqual([`${MADV_MARK}:2M:marked`]);
    expect([...m.list]).toEqual([p.mm]);
    // The flag survives a later split (mprotect of part of it) ...
    expect(p.mprotect(SLOT + 3 * M, 1 * M, 1)).toBe(0);
    expect(p.mm.mm_mt.list.filter((v) => v.vm_flags & VM_PLUGIN_1).length).toBe(2);
    expect(p.mprotect(SLOT + 3 * M, 1 * M, 3)).toBe(0);
    // ... and unmarking merges the three back into one VMA.
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_UNMARK)).toBe(0);
    expect(p.mm.mm_mt.list.length).toBe(1);
    expect(p.mm.mm_mt.list[0].vm_flags & VM_PLUGIN_1).toBe(0);
  });

  it("mutant: a dispatch that hands the hook the VMA as it was before vma_modify shows it unmarked (the first test fails on it)", () => {
    const m = marker();
    const p = new Engine({ arch, reclaim: m.plugin }).spawn();
    mmapFixed(p, SLOT, 8 * M);
    const before = p.mm.mm_mt.list[0];
    expect(p.madvise(SLOT + 2 * M, 2 * M, MADV_MARK)).toBe(0);
    // What the mutant's hook would have been given: the original object, now the lower, unmarked part.
    const seen = `${MADV_MARK}:${(before.vm_end - before.vm_start) / M}M:${before.vm_flags & VM_PLUGIN_1 ? "marked" : "clear"}`;
    expect(seen).not.toBe(m.calls[0]);
  });

  it("exit_mmap: the mm leaves the plugin's list before teardown", () => {
    const m = marker();
    const p = new Engine({ arch, reclaim: m.plugin }).spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.madvise(SLOT, 2 * M, MADV_MARK);
    expect(m.list.size).toBe(1);
    p.exit();
    expect(m.list.size).toBe(0);
  });

  it("mutant: a plugin that ignores exit_mmap keeps the dead mm on its list (the test above fails on it)", () => {
    const m = marker({ forget_exit: true });
    const p = new Engine({ arch, reclaim: m.plugin }).spawn();
    mmapFixed(p, SLOT, 2 * M);
    p.madvise(SLOT, 2 * M, MADV_MARK);
    p.exit();
    expect([...m.list][0]?.exited).toBe(true);
  });
});

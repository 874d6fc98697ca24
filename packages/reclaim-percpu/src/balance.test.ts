/**
 * R11's balance invariant for the 2022 design (seed-designs.md, R11: "a balance
 * invariant (count == entries + active walkers) checked ... for (a) and (b)"):
 * at rest (no syscall or fault running, no switch in flight), every live PTE
 * table's pte_ref holds exactly one reference per !pte_none() entry
 * (track_pte_set/track_pte_clear, patch 16) and none for walkers (each
 * pte_tryget_map{,_lock}() is paired with its pte_unmap()). In percpu mode the
 * kernel cannot read the count; the model can (`percpu_ref.sum`: the atomic count
 * plus the per-CPU counters). The refs are read through pte_ref_init()'s `refs`
 * argument (vi.mock of ./pte_ref.js: the plugin's index.ts sees the wrapper).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_READ } from "@mmsim/core";
import type { ReclaimPlugin } from "@mmsim/core/kernel";
import { describe, expect, it, vi } from "vitest";
import { percpu, type PercpuOptions } from "./index.js";
import type { PteRefs } from "./pte_ref.js";

const captured = vi.hoisted(() => ({ refs: null as PteRefs | null }));
vi.mock("./pte_ref.js", async (importOriginal) => {
  const m = await importOriginal<typeof import("./pte_ref.js")>();
  return {
    ...m,
    pte_ref_init: (...a: Parameters<typeof m.pte_ref_init>) => {
      captured.refs = a[1];
      return m.pte_ref_init(...a);
    },
  };
});

const K = 1024;
const M = 1024 * K;
const SLOT = 0x200000000000;

/** Every live PTE table with a pte_ref whose count is not its number of !pte_none() entries. */
function unbalanced(e: Engine): string[] {
  const k = e.k;
  const bad: string[] = [];
  for (const [pfn, ref] of captured.refs ?? new Map()) {
    if (!k.pt.is_table(pfn)) continue;
    const base = k.pt.entry(pfn, 0);
    let entries = 0;
    for (let i = 0; i < 512; i++) if (!k.arch.pte_none(k.pt.get(base + i))) entries++;
    if (ref.sum !== entries) bad.push(`table ${pfn} (${ref.mode} mode): pte_ref ${ref.sum} != ${entries} entries`);
  }
  return bad;
}

/** A workload that moves entries every way the model can: faults, partial and whole DONTNEED, mprotect, MADV_FREE + pageout, fork and exit. */
function workload(plugin: ReclaimPlugin): { e: Engine; seen: string[][]; tables: number[] } {
  captured.refs = null;
  const e = new Engine({ arch: x86_64(), reclaim: plugin });
  const p = e.spawn();
  const seen: string[][] = [];
  const tables: number[] = [];
  const at_rest = () => {
    p.idle(10); // grace periods end: no switch in flight
    seen.push(unbalanced(e));
    tables.push([...(captured.refs?.keys() ?? [])].filter((pfn) => e.k.pt.is_table(pfn)).length);
  };
  p.mmap(SLOT, 8 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
  p.touch(SLOT, 8 * M, true);
  at_rest();
  p.madvise(SLOT + 64 * K, 256 * K, MADV_DONTNEED); // part of a table: it stays
  p.madvise(SLOT + 2 * M, 2 * M, MADV_DONTNEED); // a whole table: freed
  p.madvise(SLOT + 4 * M + 4 * K, 4 * K, MADV_DONTNEED); // one page
  at_rest();
  p.mprotect(SLOT, 2 * M, PROT_READ); // present → present: no change of count
  at_rest();
  p.touch(SLOT + 2 * M, 64 * K, true); // a new table after the free
  p.madvise(SLOT + 6 * M, M, MADV_FREE);
  p.madvise(SLOT + 6 * M, M, MADV_PAGEOUT); // discards the clean lazily freed folios
  at_rest();
  const c = p.fork();
  c.touch(SLOT + 6 * M, 128 * K, true);
  at_rest();
  c.exit();
  at_rest();
  p.exit();
  return { e, seen, tables };
}

describe("percpu: R11's balance (pte_ref == !pte_none() entries, at rest)", () => {
  for (const o of [{}, { switch_back: false }] as PercpuOptions[]) {
    it(`holds through faults, DONTNEED, mprotect, MADV_FREE + pageout, fork and exit (${JSON.stringify(o)})`, () => {
      const { seen, tables } = workload(percpu(o));
      expect(seen.length).toBe(6);
      expect(tables).toEqual([4, 3, 3, 4, 8, 4]); // PTE tables checked at each point (the child's 4 after fork)
      for (const s of seen) expect(s).toEqual([]);
    });
  }

  it("catches a track_pte_set() that takes a reference on every set of a present entry (the pte_none(*ptep) test dropped)", () => {
    const plugin = percpu();
    const set = plugin.track_pte_set!.bind(plugin);
    plugin.track_pte_set = (k, ptep, _old, pte) => set(k, ptep, 0, pte);
    const { seen } = workload(plugin);
    expect(seen[0]).toEqual([]); // faults set none → present only
    expect(seen[2].join("\n")).toMatch(/pte_ref \d+ != \d+ entries/); // mprotect rewrote present entries
  });

  it("catches a track_pte_clear() that forgets its put (a table never reaches zero)", () => {
    const plugin = percpu();
    plugin.track_pte_clear = () => {};
    const { seen } = workload(plugin);
    expect(seen[1].join("\n")).toMatch(/pte_ref \d+ != \d+ entries/);
  });
});

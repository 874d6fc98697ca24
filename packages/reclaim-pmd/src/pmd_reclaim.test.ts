/**
 * The PMD reclaimer in bulk runs: the seed loop over 2 GiB frees every PTE table
 * (PT_RECLAIM) and then every PMD table it empties, so VmPTE falls below the
 * upper-table floor; tables partly outside the VMA, or still mapping something,
 * are kept; the plugin refuses a kernel without RCU-freed upper levels.
 */
import { Engine, MAP_ANONYMOUS, MAP_PRIVATE, MADV_DONTNEED } from "@mmsim/core";
import { x86_64 } from "@mmsim/arch-x86_64";
import { describe, expect, it } from "vitest";
import { reclaimPmd } from "./index.js";

const G = 2 ** 30;
const M2 = 2 ** 21;
const BASE = 0x200000000000;

function seed(plugin: ReturnType<typeof reclaimPmd> | null, gib: number, at = BASE) {
  const e = new Engine({ arch: x86_64(), reclaim: plugin });
  const p = e.spawn();
  expect(p.mmap(at, gib * G, 3, MAP_ANONYMOUS | MAP_PRIVATE | 0x10)).toBe(at);
  for (let i = 0; i < (gib * G) / M2; i++) {
    p.touch(at + i * M2, M2, true);
    p.madvise(at + i * M2, M2, MADV_DONTNEED);
  }
  p.return_to_user();
  return { e, p, vmpte_kb: p.status().VmPTE };
}

describe("reclaim-pmd in bulk runs", () => {
  it("the seed loop over 2 GiB: every PTE table and, at every chunk, its PMD table freed (and allocated again); VmPTE below the upper-table floor", () => {
    const plugin = reclaimPmd();
    const r = seed(plugin, 2);
    expect(plugin.stats.pte_tables_freed).toBe(1024);
    // Each chunk empties the only populated PMD entry, so the PMD table goes with its
    // PTE table at every step and the next chunk's fault allocates a new one: churn.
    expect(plugin.stats.pmd_tables_freed).toBe(1024);
    expect(r.p.mm.counters.pgtables_allocated[1]).toBe(1024);
    const none = seed(null, 2);
    expect(r.vmpte_kb).toBeLessThan(none.vmpte_kb);
    expect(r.vmpte_kb).toBe(4); // the PUD table only
  });

  it("keeps a PMD table whose 1 GiB is not wholly inside the VMA, and one that still maps something", () => {
    const plugin = reclaimPmd();
    const e = new Engine({ arch: x86_64(), reclaim: plugin });
    const p = e.spawn();
    p.mmap(BASE + M2, G - M2, 3, MAP_ANONYMOUS | MAP_PRIVATE | 0x10); // starts 2 MiB into the 1 GiB
    p.touch(BASE + M2, M2, true);
    p.madvise(BASE + M2, M2, MADV_DONTNEED);
    expect(plugin.stats.pte_tables_freed).toBe(1);
    expect(plugin.stats.pmd_tables_freed).toBe(0);
    p.mmap(BASE + G, G, 3, MAP_ANONYMOUS | MAP_PRIVATE | 0x10);
    p.touch(BASE + G, 4096, true);
    p.touch(BASE + G + 4 * M2, 4096, true);
    p.madvise(BASE + G, M2, MADV_DONTNEED);
    expect(plugin.stats.pmd_tables_freed).toBe(0);
    p.madvise(BASE + G + 4 * M2, M2, MADV_DONTNEED);
    expect(plugin.stats.pmd_tables_freed).toBe(1);
  });

  it("keeps a PMD table whose VMA starts on the 1 GiB boundary but ends before it (issue #9: Stryker's pmd_reclaim.ts:173)", () => {
    const plugin = reclaimPmd();
    const e = new Engine({ arch: x86_64(), reclaim: plugin });
    const p = e.spawn();
    p.mmap(BASE, G - M2, 3, MAP_ANONYMOUS | MAP_PRIVATE | 0x10); // ends 2 MiB before the 1 GiB
    p.touch(BASE, M2, true);
    p.madvise(BASE, M2, MADV_DONTNEED);
    expect(plugin.stats.pte_tables_freed).toBe(1);
    expect(plugin.stats.pmd_tables_freed).toBe(0);
  });

  it("counts every reclaimed PTE table in the mm's counters, and reclaims nothing on munmap (issue #9: pmd_reclaim.ts:99, :121, :171)", () => {
    const plugin = reclaimPmd();
    const r = seed(plugin, 1);
    expect(r.p.mm.counters.pte_tables_reclaimed).toBe(plugin.stats.pte_tables_freed);
    expect(plugin.stats.pte_tables_freed).toBe(512);
    const q = reclaimPmd();
    const e = new Engine({ arch: x86_64(), reclaim: q });
    const p = e.spawn();
    p.mmap(BASE, G, 3, MAP_ANONYMOUS | MAP_PRIVATE | 0x10);
    p.touch(BASE, 4 * M2, true);
    p.munmap(BASE, G);
    // munmap's zap has no details (reclaim_pt off): free_pgtables() frees the tables, not the plugin.
    expect(q.stats.pte_tables_freed).toBe(0);
    expect(q.stats.pmd_tables_freed).toBe(0);
    expect(p.mm.counters.pte_tables_reclaimed).toBe(0);
  });

  it("does not reclaim on a discard smaller than a PMD, even one that empties the table (issue #9: pmd_reclaim.ts:99)", () => {
    const plugin = reclaimPmd();
    const e = new Engine({ arch: x86_64(), reclaim: plugin });
    const p = e.spawn();
    p.mmap(BASE, G, 3, MAP_ANONYMOUS | MAP_PRIVATE | 0x10);
    p.touch(BASE, 4096, true);
    p.madvise(BASE, 4096, MADV_DONTNEED);
    expect(plugin.stats.pte_tables_freed).toBe(0);
    expect(plugin.stats.pmd_tables_freed).toBe(0);
  });

  it("names itself pmd, or pmd-srcu with SRCU-protected sleeping walkers (issue #9: index.ts:37)", () => {
    expect(reclaimPmd().name).toBe("pmd");
    expect(reclaimPmd({ pmdEntrySleep: "srcu" }).name).toBe("pmd-srcu");
    expect(reclaimPmd({ pmdEntrySleep: "rcu-refcount" }).name).toBe("pmd");
  });

  it("refuses a kernel whose RCU-freed upper levels are turned off", () => {
    expect(() => new Engine({ arch: x86_64(), reclaim: reclaimPmd(), rcu_upper_levels: false })).toThrow(/RCU-freed upper levels/);
    expect(() => new Engine({ arch: x86_64(), reclaim: reclaimPmd(), rcu_upper_levels: false })).toThrow(expect.objectContaining({ kind: "config-error" }));
  });
});

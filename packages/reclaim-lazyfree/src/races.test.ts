/**
 * The shrink scan against the paths that race it, through the explorer: kswapd
 * (the actor's CPU: no mm, lazy TLB) reclaims 2 MiB of MADV_FREE'd memory in a
 * marked VMA, so the scan frees the emptied table while another CPU faults,
 * zaps, walks lock-free (GUP-fast) or unmaps, with a hardware walker and a
 * lazy-TLB CPU. Every interleaving explored must keep the sanitizers' rules
 * (table use after free, stale paging-structure cache, lost mapping, RCU) and
 * the data oracle. The mutant (a scan that clears the PMD without rescanning
 * the entries under the PTE lock) is caught.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { explore, type Scenario } from "@mmsim/core/check";
import { mmap_read_trylock, mmap_read_unlock, mm_dec_nr_ptes, mm_find_pmd, pmd_clear, pmd_lock, pmdp_get_lockless, pte_free_tlb, spin_unlock, tlb_finish_mmu, tlb_gather_mmu, type KPath, type ReclaimPlugin, type ScanControl, type task_struct } from "@mmsim/core/kernel";
import { describe, expect, it } from "vitest";
import { MADV_PT_RECLAIM, lazyfree, type LazyfreePlugin } from "./index.js";

const arch = x86_64();
const budget = Number(process.env.MMSIM_RACE_BUDGET ?? 60);

const scenario = (name: string, other: Scenario["actors"][number]["ops"]): Scenario => ({
  name,
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "2M" },
    { op: "madvise", at: 0, len: "2M", advice: MADV_PT_RECLAIM },
    { op: "touch", at: 0, len: "2M", write: true, stride: "64K" },
    { op: "madvise", at: 0, len: "2M", advice: "free" },
  ],
  actors: [
    { name: "kswapd", cpu: 0, ops: [{ op: "reclaim", len: "2M" }] },
    { name: "other", cpu: 1, ops: other },
  ],
  hw_walkers: [1],
  lazy_cpus: [2],
});

const SCENARIOS: Scenario[] = [
  scenario("shrink-vs-fault", [
    { op: "touch", at: "8K", len: "8K", write: true },
    { op: "touch", at: "8K", len: "8K" },
  ]),
  scenario("shrink-vs-dontneed", [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }]),
  scenario("shrink-vs-gup-fast", [{ op: "gup_fast", at: 0, len: "16K" }]),
  scenario("shrink-vs-munmap", [{ op: "munmap", at: 0, len: "2M" }]),
  scenario("shrink-vs-refault", [
    { op: "touch", at: 0, len: "128K", write: false, stride: "64K" },
    { op: "touch", at: "64K", len: "4K", write: true },
  ]),
];

const failure = (s: Scenario, plugin: () => ReclaimPlugin, strategy: "random" | "pct", seed = 1) => {
  const r = explore(s, { plugin: plugin(), arch, strategy, budget, seed });
  return r.failure ? `${r.failure.rule}: ${r.failure.detail}` : null;
};

describe("lazyfree races (explorer)", () => {
  for (const s of SCENARIOS)
    it(`${s.name}: no rule broken (random and PCT, ${budget} each)`, () => {
      expect(failure(s, lazyfree, "random")).toBeNull();
      expect(failure(s, lazyfree, "pct")).toBeNull();
    });

  it("the scan does free the table in the uncontended run", () => {
    const p = lazyfree() as LazyfreePlugin;
    const s = scenario("shrink-alone", [{ op: "walk", at: "4M", len: "4K" }]);
    explore(s, { plugin: p, arch, strategy: "random", budget: 1, seed: 1 });
    expect(p.stats.tables_freed).toBe(1);
  });

  /** Mutant: the scan clears the PMD of a marked slice without looking at the entries (no try_to_free_pte rescan). */
  function noRescan(): ReclaimPlugin {
    const base = lazyfree() as LazyfreePlugin;
    return {
      ...base,
      name: "mutant-no-rescan",
      *shrink(t: task_struct, sc: ScanControl): KPath {
        for (const mm of base.mm_list.mms) {
          if (!(yield* mmap_read_trylock(t, mm))) continue;
          const tlb = tlb_gather_mmu(t.k, mm);
          const pmdp = mm_find_pmd(t, mm, 0x200000000000);
          if (pmdp !== null) {
            const pml = yield* pmd_lock(t, pmdp);
            const pmdval = yield* pmdp_get_lockless(t, pmdp);
            if (!t.k.arch.pxd_none(pmdval)) {
              yield* pmd_clear(t, pmdp);
              yield* spin_unlock(t, pml);
              yield* pte_free_tlb(t, tlb, t.k.arch.pxd_table_pfn(pmdval), 0x200000000000);
              mm_dec_nr_ptes(mm);
              sc.nr_pt_reclaimed++;
            } else yield* spin_unlock(t, pml);
          }
          yield* tlb_finish_mmu(t, tlb);
          yield* mmap_read_unlock(t, mm);
        }
      },
    };
  }

  it("mutant: a scan without the rescan under the locks is caught (lost mapping or oracle)", () => {
    const found = SCENARIOS.slice(0, 2).map((s) => failure(s, noRescan, "random"));
    expect(found.some((f) => f !== null), String(found)).toBe(true);
  });
});

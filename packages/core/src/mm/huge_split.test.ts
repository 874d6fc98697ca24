/**
 * Splitting a THP-mapped PMD (__split_huge_pmd_locked()) the way Linux does:
 * pmdp_invalidate() leaves a huge entry that the MMU does not walk but software
 * still reads as pmd_present() and pmd_trans_huge() until pmd_populate() puts
 * the PTE table in, so a lockless reader meets a huge PMD and waits for the
 * PMD lock the splitter holds. Two partial MADV_DONTNEEDs of one THP both split
 * it; the second must zap its page whenever it reads the PMD.
 *
 * Mutant: an arch whose pmd_mkinvalid() clears the entry (the model before
 * this, which cleared the PMD for the split's duration): the second discard
 * meets a none PMD mid-split, skips its range, and the explorer reports the
 * page it should have discarded as user data that survived (a false race in
 * Linux itself).
 */
import { describe, expect, it } from "vitest";
import { explore } from "../check/explore.js";
import type { Scenario } from "../check/scenario.js";
import type { Arch } from "../pgtable/arch.js";
import { arch } from "../test/arch.js";
import { arm64 } from "@mmsim/arch-arm64";

/** One THP-mapped slice, every page written. */
const thpSetup: Scenario["setup"] = [
  { op: "mmap", at: 0, len: "2M", hugepage: true },
  { op: "touch", at: 0, len: "2M", write: true },
];

const splitVsDontneed: Scenario = {
  name: "split-vs-dontneed",
  description: "two partial MADV_DONTNEEDs of one THP-mapped slice, each splitting its huge PMD",
  requires: "madv_dontneed",
  setup: thpSetup,
  actors: [
    { name: "a", cpu: 0, ops: [{ op: "madvise", at: 0, len: "4K", advice: "dontneed" }] },
    { name: "b", cpu: 1, ops: [{ op: "madvise", at: "1M", len: "4K", advice: "dontneed" }, { op: "touch", at: "1M", len: "4K" }] },
  ],
};

/** A fault and a MADV_FREE of the whole slice against the split: the fault waits for the splitter's PMD lock. */
const splitVsFaultFree: Scenario = {
  name: "split-vs-fault-free",
  description: "a partial MADV_DONTNEED splits a THP while another thread reads it and MADV_FREEs it whole",
  setup: thpSetup,
  actors: [
    { name: "a", cpu: 0, ops: [{ op: "madvise", at: 0, len: "4K", advice: "dontneed" }] },
    { name: "b", cpu: 1, ops: [{ op: "touch", at: "1M", len: "4K" }, { op: "madvise", at: 0, len: "2M", advice: "free" }, { op: "touch", at: "1M", len: "4K", write: true }] },
  ],
  hw_walkers: [2],
};

const clearsInstead = (a: Arch): Arch => ({ ...a, pmd_mkinvalid: () => 0 });

const broken = (r: ReturnType<typeof explore>): string | null => (r.failure ? `${r.failure.rule}: ${r.failure.detail}` : null);

describe("THP split: pmdp_invalidate() leaves a huge, not-present PMD", () => {
  it("the second partial discard zaps its page at every interleaving (dfs, x86_64)", () => {
    const r = explore(splitVsDontneed, { plugin: null, arch, strategy: "dfs", budget: 400 });
    expect(r.executions).toBe(400);
    expect(broken(r)).toBeNull();
  });

  it("mutant: a split that clears the PMD loses the second discard (the explorer's oracle reports it)", () => {
    const r = explore(splitVsDontneed, { plugin: null, arch: clearsInstead(arch), strategy: "dfs", budget: 400 });
    expect(broken(r)).toMatch(/user data: b read \d+ at page 0x[0-9a-f]+, expected one of \{0\}/);
  });

  it("the same on arm64 (PTE_PRESENT_INVALID)", () => {
    const a = arm64();
    expect(broken(explore(splitVsDontneed, { plugin: null, arch: a, strategy: "dfs", budget: 400 }))).toBeNull();
    expect(broken(explore(splitVsDontneed, { plugin: null, arch: clearsInstead(a), strategy: "dfs", budget: 400 }))).not.toBeNull();
  });

  it("a fault and a whole-slice MADV_FREE racing the split break no rule (pct, random)", () => {
    expect(broken(explore(splitVsFaultFree, { plugin: null, arch, strategy: "pct", budget: 300, seed: 1 }))).toBeNull();
    expect(broken(explore(splitVsFaultFree, { plugin: null, arch, strategy: "random", budget: 300, seed: 2 }))).toBeNull();
  });
});

/**
 * The flush must evict the zero-page translations other CPUs cached, not only
 * the paging-structure-cache entry for the table. pte_free_tlb() widens the
 * gather's range by the table's first page only; without tlb_remove_tlb_entry()
 * for each cleared zero-page entry, another CPU keeps translating the rest of
 * the 2 MiB to the zero page. The sanitizer cannot see that (the zero page is
 * never freed, so "stale TLB entry" never fires for it), so this test reads the
 * TLB model directly: CPU 1 runs the mm (another thread) and has every page of
 * the slices cached, as its MMU would after reading them.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { arm64 } from "@mmsim/arch-arm64";
import { Engine, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, type Arch, type Process } from "@mmsim/core";
import { tlb_finish_mmu, tlb_gather_mmu } from "@mmsim/core/kernel";
import { describe, expect, it } from "vitest";
import { try_to_free_zero_pte, zero_pte_scan_mm, zeroPte, type ZeroPteScan } from "./index.js";
import { try_to_free_zero_pte_mutant, type ZeroPteBug } from "./mutants.js";

const M = 1024 * 1024;
const SLOT = 0x200000000000;

function run(arch: Arch, bug: ZeroPteBug | null): { stale: number; pwc: number; freed: number } {
  const e = new Engine({ arch, reclaim: zeroPte() });
  const p: Process = e.spawn();
  p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
  p.touch(SLOT, 4 * M, false);
  const k = e.k;
  k.tlb.track_entries = true;
  k.tlb.switch_mm(1, p.mm);
  const cpu1 = k.tlb.cpus[1];
  for (let va = SLOT; va < SLOT + 4 * M; va += 4096) cpu1.entries.set(va / 4096, k.frames.zero_pfn);
  const tlb = tlb_gather_mmu(k, p.mm);
  const per_pmd = bug === null ? try_to_free_zero_pte : (...a: Parameters<typeof try_to_free_zero_pte>) => try_to_free_zero_pte_mutant(bug, ...a);
  const it = (function* () {
    const r: ZeroPteScan = yield* zero_pte_scan_mm(p.task, p.mm, tlb, per_pmd);
    yield* tlb_finish_mmu(p.task, tlb);
    return r;
  })();
  const r = it.next();
  expect(r.done).toBe(true);
  let stale = 0;
  for (const [vpn, pfn] of cpu1.entries) if (vpn >= SLOT / 4096 && vpn < (SLOT + 4 * M) / 4096 && pfn === k.frames.zero_pfn) stale++;
  return { stale, pwc: cpu1.pwc.size, freed: (r.value as ZeroPteScan).freed };
}

describe("zero-pte: cached zero-page translations", () => {
  for (const [name, arch] of [["x86_64", x86_64()], ["arm64", arm64()]] as const) {
    it(`${name}: tlb_finish_mmu() evicts every cached zero-page translation of the freed tables`, () => {
      expect(run(arch, null)).toEqual({ stale: 0, pwc: 0, freed: 2 });
    });

    it(`${name}: mutant no-tlb-entry (no tlb_remove_tlb_entry) leaves all but the first page of each slice cached`, () => {
      const r = run(arch, "no-tlb-entry");
      expect(r.freed).toBe(2);
      expect(r.stale).toBe(2 * 511);
    });

    it(`${name}: mutant no-flush (pte_free_defer, no flush) leaves every translation cached`, () => {
      const r = run(arch, "no-flush");
      expect(r.freed).toBe(2);
      expect(r.stale).toBe(2 * 512);
    });
  }
});

/**
 * `--arch arm64` end to end: the engine runs on arm64's descriptors (the MMU's
 * accesses go through Arch.mmu_access_leaf), and GUP-fast depends on RCU table
 * freeing: the 2021 free_pte_table() tail (flush_tlb_range() then pte_free() at
 * once) is safe on native x86 — the flush's IPI waits for GUP-fast's IRQ-off
 * section — and breaks on arm64, whose broadcast TLBI waits for no CPU.
 */
import { describe, expect, it } from "vitest";
import { Engine, MADV_DONTNEED, MAP_ANONYMOUS, MAP_PRIVATE } from "@mmsim/core";
import { explore } from "@mmsim/core/check";
import { SCENARIOS, THREAD_MUTANTS } from "@mmsim/conformance";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { rcuFreept } from "@mmsim/reclaim-rcu-freept";
import { arm64, type Arch, type TlbFlushTarget } from "@mmsim/arch-arm64";
import { archOf, ARCH_NAMES } from "./simulate.js";

describe("--arch arm64", () => {
  it("is a choice, and archOf gives the broadcast-TLBI arch", () => {
    expect(ARCH_NAMES).toContain("arm64");
    const a = archOf("arm64");
    expect([a.name, a.tlbi_broadcast, a.TASK_SIZE]).toEqual(["arm64", true, 2 ** 48]);
  });

  it("runs the engine: VmPTE and VmRSS as on x86_64, no IPIs", () => {
    const figures = (name: "arm64" | "x86_64") => {
      const e = new Engine({ arch: archOf(name), reclaim: ptReclaim() });
      const p = e.spawn();
      const a = p.mmap(0, 64 << 21, 3, MAP_ANONYMOUS | MAP_PRIVATE);
      p.touch(a, 64 << 21, true, 4096);
      p.madvise(a, 32 << 21, MADV_DONTNEED);
      const st = p.proc_status();
      return { vmpte: /VmPTE:\s+(\d+)/.exec(st)![1], rss: /VmRSS:\s+(\d+)/.exec(st)![1], ipis: e.k.tlb.counters.ipis };
    };
    const arm = figures("arm64");
    const x86 = figures("x86_64");
    expect([arm.vmpte, arm.rss]).toEqual([x86.vmpte, x86.rss]);
    expect(arm.ipis).toBe(0);
  });

  it("GUP-fast relies on RCU table freeing: immediate-free-after-flush is caught on arm64, not on native x86_64", () => {
    const m = THREAD_MUTANTS.find((x) => x.name === "immediate-free-after-flush")!;
    const s = SCENARIOS.find((x) => x.name === "gup-fast-vs-dontneed")!;
    const onArm = explore(s, { plugin: m.plugin(), arch: archOf("arm64"), strategy: "pct", budget: 100, seed: 1 });
    expect(m.caught_by).toContain(onArm.failure?.rule);
    expect(explore(s, { plugin: m.plugin(), arch: archOf("x86_64"), strategy: "pct", budget: 100, seed: 1 }).failure).toBeNull();
    expect(explore(s, { plugin: ptReclaim(), arch: archOf("arm64"), strategy: "pct", budget: 100, seed: 1 }).failure).toBeNull();
  }, 600_000);

  it("rcu-freept's x86 finding (flush_tlb_range skips the lazy-TLB CPU: stale paging-structure cache) does not exist on arm64", () => {
    const s = SCENARIOS.find((x) => x.name === "scan-speculative-walk")!;
    const run = (arch: Arch) => explore(s, { plugin: rcuFreept(), arch, strategy: "pct", budget: 100, seed: 1 }).failure?.rule ?? null;
    expect(run(archOf("x86_64"))).toBe("stale paging-structure cache");
    expect(run(archOf("arm64"))).toBeNull(); // flush_tlb_range() is TLBI VAE1IS, broadcast: every CPU's walk cache goes
    // Mutant: an arm64 whose TLBI skipped lazy-TLB CPUs when no table was freed (x86's IPI policy, and x86's
    // flush_tlb_range() with freed_tables = false): the finding comes back, so the reach is what removes it.
    const a = arm64();
    const skipLazy = (t: TlbFlushTarget, freed: boolean): TlbFlushTarget => ({
      mm_cpus: (m) => t.mm_cpus(m).filter((c) => freed || !c.lazy),
      flush_range: (...args) => t.flush_range(...args),
      flush_all: (cpu, m) => t.flush_all(cpu, m),
      count: (kind, ipis) => t.count(kind, ipis),
    });
    const lazySkipping: Arch = {
      ...a,
      flush_tlb_range: () => ({ stride_shift: 12, freed_tables: false }),
      flush_tlb_mm_range: (t, mm, s0, e0, ss, freed) => a.flush_tlb_mm_range(skipLazy(t, freed), mm, s0, e0, ss, freed),
    };
    expect(run(lazySkipping)).toBe("stale paging-structure cache");
  }, 600_000);
});

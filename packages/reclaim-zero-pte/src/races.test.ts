/**
 * The kit's race scenario for step 3, zero-fault-vs-shrink (packages/conformance/
 * scenarios): kswapd frees a table that maps only the zero page while one thread
 * read-faults the zero page into it and another writes over a zero-page entry;
 * two more CPUs' MMUs (one lazy) cache the table. The plugin passes on both
 * arches; the mutants of the per-PMD path are caught.
 */
import { arm64 } from "@mmsim/arch-arm64";
import { x86_64 } from "@mmsim/arch-x86_64";
import type { Arch, ReclaimPlugin } from "@mmsim/core";
import { actorNames, execute, PctStrategy, RandomStrategy, validateScenario, type Scenario } from "@mmsim/core/check";
import { SCENARIOS } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { zeroPte } from "./index.js";
import { zeroPteMutant } from "./mutants.js";

/** The first rule PCT (seed 7919, depth 3, as the kit's scenario tests) then random schedules find within `budget` executions each; null if none. */
function firstViolation(s: Scenario, plugin: () => ReclaimPlugin, arch: Arch, budget: number): string | null {
  const pct = new PctStrategy(7919, actorNames(s).length, 3, 400);
  for (let n = 0; n < budget && pct.new_execution(); n++) {
    const v = execute(s, pct, { plugin: plugin(), arch }).violation;
    if (v) return v.rule;
  }
  const rnd = new RandomStrategy(1);
  for (let n = 0; n < budget && rnd.new_execution(); n++) {
    const v = execute(s, rnd, { plugin: plugin(), arch }).violation;
    if (v) return v.rule;
  }
  return null;
}

const scenario = (name = "zero-fault-vs-shrink") => SCENARIOS.find((s) => s.name === name)!;

describe("zero-fault-vs-shrink", () => {
  it("is in the kit and requires zero_page_tables", () => {
    expect(scenario()).toBeDefined();
    expect(scenario().requires).toBe("zero_page_tables");
  });
  for (const [name, arch] of [["x86_64", x86_64()], ["arm64", arm64()]] as const) {
    it(`${name}: the plugin passes`, () => {
      expect(firstViolation(scenario(), zeroPte, arch, 60)).toBeNull();
    }, 600_000);
    it(`${name}: check-unlocked (entries read before the PTE lock) loses the writer's page`, () => {
      expect(firstViolation(scenario(), () => zeroPteMutant("check-unlocked"), arch, 60)).toBe("lost mapping");
    }, 600_000);
    it(`${name}: no-flush (pte_free_defer, nothing gathered) leaves the walk cache pointing at the freed table`, () => {
      expect(firstViolation(scenario(), () => zeroPteMutant("no-flush"), arch, 60)).toMatch(/stale paging-structure cache|page-table use after free/);
    }, 600_000);
    it(`${name}: no-pmd-lock (the PTE lock alone) is caught`, () => {
      expect(firstViolation(scenario(), () => zeroPteMutant("no-pmd-lock"), arch, 60)).toBe("PMD write without the PMD lock");
    }, 600_000);
    it(`${name}: no-tlb-entry (zero-page entries cleared, never flushed) is caught by the stale-TLB rule at rest`, () => {
      expect(firstViolation(scenario(), () => zeroPteMutant("no-tlb-entry"), arch, 60)).toBe("stale TLB entry");
    }, 600_000);
  }
});

describe("dontneed-vs-shrink", () => {
  it("is in the kit and requires zero_page_tables", () => {
    expect(scenario("dontneed-vs-shrink").requires).toBe("zero_page_tables");
  });
  for (const [name, arch] of [["x86_64", x86_64()], ["arm64", arm64()]] as const) {
    it(`${name}: the plugin passes`, () => {
      expect(firstViolation(scenario("dontneed-vs-shrink"), zeroPte, arch, 60)).toBeNull();
    }, 600_000);
    it(`${name}: no-pmd-lock (the PTE lock alone) is caught`, () => {
      expect(firstViolation(scenario("dontneed-vs-shrink"), () => zeroPteMutant("no-pmd-lock"), arch, 60)).toMatch(/PMD write without the PMD lock|double free|table freed while still reachable/);
    }, 600_000);
  }
});

describe("exit and munmap against a pass (a scenario of this package, not the kit's)", () => {
  const s = validateScenario({
    name: "zero-exit-vs-shrink",
    description: "kswapd's pass while another thread unmaps one zero-page slice and the process then exits (exit_mmap under mmap_write_lock)",
    requires: "zero_page_tables",
    setup: [
      { op: "mmap", at: 0, len: "4M" },
      { op: "touch", at: 0, len: "16K" },
      { op: "touch", at: "2M", len: "16K" },
    ],
    actors: [
      { name: "kswapd", cpu: 0, ops: [{ op: "reclaim", len: "64K" }] },
      { name: "exiter", cpu: 1, ops: [{ op: "munmap", at: "2M", len: "2M" }, { op: "exit" }] },
    ],
    hw_walkers: [2],
  });
  for (const [name, arch] of [["x86_64", x86_64()], ["arm64", arm64()]] as const)
    it(`${name}: the plugin passes`, () => {
      expect(firstViolation(s, zeroPte, arch, 40)).toBeNull();
    }, 600_000);
});

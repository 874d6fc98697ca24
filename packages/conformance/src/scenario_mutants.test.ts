/**
 * Issue #9's scenarios reach what the kit did not reach before, and each catches
 * at least one mutant while the unmodified design passes. The slow-path mutants
 * keep pt-reclaim's fast path, so only a scenario that really makes the PMD
 * trylock fail catches them; rcu-freept's scanner is the kit's restatement
 * (mutants/rcu_freept_mutants.ts; the real plugin runs these scenarios in its
 * own package's kit test). Budgets are small: PCT finds each within a few
 * executions (see README, "Scenarios and the mutants they catch").
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import type { ReclaimPlugin } from "@mmsim/core";
import { actorNames, execute, PctStrategy, RandomStrategy, type Scenario } from "@mmsim/core/check";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import type { Mutant } from "./mutants/pt_reclaim_mutants.js";
import { MUTANTS } from "./mutants/pt_reclaim_mutants.js";
import { PMD_MUTANTS, pmdReclaimReplica } from "./mutants/pmd_mutants.js";
import { RCU_FREEPT_MUTANTS, rcuFreeptReplica } from "./mutants/rcu_freept_mutants.js";
import { SHRINK_MUTANTS, lazyfreeReplica, zeroPteReplica } from "./mutants/shrink_mutants.js";
import { SLOW_PATH_MUTANTS } from "./mutants/slow_path_mutants.js";
import { SCENARIOS } from "./scenarios.js";

const arch = x86_64();

/** The first rule PCT (as `explore` seeds it: seed 1, depth 3) finds within `budget` executions, without shrinking; null if none. */
function firstViolation(s: Scenario, plugin: () => ReclaimPlugin, budget: number): string | null {
  const st = new PctStrategy(7919, actorNames(s).length, 3, 200);
  for (let n = 0; n < budget && st.new_execution(); n++) {
    const v = execute(s, st, { plugin: plugin(), arch }).violation;
    if (v) return v.rule;
  }
  return null;
}
const mutant = (name: string): Mutant => [...MUTANTS, ...SLOW_PATH_MUTANTS, ...RCU_FREEPT_MUTANTS].find((m) => m.name === name)!;

/** [scenario, mutant it catches, PCT budget] */
const CASES: [string, string, number][] = [
  ["dontneed-twice-vs-fault", "no-rescan", 10],
  ["dontneed-vs-pmd-install", "slow-path-no-pmd-lock", 30],
  ["dontneed-twice-vs-pmd-install", "slow-path-no-pmd-lock", 40],
  ["huge-pmd-walkers", "no-freed-tables", 10],
  ["two-scanners-vs-fault", "scan-no-rescan", 10],
  ["scan-vs-munmap", "scan-no-rescan", 10],
  ["scan-vs-mprotect", "scan-no-rescan", 10],
  ["scan-vs-thp", "scan-no-rescan", 10],
  ["scan-vs-khugepaged", "scan-no-rescan", 10],
  ["scan-vs-gup-fast", "scan-free-now", 10],
];

describe("issue #9 scenarios: the unmodified design passes, a mutant is caught", () => {
  for (const [name, m, budget] of CASES) {
    it(`${name} catches ${m}`, () => {
      const s = SCENARIOS.find((x) => x.name === name)!;
      expect(s, name).toBeDefined();
      const rule = firstViolation(s, mutant(m).plugin, budget);
      expect(rule, `${m} not caught by ${name}`).not.toBeNull();
      expect(mutant(m).caught_by).toContain(rule);
      expect(firstViolation(s, s.requires === "async_scan" ? () => rcuFreeptReplica() : ptReclaim, budget)).toBeNull();
    }, 600_000);
  }
});

/**
 * Issue #9 §1: scenarios that reach the shrink passes' mmap_read_trylock() failure
 * and two PMD-table reclaimers of one table. The designs are lazyfree, zero-pte
 * and pmd, which the kit cannot import: their restatements
 * (mutants/shrink_mutants.ts, mutants/pmd_mutants.ts) pass, their mutants are
 * caught. PCT (seed 7919, depth 3), then random schedules (seed 1), as
 * zero-pte's races.test.ts: random finds the pmd and no-mmap-lock ones first.
 */
function firstViolationPctThenRandom(s: Scenario, plugin: () => ReclaimPlugin, budget: number): string | null {
  const pct = new PctStrategy(7919, actorNames(s).length, 3, 200);
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

/** [scenario, mutant it catches, the restated design it passes on, budget per strategy] */
const SHRINK_CASES: [string, Mutant, () => ReclaimPlugin, number][] = [
  ["pt-reclaim-shrink-vs-munmap", shrinkMutant("lazyfree-ignore-trylock"), () => lazyfreeReplica(), 10],
  ["pt-reclaim-shrink-vs-munmap", shrinkMutant("lazyfree-no-mmap-lock"), () => lazyfreeReplica(), 20],
  ["zero-shrink-vs-mprotect", shrinkMutant("zero-pte-ignore-trylock"), () => zeroPteReplica(), 10],
  ["dontneed-pair-vs-pmd-free", PMD_MUTANTS[0], () => pmdReclaimReplica(), 20],
];

function shrinkMutant(name: string): Mutant {
  return SHRINK_MUTANTS.find((m) => m.name === name)!;
}

describe("issue #9 §1 scenarios: the restated design passes, a mutant is caught", () => {
  for (const [name, m, design, budget] of SHRINK_CASES) {
    it(`${name} catches ${m.name}`, () => {
      const s = SCENARIOS.find((x) => x.name === name)!;
      expect(s, name).toBeDefined();
      const rule = firstViolationPctThenRandom(s, m.plugin, budget);
      expect(rule, `${m.name} not caught by ${name}`).not.toBeNull();
      expect(m.caught_by).toContain(rule);
      expect(firstViolationPctThenRandom(s, design, budget)).toBeNull();
    }, 600_000);
  }
  it("zero-shrink-vs-mprotect: a pass that also walks the MAP_SHARED VMA is not caught (its table maps shmem pages, never the zero page)", () => {
    const s = SCENARIOS.find((x) => x.name === "zero-shrink-vs-mprotect")!;
    expect(firstViolationPctThenRandom(s, () => zeroPteReplica("mutant:zero-pte-scan-shared", { scan_shared: true }), 10)).toBeNull();
  }, 600_000);
});

/**
 * The swap mutant is caught by its scenario, which passes on pt-reclaim, and only
 * because of the swap entry: without swap the same scenario cannot tell.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { explore, type Scenario } from "@mmsim/core/check";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../scenarios.js";
import { MUTANTS } from "./all.js";
import { SWAP_MUTANTS } from "./swap_mutants.js";

const arch = x86_64();

describe("swap mutants", () => {
  it("are bundled with the others (mutant:<name> on the command line)", () => {
    for (const m of SWAP_MUTANTS) expect(MUTANTS).toContain(m);
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
  });

  for (const m of SWAP_MUTANTS) {
    const s = SCENARIOS.find((x) => x.name === m.scenario)!;
    it(`${m.name} is caught by ${m.scenario}, which pt-reclaim passes`, () => {
      expect(s).toBeDefined();
      const r = explore(s, { plugin: m.plugin(), arch, strategy: "random", budget: 300, seed: 1 });
      expect(r.failure?.rule).toBeDefined();
      expect(m.caught_by).toContain(r.failure!.rule);
      const again = explore(s, { plugin: m.plugin(), arch, replay: r.failure!.schedule });
      expect(again.failure?.rule).toBe(r.failure!.rule);
      expect(explore(s, { plugin: ptReclaim(), arch, strategy: "random", budget: 100, seed: 1 }).failure).toBeNull();
    }, 600_000);

    it(`${m.name} needs the swap entry: without swapon the scenario cannot catch it`, () => {
      const noSwap: Scenario = { ...s, setup: s.setup.filter((o) => o.op !== "swapon") };
      expect(explore(noSwap, { plugin: m.plugin(), arch, strategy: "random", budget: 300, seed: 1 }).failure).toBeNull();
    }, 600_000);
  }
});

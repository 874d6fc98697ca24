/**
 * The thread objections' mutants: each is caught by its scenario (on the arch it
 * names) under a rule it lists, and the scenario passes on pt-reclaim on that
 * arch, so the catch is the mutant's mistake and not the scenario's.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { explore } from "@mmsim/core/check";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../scenarios.js";
import { MUTANTS } from "./all.js";
import { THREAD_MUTANTS } from "./thread_mutants.js";

const archOf = (name?: string) => x86_64({ paravirt_flush: name === "x86_64-pv" });

describe("thread mutants", () => {
  it("are bundled with the others (mutant:<name> on the command line)", () => {
    for (const m of THREAD_MUTANTS) expect(MUTANTS).toContain(m);
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
  });

  for (const m of THREAD_MUTANTS) {
    const s = SCENARIOS.find((x) => x.name === m.scenario)!;
    it(`${m.name} (${m.objection}) is caught by ${m.scenario}${m.arch ? ` on ${m.arch}` : ""}`, () => {
      const arch = archOf(m.arch);
      const r = explore(s, { plugin: m.plugin(), arch, strategy: "pct", budget: 100, seed: 1 });
      expect(r.failure?.rule).toBeDefined();
      expect(m.caught_by).toContain(r.failure!.rule);
      const again = explore(s, { plugin: m.plugin(), arch, replay: r.failure!.schedule });
      expect(again.failure?.rule).toBe(r.failure!.rule);
      expect(explore(s, { plugin: ptReclaim(), arch, strategy: "pct", budget: 100, seed: 1 }).failure).toBeNull();
    }, 600_000);
  }

  it("immediate-free-after-flush needs the paravirt flush to break GUP-fast: native x86 waits for the IRQ-off section", () => {
    const m = THREAD_MUTANTS.find((x) => x.name === "immediate-free-after-flush")!;
    const s = SCENARIOS.find((x) => x.name === "gup-fast-vs-dontneed")!;
    for (const strategy of ["pct", "random"] as const)
      expect(explore(s, { plugin: m.plugin(), arch: x86_64(), strategy, budget: 100, seed: 1 }).failure).toBeNull();
  }, 600_000);
});

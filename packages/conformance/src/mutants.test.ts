/**
 * The kit's self-test: every bundled mutant of pt-reclaim must fail the kit, and
 * at least one failure must be the rule meant for its mistake (not an accident).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { describe, expect, it } from "vitest";
import { MUTANTS } from "./mutants/pt_reclaim_mutants.js";
import { checkPlugin } from "./run.js";

describe("mutant self-test", () => {
  it("ships at least 10 mutants", () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(10);
  });

  for (const m of MUTANTS) {
    it(`${m.name} is caught by ${m.caught_by.join(" / ")}`, () => {
      const reports = checkPlugin({ plugin: m.plugin, arch: x86_64(), budget: 60, fuzz_runs: 15 });
      const failures = reports.flatMap((s) => s.checks.filter((c) => !c.result.ok));
      expect(failures.length).toBeGreaterThan(0);
      const rules = failures.map((f) => f.result.rule);
      expect(rules.some((r) => m.caught_by.includes(r!))).toBe(true);
      // Race failures come with a schedule that replays them.
      for (const f of failures) if (f.result.failure) expect(f.result.failure.schedule).toMatch(/^s1:/);
    }, 120_000);
  }
});

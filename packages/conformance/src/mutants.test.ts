/**
 * The kit's self-test: every bundled mutant of pt-reclaim must fail the kit, and
 * at least one failure must be the rule meant for its mistake (not an accident).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { describe, expect, it } from "vitest";
import { CHECKS, type CheckResult } from "./checks.js";
import { MUTANTS } from "./mutants/pt_reclaim_mutants.js";
import { contextOf } from "./run.js";

describe("mutant self-test", () => {
  it("ships at least 10 mutants", () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(10);
  });

  for (const m of MUTANTS) {
    it(`${m.name} is caught by ${m.caught_by.join(" / ")}`, () => {
      // The kit's checks in the kit's order, stopping at the first failure that
      // names the mutant's rule (the rest of the kit adds nothing to the proof).
      const ctx = contextOf({ plugin: m.plugin, arch: x86_64(), budget: 60, fuzz_runs: 15 });
      const probe = ctx.plugin();
      const failures: CheckResult[] = [];
      for (const c of CHECKS) {
        if (!c.applies(probe)) continue;
        const r = c.run(ctx);
        if (r.ok) continue;
        failures.push(r);
        // Race failures come with a schedule that replays them.
        if (r.failure) expect(r.failure.schedule).toMatch(/^s1:/);
        if (m.caught_by.includes(r.rule!)) break;
      }
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.map((f) => f.rule).filter((r) => m.caught_by.includes(r!)), `rules: ${failures.map((f) => f.rule).join(", ")}`).not.toEqual([]);
    }, 600_000);
  }
});

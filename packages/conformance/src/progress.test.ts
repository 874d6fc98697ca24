/**
 * Regression: a user scenario with two whole-slice MADV_DONTNEEDs and a faulting
 * writer made the unmodified pt-reclaim fail with "kernel BUG: no progress after
 * 4 faults" (PCT depth 5, seed 1, after 1463 executions): the writer's fault lost
 * its race to the discards several times in a row and the actor gave up, where
 * Linux re-executes the access until it succeeds. The schedule that found it must
 * now run to the end with no rule broken.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { decodeSchedule, execute, explore, ReplayStrategy } from "@mmsim/core/check";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "./scenarios.js";

const arch = x86_64();
const scenario = SCENARIOS.find((s) => s.name === "dontneed-twice-vs-fault")!;
/** The schedule PCT (depth 5, seed 1) found for the false positive, before the actors retried. */
const FALSE_POSITIVE = "s1:b748c13a5b287c22a7c2a7c14a516b3c26";

describe("two whole-slice discards and a fault (false positive of the fault actor)", () => {
  it("the schedule that reported 'no progress after 4 faults' on pt-reclaim runs clean", () => {
    const r = execute(scenario, new ReplayStrategy(decodeSchedule(FALSE_POSITIVE), { allow_incomplete: true }), { plugin: ptReclaim(), arch });
    expect(r.violation).toBeNull();
    // It goes past where it stopped, and the writer retried more than the old limit allowed.
    const fault = scenario.actors.findIndex((a) => a.name === "fault");
    const accesses = r.steps.filter((x) => x.actor === fault && x.what === "user access").length;
    expect(accesses).toBeGreaterThan(32 + 4); // 32 pages written, and more than 4 lost races
    expect(r.choices.length).toBeGreaterThan(decodeSchedule(FALSE_POSITIVE).length);
    expect(r.results[fault][0].result).not.toMatch(/SIG/);
  });

  it("PCT at depth 5 finds no rule broken by pt-reclaim", () => {
    const r = explore(scenario, { plugin: ptReclaim(), arch, strategy: "pct", depth: 5, budget: 40, seed: 1 });
    expect(r.failure).toBeNull();
  });
});

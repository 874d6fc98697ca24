/**
 * A violation names the actor that broke the rule. Actor 0 runs on the task that
 * ran the setup; it must be renamed to the actor's name (as set_task_comm() does),
 * or every rule it breaks reads "setup ...". Mutant: keep the name "setup".
 */
import { describe, expect, it } from "vitest";
import { arch } from "../test/arch.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { ReplayStrategy } from "../sched/strategy.js";
import { execute } from "./execution.js";
import type { Scenario } from "./scenario.js";

/** A plugin whose zap hook breaks a rule at once: a PTE table freed while still mapped. */
const broken: ReclaimPlugin = {
  specificationVersion: "v1",
  name: "broken",
  version: "0",
  models: "test: throws from a hook",
  supports: { madv_dontneed: true },
  reclaim_pt_is_enabled: () => true,
  *zap_pte_range_end() {
    throw new Error("boom");
  },
};

const scenario: Scenario = {
  name: "naming",
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "2M" },
    { op: "touch", at: 0, len: "8K", write: true },
  ],
  actors: [
    { name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
    { name: "fault", cpu: 1, ops: [{ op: "touch", at: "8K", len: "4K", write: true }] },
  ],
};

describe("actor naming", () => {
  it("a rule broken by actor 0 names actor 0, not the setup", () => {
    const r = execute(scenario, new ReplayStrategy([], { allow_incomplete: true }), { plugin: broken, arch });
    expect(r.violation).toMatchObject({ rule: "kernel BUG", detail: "boom", actor: "dontneed" });
  });

  it("a rule broken during the setup names the setup", () => {
    const s: Scenario = { ...scenario, setup: [...scenario.setup, { op: "madvise", at: 0, len: "2M", advice: "dontneed" }] };
    const r = execute(s, new ReplayStrategy([], { allow_incomplete: true }), { plugin: broken, arch });
    expect(r.violation).toMatchObject({ rule: "kernel BUG", actor: "setup" });
  });
});

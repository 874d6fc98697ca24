/**
 * Each thread scenario catches at least one mutant (under a rule that mutant
 * lists) and passes on the design it was written against, so it exercises the
 * race it names rather than passing vacuously.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { explore } from "@mmsim/core/check";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { MUTANTS } from "./mutants/pt_reclaim_mutants.js";
import { RCU_FREEPT_MUTANTS, rcuFreeptReplica } from "./mutants/rcu_freept_mutants.js";
import { SCENARIOS } from "./scenarios.js";
import { THREAD_SCENARIOS } from "./scenarios_threads.js";

/** The scenario, the mutant it catches, and the design it must pass on. */
const CATCHES: Record<string, { mutant: string; passes: () => ReturnType<typeof ptReclaim> }> = {
  "walker-vs-dontneed-vs-fault": { mutant: "no-rescan", passes: ptReclaim },
  "walker-vs-dontneed-vs-thp-fault": { mutant: "no-tlb-flush", passes: ptReclaim },
  "walker-vs-scan-vs-fault": { mutant: "scan-no-rescan", passes: () => rcuFreeptReplica() },
  "gup-fast-vs-dontneed-vs-fault": { mutant: "no-rcu-deferral", passes: ptReclaim },
  "fault-vs-fault-install": { mutant: "no-rescan", passes: ptReclaim },
  "khugepaged-vs-dontneed-vs-fault": { mutant: "no-rcu-deferral", passes: ptReclaim },
};

describe("thread scenarios", () => {
  it("are all in the kit, each with a mutant it catches", () => {
    const names = THREAD_SCENARIOS.map((s) => (s as { name: string }).name);
    for (const n of names) expect(SCENARIOS.map((s) => s.name)).toContain(n);
    expect(Object.keys(CATCHES).sort()).toEqual([...names].sort());
  });

  for (const [name, c] of Object.entries(CATCHES)) {
    it(`${name} catches ${c.mutant} and passes its design`, () => {
      const s = SCENARIOS.find((x) => x.name === name)!;
      const m = [...MUTANTS, ...RCU_FREEPT_MUTANTS].find((x) => x.name === c.mutant)!;
      const arch = x86_64();
      const r = explore(s, { plugin: m.plugin(), arch, strategy: "pct", budget: 60, seed: 1 });
      expect(m.caught_by).toContain(r.failure?.rule);
      expect(explore(s, { plugin: c.passes(), arch, strategy: "pct", budget: 60, seed: 1 }).failure).toBeNull();
    }, 600_000);
  }
});

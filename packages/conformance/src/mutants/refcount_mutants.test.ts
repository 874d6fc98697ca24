/**
 * R11 and R17 mutants on the designs that hold a reference per PTE table: each
 * is caught by its scenario under a rule it lists, where the plugin as posted
 * passes the same exploration. The plugins are loaded by name: this package
 * cannot depend on them (their tests depend on it); a missing one is skipped.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import type { ReclaimPlugin } from "@mmsim/core";
import { explore } from "@mmsim/core/check";
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../scenarios.js";
import { REFERENCE_MUTANTS } from "./refcount_mutants.js";

async function load(pkg: string, exp: string): Promise<(() => ReclaimPlugin) | null> {
  try {
    const m = (await import(/* @vite-ignore */ pkg)) as Record<string, () => ReclaimPlugin>;
    return m[exp] ?? null;
  } catch {
    return null;
  }
}

const DESIGNS = [
  { name: "refcount", factory: await load("@mmsim/reclaim-refcount", "refcount") },
  { name: "percpu", factory: await load("@mmsim/reclaim-percpu", "percpu") },
];

describe("reference mutants (R11, R17)", () => {
  for (const d of DESIGNS)
    for (const m of REFERENCE_MUTANTS) {
      const applies = d.factory !== null && m.applies(d.factory());
      it.skipIf(!applies)(`${d.name} ${m.name} (${m.objection}) is caught by ${m.scenario}`, () => {
        const s = SCENARIOS.find((x) => x.name === m.scenario)!;
        const arch = x86_64();
        let rule: string | undefined;
        for (const strategy of ["pct", "random"] as const) {
          rule = explore(s, { plugin: m.wrap(d.factory!()), arch, strategy, budget: 100, seed: 1 }).failure?.rule;
          if (rule) break;
        }
        expect(m.caught_by).toContain(rule);
      }, 600_000);
    }
});

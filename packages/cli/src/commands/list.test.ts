import { describe, expect, it } from "vitest";
import { mmsim } from "../testing.js";

describe("mmsim list", () => {
  it("lists the builtin workloads and the installed plugins", async () => {
    const r = await mmsim(["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Builtin workloads \(mmsim run <name>\):\n {2}seed {8}The seed threads' loop/);
    expect(r.stdout).toContain("\n  seed-small  The seed loop over a 1G heap");
    expect(r.stdout).toContain("\n  none (no plugin: Linux without page-table reclaim)\n");
    expect(r.stdout).toContain("\n  pt-reclaim 0.1.0 (@mmsim/reclaim-pt-reclaim)\n      models:   CONFIG_PT_RECLAIM");
    expect(r.stdout).toContain("\n      supports: madv_dontneed, rcu_table_free\n");
    expect(r.stdout).toContain("Race scenarios (mmsim explore <name>):\n  fault-vs-dontneed");
    expect(r.stdout).toMatch(/\n {2}mutant:no-rescan +the slow path/);
  });

  it("--json", async () => {
    const r = await mmsim(["list", "--json"]);
    const out = JSON.parse(r.stdout) as { workloads: { name: string }[]; plugins: { name: string; supports: object }[] };
    expect(out.workloads.map((w) => w.name)).toEqual(["seed", "seed-free", "seed-small", "production"]);
    expect(out.plugins.slice(0, 2)).toMatchObject([
      { name: "pt-reclaim", version: "0.1.0", package: "@mmsim/reclaim-pt-reclaim" },
      { name: "rcu-freept", version: "0.1.0", package: "@mmsim/reclaim-rcu-freept" },
    ]);
    const more = JSON.parse(r.stdout) as { scenarios: { name: string }[]; mutants: { name: string }[] };
    expect(more.scenarios.length).toBeGreaterThanOrEqual(9);
    expect(more.mutants.map((m) => m.name)).toContain("mutant:double-free");
  });
});

/** `mmsim conformance --coverage`: the text section, and what it refuses. */
import type { CoverageReport } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { mmsim } from "../testing.js";
import { coverageText } from "./conformance.js";

const report: CoverageReport = {
  plugin: "p",
  files: ["packages/p/src/p.ts"],
  hooks: [
    { name: "zap_pte_range_end", calls: 12 },
    { name: "task_work", calls: 0 },
  ],
  by: {
    races: { branches: { covered: 19, total: 20 }, lines: { covered: 9, total: 10 }, uncovered: [{ file: "packages/p/src/p.ts", line: 7 }] },
    "races + fuzz": { branches: { covered: 20, total: 20 }, lines: { covered: 10, total: 10 }, uncovered: [] },
    all: { branches: { covered: 20, total: 20 }, lines: { covered: 10, total: 10 }, uncovered: [] },
  },
  reports: [],
};

describe("mmsim conformance --coverage", () => {
  it("prints hooks reached and never run, branches per group, and what the races missed", () => {
    const t = coverageText(report);
    expect(t).toContain("hooks reached: 1/2 (50.0 %): zap_pte_range_end 12, task_work 0");
    expect(t).toContain("hooks never run: task_work");
    expect(t).toContain("branches reached by races: 19/20 (95.0 %)");
    expect(t).toContain("branches reached by the whole kit: 20/20 (100.0 %)");
    expect(t).toContain("    packages/p/src/p.ts:7 (reached by another suite)");
  });

  it("measures plugins, not mutants", async () => {
    const r = await mmsim(["conformance", "mutant:still-linked", "--coverage", "--budget", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--coverage measures a plugin package or module");
  });
});

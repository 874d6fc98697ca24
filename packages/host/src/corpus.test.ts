/**
 * The corpus against its kernel recordings: every corpus/NAME.wl runs on the
 * SIMULATOR with pt-reclaim (the recordings come from a CONFIG_PT_RECLAIM=y
 * kernel) and is compared with corpus/NAME.expected: dVmSize and dVmPTE equal,
 * dVmRSS within DEFAULT_RSS_TOLERANCE_KB, error lines equal. No host run, no
 * compiler. Scenarios listed in corpus/known-gaps.json must STILL mismatch, so
 * a fixed gap is noticed (and removed from the list).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseScript } from "@mmsim/core/workload";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, test } from "vitest";
import { simulate } from "./check.js";
import { compareLines, DEFAULT_RSS_TOLERANCE_KB } from "./compare.js";
import { defaultCorpusDir, listScenarios, loadKnownGaps, parseExpected } from "./corpus.js";
import { formatComparison } from "./format.js";

const dir = defaultCorpusDir();
const scenarios = listScenarios(dir);
const gaps = loadKnownGaps(dir);

describe("corpus", () => {
  test("has at least 25 scenarios, each commented and recorded", () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(25);
    for (const name of scenarios) {
      const text = readFileSync(join(dir, `${name}.wl`), "utf8");
      expect(text.startsWith("# "), `${name}.wl must start with a comment saying what it covers`).toBe(true);
      expect(existsSync(join(dir, `${name}.expected`)), `${name}.expected missing: run node packages/host/scripts/record-corpus.mjs ${name}`).toBe(true);
      const exp = parseExpected(readFileSync(join(dir, `${name}.expected`), "utf8"));
      expect(exp.comments[0] ?? "", `${name}.expected must start with the recording header`).toMatch(/Linux \S+ .*\d{4}-\d\d-\d\d/);
      expect(exp.lines.length).toBeGreaterThan(0);
    }
  });

  test("known-gaps.json names only existing scenarios", () => {
    for (const name of Object.keys(gaps)) expect(scenarios, `known-gaps.json: no scenario '${name}'`).toContain(name);
  });

  for (const name of scenarios) {
    const gap = gaps[name];
    test(`${name}${gap ? " (known gap)" : ""}`, () => {
      const script = parseScript(readFileSync(join(dir, `${name}.wl`), "utf8"), `${name}.wl`);
      const expected = parseExpected(readFileSync(join(dir, `${name}.expected`), "utf8"));
      const lines = compareLines(simulate(script, ptReclaim()), expected.lines, { rssToleranceKb: DEFAULT_RSS_TOLERANCE_KB });
      const ok = lines.every((l) => l.ok);
      const diff = formatComparison({ name, ok, lines }, ["sim", "kernel"]);
      if (gap) {
        expect(ok, `${name} now matches the kernel: remove it from corpus/known-gaps.json (was: ${gap})`).toBe(false);
      } else {
        expect(ok, `simulator differs from the kernel recording:\n${diff}`).toBe(true);
      }
    }, 600_000);
  }
});

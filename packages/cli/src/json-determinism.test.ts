/**
 * Every `--json` output is the same, byte for byte, for the same input and
 * options: no timings in it (they go to stderr or JUnit). Each command runs twice;
 * the outputs must be equal and hold no timing field anywhere.
 * conformance takes minutes even with a budget of 1, so its --json is checked
 * through withoutTimes() on a report. Mutant: keep `ms` there (the test fails).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SuiteReport } from "@mmsim/conformance";
import { withoutTimes } from "./commands/conformance.js";
import { mmsim } from "./testing.js";

const TRACES = join(dirname(createRequire(import.meta.url).resolve("@mmsim/trace/package.json")), "traces");
const TIMING = /^(ms|elapsed|elapsed_ms|seconds|time|duration)$/i;

/** Keys anywhere in a JSON value. */
function keys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => keys(x, out));
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      keys(x, out);
    }
  return out;
}

const COMMANDS: readonly (readonly string[])[] = [
  ["run", "seed-small", "--json", "--reclaim", "pt-reclaim"],
  ["compare", "seed-small", "--json", "--reclaim", "none,pt-reclaim"],
  ["explore", "fault-vs-dontneed", "--json", "--reclaim", "mutant:no-rescan", "--budget", "5"],
  ["replay", join(TRACES, "fork-remap.trace"), "--json", "--reclaim", "none,pt-reclaim"],
  ["list", "--json"],
];

describe("--json is deterministic", () => {
  for (const argv of COMMANDS) {
    it(`mmsim ${argv.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ")} --json: the same bytes twice, no timing field`, async () => {
      const a = await mmsim(argv);
      const b = await mmsim(argv);
      expect(a.stdout.length).toBeGreaterThan(2);
      expect(b.stdout).toBe(a.stdout);
      expect(keys(JSON.parse(a.stdout)).filter((k) => TIMING.test(k))).toEqual([]);
    }, 600_000);
  }
});

describe("conformance --json", () => {
  it("carries no check's time", () => {
    const report = { suite: "races", checks: [{ name: "x", ms: 12.5, result: { ok: true, message: "" } }] } as unknown as SuiteReport;
    const json = withoutTimes([report]);
    expect(keys(json).filter((k) => TIMING.test(k))).toEqual([]);
    expect(json).toEqual([{ suite: "races", checks: [{ name: "x", result: { ok: true, message: "" } }] }]);
  });
});

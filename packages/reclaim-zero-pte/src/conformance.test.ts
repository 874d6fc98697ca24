/**
 * The conformance kit on zero-pte, on both arches: every check the manifest
 * selects passes (step 1's checks, the manifest check, the races including
 * zero-fault-vs-shrink, the differential fuzz, leaks and accounting).
 */
import { arm64 } from "@mmsim/arch-arm64";
import { x86_64 } from "@mmsim/arch-x86_64";
import { checkPlugin } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { zeroPte } from "./index.js";

describe("zero-pte under the conformance kit", () => {
  for (const [name, arch] of [["x86_64", x86_64()], ["arm64", arm64()]] as const) {
    it(`${name}: every check passes`, () => {
      const reports = checkPlugin({ plugin: zeroPte, arch, budget: 30, fuzz_runs: 10 });
      const failed = reports.flatMap((s) => s.checks.filter((c) => !c.result.ok).map((c) => `${c.name}: ${c.result.message}`));
      expect(failed).toEqual([]);
      const races = reports.find((s) => s.suite === "races")!;
      expect(races.checks.some((c) => c.name.startsWith("zero-fault-vs-shrink"))).toBe(true);
    });
  }
});

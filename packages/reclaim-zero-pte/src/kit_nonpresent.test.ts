/**
 * The kit's "non-present entries" checks on zero-pte's own mutant "present-only"
 * (the shrinker's emptiness test passes over every non-present entry as none):
 * its slice 1 (a guard marker or a swap entry beside zero-page entries) is the
 * table the mutant frees, and each check catches it; zero-pte passes them.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { CHECKS, contextOf } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { zeroPte } from "./index.js";
import { zeroPteMutant } from "./mutants.js";

const checks = CHECKS.filter((c) => c.suite === "non-present entries");
const rules = ["guard marker lost", "swap entry lost"];

describe("the kit's non-present-entry checks on zero-pte", () => {
  it("are two", () => {
    expect(checks.length).toBe(2);
  });
  checks.forEach((c, i) => {
    it(`${c.name}: zero-pte passes, present-only fails (${rules[i]})`, () => {
      expect(c.run(contextOf({ plugin: zeroPte, arch: x86_64() }))).toMatchObject({ ok: true });
      const r = c.run(contextOf({ plugin: () => zeroPteMutant("present-only"), arch: x86_64() }));
      expect(r).toMatchObject({ ok: false, rule: rules[i] });
      // The table the shrinker frees is slice 1's: the marker or swap entry beside zero-page entries.
      expect(r.message).toMatch(i === 0 ? /^guard page 0x200000207000 read: ok, expected SIGSEGV/ : /^page 0x200000205000, paged out to swap, read back value 0, expected [1-9]\d* \(swap-in\)/);
    });
  });
});

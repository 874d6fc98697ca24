/**
 * `--seed`: one rule for explore, fuzz and conformance (seed.ts): 0 to 2^32-1 in
 * decimal. Seed 0 is taken by all three (fuzz and conformance refused it), and a
 * seed beyond 32 bits, which ran seed mod 2^32's run under another number, by none.
 * Mutant: a command keeping its own rule (fuzz's `positive`) fails the seed-0 case.
 */
import { describe, expect, it } from "vitest";
import { MAX_SEED, parseSeed } from "./seed.js";
import { mmsim } from "./testing.js";

describe("--seed", () => {
  it("parseSeed: decimal 0 to 4294967295, anything else named", () => {
    for (const [w, n] of [["0", 0], ["1", 1], ["007", 7], ["4294967295", MAX_SEED]] as const) expect(parseSeed(w)).toBe(n);
    for (const w of ["", " 1", "-1", "1.5", "1e3", "0x10", "4294967296", "99999999999", "seven"])
      expect(() => parseSeed(w)).toThrow(`--seed must be an integer from 0 to 4294967295 (got '${w}')`);
  });

  const commands: [string, string[]][] = [
    ["explore", ["explore", "fault-vs-dontneed", "--reclaim", "pt-reclaim", "--strategy", "random", "--budget", "3", "--json"]],
    ["fuzz", ["fuzz", "pt-reclaim", "--ops", "50", "--json"]],
    ["conformance", ["conformance", "pt-reclaim", "--budget", "1", "--fuzz-runs", "1", "--json"]],
  ];
  for (const [name, argv] of commands) {
    it(`${name} takes seed 0 and the largest seed, each run the same twice (the seed in its --json where it reports one)`, async () => {
      for (const seed of ["0", String(MAX_SEED)]) {
        const a = await mmsim([...argv, "--seed", seed]);
        expect(a.stderr).not.toContain("error");
        expect(a.code).toBe(0);
        const b = await mmsim([...argv, "--seed", seed]);
        expect(b.stdout.replace(/"ms": \d+(\.\d+)?/g, "")).toBe(a.stdout.replace(/"ms": \d+(\.\d+)?/g, ""));
        if (name === "fuzz") expect(JSON.parse(a.stdout).seed).toBe(Number(seed));
      }
      const big = await mmsim([...argv, "--seed", String(MAX_SEED + 1)]);
      expect(big.code).toBe(2);
      expect(big.stderr).toBe(`error: --seed must be an integer from 0 to 4294967295 (got '${MAX_SEED + 1}')\n`);
    }, 300_000);
  }
});

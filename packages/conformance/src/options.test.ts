/** ConformanceOptions a library caller can get wrong: refused by name, never run as a kit that checks nothing. */
import { x86_64 } from "@mmsim/arch-x86_64";
import { isMmsimError } from "@mmsim/core";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { checkPlugin, contextOf, runConformance, type ConformanceOptions } from "./index.js";

function refused(o: unknown): string {
  try {
    contextOf(o as ConformanceOptions);
  } catch (e) {
    expect(isMmsimError(e, "config-error"), String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("ConformanceOptions", () => {
  const ok = { plugin: () => ptReclaim(), arch: x86_64() };

  it("refuses a budget or fuzz_runs of 0 (the race and differential checks would run nothing and pass), negative, fractional or NaN", () => {
    for (const v of [0, -1, 1.5, NaN, Infinity, "150"]) {
      expect(refused({ ...ok, budget: v })).toMatch(/^ConformanceOptions\.budget: .* is not a positive integer$/);
      expect(refused({ ...ok, fuzz_runs: v })).toMatch(/^ConformanceOptions\.fuzz_runs: .* is not a positive integer$/);
    }
    for (const v of [-1, 0.5, NaN, 2 ** 32]) expect(refused({ ...ok, seed: v })).toMatch(/^ConformanceOptions\.seed: .* is not an integer from 0 to 4294967295$/);
    expect(() => checkPlugin({ ...ok, budget: 0 })).toThrow("ConformanceOptions.budget: 0 is not a positive integer");
    expect(() => runConformance({ describe: () => {}, it: () => {} }, { ...ok, budget: 0 })).toThrow("ConformanceOptions.budget: 0 is not a positive integer");
  });

  it("refuses a missing plugin or arch", () => {
    expect(refused(undefined)).toBe("ConformanceOptions: undefined is not { plugin, arch }");
    expect(refused({ arch: x86_64() })).toBe("ConformanceOptions.plugin: undefined is not a reclaim plugin or a function returning one");
    expect(refused({ plugin: "pt-reclaim", arch: x86_64() })).toBe('ConformanceOptions.plugin: "pt-reclaim" is not a reclaim plugin or a function returning one');
    expect(refused({ plugin: () => ptReclaim() })).toBe("ConformanceOptions.arch: undefined is not an arch (e.g. x86_64() from @mmsim/arch-x86_64)");
  });

  it("takes the defaults and valid values", () => {
    expect(contextOf(ok)).toMatchObject({ budget: 150, fuzz_runs: 40, seed: 1 });
    expect(contextOf({ ...ok, budget: 3, fuzz_runs: 2, seed: 0 })).toMatchObject({ budget: 3, fuzz_runs: 2, seed: 0 });
  });

  it("a factory that returns null, undefined, a number, a Promise or a half plugin: an error naming ConformanceOptions.plugin(), never a TypeError from the first check (checkPlugin and runConformance)", () => {
    // Mutant: contextOf() passing the factory through unchecked: each is a TypeError ("Cannot read properties of null (reading 'supports')").
    const cases: [unknown, string][] = [
      [null, "ConformanceOptions.plugin(): not a reclaim plugin (got null)"],
      [undefined, "ConformanceOptions.plugin(): not a reclaim plugin (got undefined)"],
      [5, "ConformanceOptions.plugin(): not a reclaim plugin (got number)"],
      [Promise.resolve(ptReclaim()), "ConformanceOptions.plugin(): the factory returned a Promise (an async function?); it must return the plugin object itself"],
      [{ name: "half" }, "ConformanceOptions.plugin(): not a reclaim plugin (missing version, models, supports, specificationVersion)"],
    ];
    const registered = { describe: (_: string, f: () => void) => f(), it: (_: string, f: () => unknown) => f() };
    for (const [made, message] of cases) {
      for (const run of [() => checkPlugin({ ...ok, plugin: () => made as never, budget: 1, fuzz_runs: 1 }), () => runConformance(registered, { ...ok, plugin: () => made as never })]) {
        let error: unknown = null;
        try {
          run();
        } catch (e) {
          error = e;
        }
        expect(isMmsimError(error, "plugin-error"), String(error)).toBe(true);
        expect((error as Error).message).toBe(message);
      }
    }
    // A plugin object (not a factory) is checked once, as given.
    expect(() => contextOf({ ...ok, plugin: { name: "half" } as never })).toThrow("ConformanceOptions.plugin: not a reclaim plugin (missing version, models, supports, specificationVersion)");
  });
});

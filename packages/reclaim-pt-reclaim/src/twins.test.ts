/**
 * The bulk twins this package's build derives (core's desync, tsup.config.ts) call
 * the plugin API's `$sync` twins (@mmsim/core/kernel), not its generator
 * primitives: `spin_trylock$sync(t, pml)`, not `__drive(spin_trylock(t, pml))`,
 * which made an Op step or a generator per call (issue #10: ~6.5 ms a seed run).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as kernel from "@mmsim/core/kernel";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM build helper without types
import { desync } from "../../core/build/desync.mjs";

const file = fileURLToPath(new URL("./pt_reclaim.ts", import.meta.url));
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** Every `__drive(f(...))` inside a twin (`function name$sync(...) { ... }`), as "name$sync: f". */
function drivenInTwins(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/^(?:export )?function (\w+\$sync)\b[^\n]*\{\n.*?^\}$/gms))
    for (const d of m[0].matchAll(/__drive\(([\w$.]+)\(/g)) out.push(`${m[1]}: ${d[1]}`);
  return out;
}

/** Only try_to_free_pte's out_ptl (a local generator, not an API call) is still driven. */
const EXPECTED = ["try_to_free_pte$sync: out_ptl"];

describe("pt-reclaim's bulk twins", () => {
  it("the built package (what `mmsim run` loads) drives no @mmsim/core/kernel primitive", () => {
    const code = readFileSync(built, "utf8");
    expect(code).toContain("function try_get_and_clear_pmd$sync(");
    expect(drivenInTwins(code)).toEqual(EXPECTED);
    expect(code).toMatch(/if \(!\(?spin_trylock\$sync\(t, pml\)\)?\) return/);
  });

  it("desync of the source gives the same; every API call a twin exists for", () => {
    const code = desync(readFileSync(file, "utf8"), file) as string;
    expect(drivenInTwins(code)).toEqual(EXPECTED);
    for (const n of ["spin_trylock", "pmdp_get_lockless", "pmd_clear", "spin_unlock", "pte_free_tlb", "pmd_lock"])
      expect(typeof (kernel as Record<string, unknown>)[`${n}$sync`], n).toBe("function");
  });

  it("mutant: desync without the API's twins (its fallback) drives the primitives, and is caught", () => {
    const code = desync(readFileSync(file, "utf8"), file, { packages: new Map() }) as string;
    const driven = drivenInTwins(code);
    expect(driven).not.toEqual(EXPECTED);
    expect(driven).toContain("try_get_and_clear_pmd$sync: spin_trylock");
    expect(driven).toContain("free_pte$sync: pte_free_tlb");
  });
});

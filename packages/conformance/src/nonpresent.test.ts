/**
 * The "non-present entries" checks: a PTE table holding guard markers or swap
 * entries must not be freed. pt-reclaim passes them; `nonpresent-as-none` (a
 * rescan after every zap asking pte_present()) fails each with its rule, and the
 * same design asking pte_none() passes: the checks tell the emptiness test apart,
 * not the hook. Guard regions exist only in the 6.18 era: the guard check is
 * skipped, with its reason, for a plugin of an older era.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import type { ReclaimPlugin } from "@mmsim/core";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { CHECKS } from "./checks.js";
import { MUTANTS } from "./mutants/all.js";
import { NONPRESENT_MUTANTS, nonPresentControl } from "./mutants/nonpresent_mutants.js";
import { rcuFreeptReplica } from "./mutants/rcu_freept_mutants.js";
import { checkPlugin, contextOf, runConformance } from "./run.js";

const guard = CHECKS.find((c) => c.name.startsWith("a PTE table holding guard markers"))!;
const swap = CHECKS.find((c) => c.name.startsWith("a PTE table holding swap entries"))!;
const run = (c: typeof guard, plugin: () => ReclaimPlugin) => c.run(contextOf({ plugin, arch: x86_64() }));
const mutant = NONPRESENT_MUTANTS.find((m) => m.name === "nonpresent-as-none")!;
const era = (plugin: () => ReclaimPlugin, e: "5.14" | "5.18" | "6.10") => (): ReclaimPlugin => ({ ...plugin(), era: e });

describe("non-present entries", () => {
  it("are two checks of their own suite, for every plugin", () => {
    expect(CHECKS.filter((c) => c.suite === "non-present entries")).toEqual([guard, swap]);
    expect(guard.applies(ptReclaim()) && swap.applies(ptReclaim())).toBe(true);
  });

  it.each([
    ["pt-reclaim", ptReclaim],
    ["the control (the mutant's rescan asking pte_none())", nonPresentControl],
  ])("%s passes both", (_, plugin) => {
    const g = run(guard, plugin);
    expect(g).toMatchObject({ ok: true });
    expect(g.skipped).toBeUndefined();
    expect(g.message).toMatch(/^5 guard pages in 4 PTE tables still raise SIGSEGV; VmPTE \d+ kB, as without reclaim$/);
    const s = run(swap, plugin);
    expect(s).toMatchObject({ ok: true });
    // 515 swap entries: one in each of slices 0-2, 512 in slice 3 (none swapped back in by the setup itself).
    expect(s.message).toMatch(/^5 pages read back from swap \(VmSwap 2060 kB\) in 4 PTE tables; VmPTE \d+ kB, as without reclaim$/);
  });

  it("nonpresent-as-none is bundled (mutant:nonpresent-as-none on the command line)", () => {
    expect(MUTANTS).toContain(mutant);
  });

  it("nonpresent-as-none fails the guard check: the guard page's table is freed and the access faults a page in", () => {
    const r = run(guard, mutant.plugin);
    expect(r.ok).toBe(false);
    expect(r.rule).toBe("guard marker lost");
    expect(r.message).toMatch(/^guard page 0x200000000000 read: ok, expected SIGSEGV \(Linux without reclaim\): the PTE table holding its guard marker was freed/);
  });

  it("nonpresent-as-none fails the swap check: the swapped page reads back zero", () => {
    const r = run(swap, mutant.plugin);
    expect(r.ok).toBe(false);
    expect(r.rule).toBe("swap entry lost");
    expect(r.message).toMatch(/^page 0x200000005000, paged out to swap, read back value 0, expected [1-9]\d* \(swap-in\)/);
  });

  it("an asynchronous scanner with the same mistake (rcu-freept's, restated, rescanning with pte_present()) fails both; the scanner as posted passes", () => {
    // The replica runs in the default era (6.18), so the guard check applies to it; the scanner runs in settle()'s ticks.
    const bad = () => rcuFreeptReplica("scan-present-only", { present_only: true });
    expect(run(guard, bad)).toMatchObject({ ok: false, rule: "guard marker lost" });
    expect(run(swap, bad)).toMatchObject({ ok: false, rule: "swap entry lost" });
    expect(run(guard, () => rcuFreeptReplica())).toMatchObject({ ok: true });
    expect(run(swap, () => rcuFreeptReplica())).toMatchObject({ ok: true });
  });

  it.each(["5.14", "5.18", "6.10"] as const)("era %s: the guard check is skipped with its reason; the swap check still runs (and still catches the mutant)", (e) => {
    const g = run(guard, era(mutant.plugin, e));
    expect(g).toMatchObject({ ok: true, skipped: `guard regions (MADV_GUARD_INSTALL, Linux 6.13) do not exist in the plugin's kernel era ${e}` });
    expect(run(swap, era(ptReclaim, e))).toMatchObject({ ok: true });
    expect(run(swap, era(ptReclaim, e)).skipped).toBeUndefined();
    expect(run(swap, era(mutant.plugin, e))).toMatchObject({ ok: false, rule: "swap entry lost" });
  });

  it("checkPlugin reports the skip; runConformance hands the reason to the runner's ctx.skip()", () => {
    const reports = checkPlugin({ plugin: era(ptReclaim, "5.18"), arch: x86_64(), budget: 1, fuzz_runs: 1 });
    const np = reports.find((s) => s.suite === "non-present entries")!;
    expect(np.checks.map((c) => [c.result.ok, c.result.skipped])).toEqual([
      [true, "guard regions (MADV_GUARD_INSTALL, Linux 6.13) do not exist in the plugin's kernel era 5.18"],
      [true, undefined],
    ]);
    const tests: { name: string; fn: (...a: unknown[]) => unknown }[] = [];
    runConformance({ describe: (_n, fn) => fn(), it: (name, fn) => void tests.push({ name, fn }) }, { plugin: era(ptReclaim, "5.18"), arch: x86_64() });
    const notes: string[] = [];
    tests.find((t) => t.name === guard.name)!.fn({ skip: (note: string) => notes.push(note) });
    expect(notes).toEqual(["guard regions (MADV_GUARD_INSTALL, Linux 6.13) do not exist in the plugin's kernel era 5.18"]);
    // A runner that passes no context sees the skipped check pass.
    expect(() => tests.find((t) => t.name === guard.name)!.fn()).not.toThrow();
  }, 600_000);
});

/**
 * runConformance(): registers the kit's checks with the caller's test runner.
 * Runner-agnostic: pass vitest's or node:test's `describe` and `it` (mocha's work
 * too); a failing check throws an Error whose message carries the rule, the
 * replayable schedule and the per-CPU trace.
 */
import { MmsimError, validate_plugin, type Arch, type ReclaimPlugin } from "@mmsim/core";
import { CHECKS, type CheckContext, type CheckResult } from "./checks.js";

export interface TestApi {
  describe: (name: string, fn: () => void) => unknown;
  it: (name: string, fn: () => void | Promise<void>, timeout?: number) => unknown;
}

export interface ConformanceOptions {
  /** The plugin, or a factory returning a fresh instance (preferred: the kit builds many engines). */
  plugin: ReclaimPlugin | (() => ReclaimPlugin);
  arch: Arch;
  /** Executions per race scenario and strategy (default 150). */
  budget?: number;
  /** Runs of the differential property (default 40). */
  fuzz_runs?: number;
  seed?: number;
  /** How `mmsim` names the plugin in printed replay lines (a bundled name, or the module path); default its name. */
  reclaim_arg?: string;
}

/** A ConformanceOptions field that is not what the kit can run with: the kit must not pass by running nothing (a budget of 0). */
function optionError(field: string, v: unknown, want: string): MmsimError {
  return new MmsimError("config-error", `ConformanceOptions.${field}: ${typeof v === "string" ? JSON.stringify(v) : String(v)} is not ${want}`);
}

/**
 * The factory, each instance it returns checked (validate_plugin): a factory that
 * returns null, a number or a Promise is an error naming it, not a TypeError from
 * the first check that reads the instance.
 */
function checkedFactory(factory: () => ReclaimPlugin): () => ReclaimPlugin {
  return () => {
    const p: unknown = factory();
    if (p !== null && typeof p === "object" && typeof (p as { then?: unknown }).then === "function")
      throw new MmsimError("plugin-error", "ConformanceOptions.plugin(): the factory returned a Promise (an async function?); it must return the plugin object itself");
    return validate_plugin(p, "ConformanceOptions.plugin()");
  };
}

export function contextOf(o: ConformanceOptions): CheckContext {
  if (o === null || typeof o !== "object") throw new MmsimError("config-error", `ConformanceOptions: ${String(o)} is not { plugin, arch }`);
  if (o.plugin === null || (typeof o.plugin !== "function" && typeof o.plugin !== "object")) throw optionError("plugin", o.plugin, "a reclaim plugin or a function returning one");
  if (o.arch === null || typeof o.arch !== "object") throw optionError("arch", o.arch, "an arch (e.g. x86_64() from @mmsim/arch-x86_64)");
  for (const f of ["budget", "fuzz_runs"] as const) {
    const v: unknown = o[f];
    if (v !== undefined && !(typeof v === "number" && Number.isSafeInteger(v) && v > 0)) throw optionError(f, v, "a positive integer");
  }
  const seed: unknown = o.seed;
  // The seed is a 32-bit word (core's Prng, the fuzz's sequenceSeed): a larger one would run another's sequences. The CLI's --seed rule (cli/src/seed.ts).
  if (seed !== undefined && !(typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0 && seed <= 0xffffffff)) throw optionError("seed", seed, "an integer from 0 to 4294967295");
  const plugin = typeof o.plugin === "function" ? checkedFactory(o.plugin) : () => o.plugin as ReclaimPlugin;
  if (typeof o.plugin !== "function") validate_plugin(o.plugin, "ConformanceOptions.plugin");
  return { plugin, arch: o.arch, budget: o.budget ?? 150, fuzz_runs: o.fuzz_runs ?? 40, seed: o.seed ?? 1, reclaim_arg: o.reclaim_arg };
}

export interface SuiteReport {
  suite: string;
  checks: { name: string; result: CheckResult; ms: number }[];
}

/** Run every applicable check now and return the reports (the CLI's entry point). */
export function checkPlugin(o: ConformanceOptions, onCheck?: (suite: string, name: string, r: CheckResult) => void): SuiteReport[] {
  const ctx = contextOf(o);
  const probe = ctx.plugin();
  const suites = new Map<string, SuiteReport>();
  for (const c of CHECKS) {
    if (!c.applies(probe)) continue;
    const t0 = performance.now();
    const result = c.run(ctx);
    const ms = performance.now() - t0;
    let s = suites.get(c.suite);
    if (!s) suites.set(c.suite, (s = { suite: c.suite, checks: [] }));
    s.checks.push({ name: c.name, result, ms });
    onCheck?.(c.suite, c.name, result);
  }
  return [...suites.values()];
}

/** Register the kit as tests: `runConformance({ describe, it }, { plugin, arch })`. */
export function runConformance(api: TestApi, o: ConformanceOptions): void {
  const ctx = contextOf(o);
  const probe = ctx.plugin();
  api.describe(`mmsim conformance: ${probe.name} ${probe.version}`, () => {
    for (const suite of ["effectiveness", "races", "differential", "leaks and accounting", "non-present entries"] as const) {
      const checks = CHECKS.filter((c) => c.suite === suite && c.applies(probe));
      if (!checks.length) continue;
      api.describe(suite, () => {
        for (const c of checks)
          api.it(
            c.name,
            // The runner's test context, when it passes one: a check that does not apply to
            // the plugin's era is reported skipped with its reason (vitest's `ctx.skip(note)`,
            // node:test's `t.skip(message)`); a runner without one sees it pass.
            (...args: unknown[]) => {
              const r = c.run(ctx);
              if (!r.ok) throw new Error(r.message);
              if (r.skipped !== undefined) {
                const t = args[0] as { skip?: (note: string) => void } | null | undefined;
                if (typeof t === "object" && t !== null && typeof t.skip === "function") t.skip(r.skipped);
              }
            },
            600_000,
          );
      });
    }
  });
}

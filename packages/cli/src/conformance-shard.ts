/**
 * One shard of the conformance kit (`mmsim conformance --shard i/n`) and the
 * merge of the shards into what the unsharded `conformance --json` prints.
 *
 * Work item k is the k-th check that applies to the plugin, in the kit's order
 * (CHECKS of @mmsim/conformance, as checkPlugin() runs them). Each check builds
 * its own engines from the plugin factory and its own seeds from the options, so
 * a check gives the same result whichever shard runs it. The unit is a whole
 * check (a race scenario under one strategy, the differential fuzz, ...): a
 * kit run splits into at most as many shards as it has checks.
 */
import { CHECKS, contextOf, type CheckResult, type ConformanceOptions, type SuiteReport } from "@mmsim/conformance";
import { CliError } from "./errors.js";
import { inShard, type Shard } from "./shard.js";

/** One check's result, with its place in the unsharded run. */
export interface ConformanceShardCheck {
  readonly k: number;
  readonly suite: string;
  readonly name: string;
  readonly result: CheckResult;
}

export interface ConformanceShardPart {
  /** Checks that apply to the plugin, in all shards together. */
  readonly total: number;
  readonly checks: readonly ConformanceShardCheck[];
}

/** What the unsharded `conformance --json` prints (no coverage: --coverage is not sharded). */
export interface ConformanceJson {
  plugin: string;
  passed: number;
  failed: number;
  /** Checks not run for the plugin's era (CheckResult.skipped); present only when there are some. */
  skipped?: number;
  suites: { suite: string; checks: { name: string; result: CheckResult }[] }[];
}

/** Runs this shard's checks (checkPlugin() restricted to the shard); `onCheck` sees each as it ends. */
export function checkPluginShard(
  o: ConformanceOptions,
  shard: Shard,
  onCheck?: (suite: string, name: string, r: CheckResult, ms: number) => void,
): ConformanceShardPart {
  const ctx = contextOf(o);
  const probe = ctx.plugin();
  const applicable = CHECKS.filter((c) => c.applies(probe));
  const checks: ConformanceShardCheck[] = [];
  applicable.forEach((c, k) => {
    if (!inShard(k, shard)) return;
    const t0 = performance.now();
    const result = c.run(ctx);
    checks.push({ k, suite: c.suite, name: c.name, result });
    onCheck?.(c.suite, c.name, result, performance.now() - t0);
  });
  return { total: applicable.length, checks };
}

/** The part's checks grouped by suite, in order (as checkPlugin() reports them; no times). */
export function suitesOf(checks: readonly ConformanceShardCheck[]): SuiteReport[] {
  const suites = new Map<string, SuiteReport>();
  for (const c of checks) {
    let s = suites.get(c.suite);
    if (!s) suites.set(c.suite, (s = { suite: c.suite, checks: [] }));
    s.checks.push({ name: c.name, result: c.result, ms: 0 });
  }
  return [...suites.values()];
}

/** What the unsharded `conformance --json` prints, from every shard's part (`parts[i]` is shard i+1 of n). */
export function mergeConformance(plugin: string, parts: readonly ConformanceShardPart[]): ConformanceJson {
  const n = parts.length;
  const total = parts[0]?.total ?? 0;
  const byK = new Map<number, ConformanceShardCheck>();
  parts.forEach((p, i) => {
    if (p.total !== total) throw new CliError(`shard ${i + 1}/${n}: the plugin has ${p.total} applicable checks there, ${total} in shard 1/${n}`);
    for (const c of p.checks) {
      if (!inShard(c.k, { index: i + 1, count: n }) || c.k >= total) throw new CliError(`shard ${i + 1}/${n}: check ${c.k} ('${c.name}') is not one of that shard's`);
      if (byK.has(c.k)) throw new CliError(`shard ${i + 1}/${n}: check ${c.k} ('${c.name}') appears twice`);
      byK.set(c.k, c);
    }
  });
  for (let k = 0; k < total; k++) if (!byK.has(k)) throw new CliError(`shard ${(k % n) + 1}/${n}: check ${k} of ${total} is missing (an interrupted run?)`);
  const checks = [...byK.values()].sort((a, b) => a.k - b.k);
  const failed = checks.filter((c) => !c.result.ok).length;
  const skipped = checks.filter((c) => c.result.ok && c.result.skipped !== undefined).length;
  const suites = suitesOf(checks).map((s) => ({ suite: s.suite, checks: s.checks.map(({ name, result }) => ({ name, result })) }));
  return { plugin, passed: checks.length - failed - skipped, failed, ...(skipped ? { skipped } : {}), suites };
}

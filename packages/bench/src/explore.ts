/**
 * Explorer figures for `npm run bench`: schedules explored per second on the
 * merged design (no failure to stop at), and, for each bundled mutant, the time
 * to its first failure — the kit's race scenarios in order, PCT — as the median
 * over several seeds. The mutants are every design's hand-written ones
 * (benchMutants): @mmsim/conformance's MUTANTS (pt-reclaim's, the threads',
 * rcu-freept's), its REFERENCE_MUTANTS on each installed plugin they apply to
 * (refcount, percpu), and zero-pte's (`@mmsim/reclaim-zero-pte/mutants`).
 * lazyfree's two mutants are plugins written inside its test file, not shipped.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { installedReclaims } from "@mmsim/cli";
import { MUTANTS, REFERENCE_MUTANTS, SCENARIOS } from "@mmsim/conformance";
import { type ReclaimPlugin } from "@mmsim/core";
import { explore, type StrategyName } from "@mmsim/core/check";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { ZERO_PTE_BUGS, zeroPteMutant } from "@mmsim/reclaim-zero-pte/mutants";
import { median } from "./stats.js";

export interface ScheduleRate {
  strategy: StrategyName;
  scenario: string;
  executions: number;
  /** Executions per second of wall time. */
  perSecond: number;
  /** Executions per second of this process's CPU time (user + system): what a busy machine changes least. */
  perCpuSecond: number;
}

/** The scenario the explorer's rate is measured on (issue #10 §4: ≥ 1,000 executions/s). */
export const RATE_SCENARIO = "fault-vs-dontneed";

export interface MutantTime {
  mutant: string;
  /** Median seconds to the first failure; null when no seed found one. */
  medianSeconds: number | null;
  found: number;
  seeds: number;
  rules: string[];
}

/** Executions/s of explore() on fault-vs-dontneed under pt-reclaim (no failure to stop at), per strategy, seed 1. */
export function scheduleRates(budget = 1000): ScheduleRate[] {
  const arch = x86_64();
  const out: ScheduleRate[] = [];
  const s = SCENARIOS.find((x) => x.name === RATE_SCENARIO)!;
  for (const strategy of ["pct", "random", "dfs"] as const) {
    const c0 = process.cpuUsage();
    const r = explore(s, { plugin: ptReclaim(), arch, strategy, budget, seed: 1 });
    const c = process.cpuUsage(c0);
    out.push({ strategy, scenario: s.name, executions: r.executions, perSecond: r.executions / (r.elapsed_ms / 1000), perCpuSecond: r.executions / ((c.user + c.system) / 1e6) });
  }
  return out;
}

function firstFailure(plugin: () => ReclaimPlugin, seed: number, budget: number): { seconds: number; rule: string } | null {
  const arch = x86_64();
  const t0 = performance.now();
  for (const s of SCENARIOS) {
    if (s.requires && !plugin().supports[s.requires]) continue;
    const r = explore(s, { plugin: plugin(), arch, strategy: "pct", budget, seed });
    if (r.failure) return { seconds: (performance.now() - t0) / 1000, rule: r.failure.rule };
  }
  return null;
}

/** A hand-written mutant: a name and a factory of the broken plugin. */
export interface BenchMutant {
  name: string;
  plugin: () => ReclaimPlugin;
}

/**
 * Every design's hand-written mutants: MUTANTS (names as shipped), then each
 * REFERENCE_MUTANT on every installed plugin it applies to (`<plugin>-<mutant>`),
 * then zero-pte's (`zero-pte-<bug>`).
 */
export async function benchMutants(): Promise<BenchMutant[]> {
  const out: BenchMutant[] = MUTANTS.map((m) => ({ name: m.name, plugin: m.plugin }));
  for (const r of await installedReclaims()) {
    const create = () => r.create()!;
    for (const m of REFERENCE_MUTANTS) if (m.applies(create())) out.push({ name: `${r.name}-${m.name}`, plugin: () => m.wrap(create()) });
  }
  for (const bug of ZERO_PTE_BUGS) out.push({ name: `zero-pte-${bug}`, plugin: () => zeroPteMutant(bug) });
  return out;
}

export function mutantTimes(seeds = 5, budget = 200, mutants: readonly BenchMutant[] = MUTANTS): MutantTime[] {
  return mutants.map((m) => {
    const found = Array.from({ length: seeds }, (_, i) => firstFailure(m.plugin, i + 1, budget)).filter((x) => x !== null);
    return {
      mutant: m.name,
      medianSeconds: found.length ? median(found.map((f) => f.seconds)) : null,
      found: found.length,
      seeds,
      rules: [...new Set(found.map((f) => f.rule))],
    };
  });
}

export function renderExplorer(rates: readonly ScheduleRate[], times: readonly MutantTime[]): string {
  const lines = ["", "explorer:"];
  for (const r of rates)
    lines.push(
      `  ${r.strategy.padEnd(6)} ${r.perSecond.toFixed(0).padStart(6)} executions/s, ${r.perCpuSecond.toFixed(0).padStart(6)} per CPU second  (${r.executions} executions of ${r.scenario}, pt-reclaim; target ≥ 1,000/s)`,
    );
  if (times.length === 0) return lines.join("\n") + "\n"; // bench --explorer: the rates only
  lines.push("", "  time to first failure per mutant (pct, the kit's scenarios in order, median over seeds):");
  for (const t of times)
    lines.push(`  ${t.mutant.padEnd(26)} ${t.medianSeconds === null ? "not found" : `${t.medianSeconds.toFixed(2)} s`.padStart(8)}  ${t.found}/${t.seeds} seeds  ${t.rules.join(", ")}`);
  return lines.join("\n") + "\n";
}

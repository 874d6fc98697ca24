/**
 * Lone runs (check/execution.ts, sched/lone.ts): the task the explorer's loop
 * resumes runs its further kernel-path calls as their `$lone` variants (plain
 * functions; build/desync.mjs); where it would yield (another actor picked, a
 * blocked point, the step limit) the loop runs nested inside its point, the
 * other actors as generators, until it is picked again. Nothing may change: the
 * same ExecutionResult, field for field, the same decisions of every strategy
 * over a series of executions, the same RCU callback timing, hardware walkers
 * interleaved the same, and where the loop would have thrown (the step limit,
 * every actor blocked, a replay that diverges) the same error. Each
 * deliberately broken variant (LONE_MUTANTS) is caught here.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Kernel } from "../kernel.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { LONE } from "../sched/lone.js";
import { DfsStrategy, PctStrategy, RandomStrategy, type Strategy } from "../sched/strategy.js";
import type { Task } from "../sched/task.js";
import { spin_lock, SpinLock } from "../sync/spinlock.js";
import { arch } from "../test/arch.js";
import { dontneedAlone } from "../test/dontneed_alone.js";
import { naivePlugin } from "../test/naive_plugin.js";
import { replayError } from "../test/replay_error.js";
import { trygetPlugin } from "../test/tryget_plugin.js";
import { FAULT_RETRY_WAIT } from "./actors.js";
import { execute, LONE_MUTANTS, type ExecOptions, type SoloMutant } from "./execution.js";
import { SCENARIO_BASE, type Scenario } from "./scenario.js";

/** A discard and a fault; the discard goes on alone (fault, discard again, RCU frees in between). */
const scenario: Scenario = dontneedAlone("lone");

/** The same, the fault as actor 0. */
const reversed: Scenario = { ...scenario, name: "lone-reversed", actors: [{ ...scenario.actors[1], cpu: 0 }, { ...scenario.actors[0], cpu: 1 }] };

/** naivePlugin, its zap hook noting how many RCU callbacks had run and whether it was called from a lone variant. */
function plugin(log: number[], mark: { lone: boolean } = { lone: false }): ReclaimPlugin {
  const p = naivePlugin();
  const end = p.zap_pte_range_end!;
  return {
    ...p,
    *zap_pte_range_end(t, tlb, mm, pmdp, start, st) {
      log.push((t.k as unknown as Kernel).rcu.invoked);
      if (/\$lone/.test(new Error().stack ?? "")) mark.lone = true;
      return yield* end.call(p, t, tlb, mm, pmdp, start, st);
    },
  } as ReclaimPlugin;
}

const strategies: Record<string, () => Strategy> = {
  random: () => new RandomStrategy(7919),
  pct: () => new PctStrategy(7919, 2, 3, 200),
  dfs: () => new DfsStrategy(2, 2),
};

/** `n` executions of the series `make` starts: everything they show (the lone-run marker left out). */
type MakePlugin = (log: number[], mark: { lone: boolean }) => ReclaimPlugin;
function series(make: () => Strategy, n: number, solo: SoloMutant | undefined, s: Scenario = scenario, o: Partial<ExecOptions> = {}, pl: MakePlugin = plugin) {
  const st = make();
  const out: unknown[] = [];
  let lone = 0;
  for (let i = 0; i < n && st.new_execution(); i++) {
    const log: number[] = [];
    const mark = { lone: false };
    const r = execute(s, st, { plugin: pl(log, mark), arch, solo_mutant: solo, ...o });
    if (mark.lone) lone++;
    out.push({ ...r, log });
  }
  return { out, lone };
}

/** One actor faulting into a slice whose tryget always fails: the fault retries alone (FAULT_RETRY_WAIT) until the no-progress BUG. */
const stuckFault: Scenario = {
  name: "lone-retry",
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "2M" },
    { op: "touch", at: 0, len: "4K", write: true },
  ],
  actors: [
    { name: "writer", cpu: 0, ops: [{ op: "touch", at: "8K", len: "4K", write: true }] },
    { name: "idle", cpu: 1, ops: [] },
  ],
};
const refusingTryget = (): ReclaimPlugin =>
  trygetPlugin(
    "refusing-tryget",
    "test: a pte_tryget_map() that always fails on the first slice for the writer",
    (t, _pmdp, addr) => t.comm === "writer" && addr >= SCENARIO_BASE && addr < SCENARIO_BASE + arch.PMD_SIZE,
  );

/** One discard, alone from the start. */
const loneDiscard: Scenario = { ...scenario, name: "lone-discard", actors: [{ name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] }] };

/** naivePlugin whose zap hook spins on a lock no task will ever release. */
function stuckLock(log: number[], mark: { lone: boolean }): ReclaimPlugin {
  const p = plugin(log, mark);
  const end = p.zap_pte_range_end!;
  return {
    ...p,
    *zap_pte_range_end(t, tlb, mm, pmdp, start, st) {
      if (/\$lone/.test(new Error().stack ?? "")) mark.lone = true;
      const l = new SpinLock("never-released");
      l.owner = {} as Task;
      yield* spin_lock(t as unknown as Task, l);
      return yield* end.call(p, t, tlb, mm, pmdp, start, st);
    },
  } as ReclaimPlugin;
}

afterEach(() => {
  vi.restoreAllMocks();
  expect(LONE.on).toBe(false); // never left on after an execution
});

describe("the task the loop resumes runs its kernel paths' lone variants", () => {
  it("the same results, strategy decisions and RCU timing as without lone runs and as yielding every point, for every strategy, with and without a hardware walker", () => {
    for (const [name, make] of Object.entries(strategies)) {
      const off = series(make, 20, "off");
      const noLone = series(make, 20, "no-lone");
      const lone = series(make, 20, undefined);
      expect(lone.out, name).toEqual(off.out);
      expect(noLone.out, name).toEqual(off.out);
      const walker = { ...scenario, name: "lone-walker", hw_walkers: [1] };
      const w = series(make, 20, undefined, walker);
      expect(w.out, `${name} walker`).toEqual(series(make, 20, "off", walker).out);
      expect(w.lone, `${name} walker: lone variants ran`).toBeGreaterThan(0);
      // DFS starts with the discard running to its end: its zap is alone only with the fault first.
      const lone2 = name === "dfs" ? series(make, 20, undefined, reversed) : lone;
      if (name === "dfs") expect(lone2.out).toEqual(series(make, 20, "off", reversed).out);
      expect(lone2.lone, `${name}: lone variants ran`).toBeGreaterThan(0);
      expect(noLone.lone + off.lone).toBe(0);
    }
  });

  it("a lone task's blocked steps (a fault retry waiting for another CPU) are taken where it stands, as the loop takes them", () => {
    for (const [name, make] of Object.entries(strategies)) {
      const off = series(make, 3, "off", stuckFault, {}, refusingTryget);
      const lone = series(make, 3, undefined, stuckFault, {}, refusingTryget);
      expect(lone.out, name).toEqual(off.out);
      const r = lone.out[0] as { violation: { rule: string; detail: string } | null; steps: { what: string }[] };
      expect(r.violation?.detail).toMatch(/no progress after/);
      expect(r.steps.filter((x) => x.what === FAULT_RETRY_WAIT).length).toBeGreaterThan(1);
    }
  });

  it("where the loop would throw, the same error: step limit, every actor blocked, a too-short replay", () => {
    let limited = 0;
    for (const [name, make] of Object.entries(strategies)) {
      for (const max_steps of [1500, 2600]) {
        const capped = series(make, 5, undefined, scenario, { max_steps });
        expect(capped.out, `${name} ${max_steps}`).toEqual(series(make, 5, "off", scenario, { max_steps }).out);
        limited += capped.out.filter((r) => /no progress after/.test((r as { violation: { detail: string } | null }).violation?.detail ?? "")).length;
      }
      const dead = series(make, 5, undefined, loneDiscard, {}, stuckLock);
      expect(dead.out, name).toEqual(series(make, 5, "off", loneDiscard, {}, stuckLock).out);
      expect((dead.out[0] as { violation: { rule: string } }).violation.rule).toBe("deadlock");
      expect(dead.lone).toBeGreaterThan(0);
    }
    expect(limited).toBeGreaterThan(0);
    const st = new PctStrategy(7919, 2, 3, 200);
    st.new_execution();
    const r = execute(scenario, st, { plugin: plugin([]), arch });
    const err = (solo: SoloMutant | undefined) => replayError(scenario, r.choices.slice(0, r.choices.length - 5), { plugin: plugin([]), arch, solo_mutant: solo });
    expect(err(undefined)).toMatch(/schedule diverges at step \d+: its \d+ choice\(s\) are used up/);
    expect(err(undefined)).toBe(err("off"));
  });

  it("never on the trampoline or when tracing", () => {
    for (const o of [{ stepping: "trampoline" as const }, { trace: true }]) expect(series(strategies.random, 3, undefined, scenario, o).lone).toBe(0);
  });

  it("every deliberately broken variant is caught", () => {
    const cases: [Scenario, MakePlugin][] = [
      [scenario, plugin],
      [stuckFault, refusingTryget],
    ];
    const ref = cases.map(([s, pl]) => Object.fromEntries(Object.entries(strategies).map(([n, make]) => [n, JSON.stringify(series(make, 5, "off", s, {}, pl).out)])));
    const caught = LONE_MUTANTS.filter((m) =>
      cases.some(([s, pl], i) => Object.entries(strategies).some(([n, make]) => JSON.stringify(series(make, 5, m, s, {}, pl).out) !== ref[i][n])),
    );
    expect(caught).toEqual([...LONE_MUTANTS]);
  });
});

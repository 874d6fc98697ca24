/**
 * The explorer's steps taken in place (check/execution.ts, Task.on_point): at a
 * task's preemption point the scheduler's step runs right there, and while the
 * strategy keeps picking that task it goes on without yielding to the loop.
 * Nothing may change: the same ExecutionResult, field for field, the same
 * decisions of every strategy over a series of executions (PCT learns the run
 * length from its choose() calls, DFS its path), the same RCU callbacks at the
 * same steps, blocked tasks woken at the same steps, hardware walkers
 * interleaved the same, and strict replays of the recorded schedules. Each
 * deliberately broken variant (SOLO_MUTANTS) is caught here.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Kernel } from "../kernel.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { DfsStrategy, PctStrategy, RandomStrategy, ReplayStrategy, type Strategy } from "../sched/strategy.js";
import { Trampoline } from "../sched/trampoline.js";
import { arch } from "../test/arch.js";
import { replayError } from "../test/replay_error.js";
import { dontneedAlone } from "../test/dontneed_alone.js";
import { naivePlugin } from "../test/naive_plugin.js";
import { execute, SOLO_MUTANTS, type SoloMutant } from "./execution.js";
import type { Scenario } from "./scenario.js";

/** fault-vs-dontneed, the discarding task going on alone: fault, discard again (RCU frees in between). */
const scenario: Scenario = dontneedAlone("solo");
/** The same with a hardware walker on the faulting CPU (an actor every other step). */
const withWalker: Scenario = { ...scenario, name: "solo-walker", hw_walkers: [1] };

/** naivePlugin, its zap hook noting how many RCU callbacks had run: when they run is observable. */
function plugin(log: number[]): ReclaimPlugin {
  const p = naivePlugin();
  const end = p.zap_pte_range_end!;
  return {
    ...p,
    *zap_pte_range_end(t, tlb, mm, pmdp, start, st) {
      log.push((t.k as unknown as Kernel).rcu.invoked);
      return yield* end.call(p, t, tlb, mm, pmdp, start, st);
    },
  } as ReclaimPlugin;
}

const strategies: Record<string, () => Strategy> = {
  random: () => new RandomStrategy(7919),
  pct: () => new PctStrategy(7919, 2, 3, 200),
  dfs: () => new DfsStrategy(2, 2),
};

/** `n` executions of the series `make` starts, solo steps as `solo` says: everything they show. */
function series(make: () => Strategy, n: number, solo: SoloMutant | undefined, s: Scenario = scenario, stepping?: "nested" | "trampoline") {
  const st = make();
  const out: unknown[] = [];
  for (let i = 0; i < n && st.new_execution(); i++) {
    const log: number[] = [];
    const r = execute(s, st, { plugin: plugin(log), arch, solo_mutant: solo, stepping });
    out.push({ ...r, log });
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe("steps taken in place at a task's preemption points", () => {
  it("the same results, strategy decisions and RCU timing as yielding every point to the loop, for every strategy", () => {
    for (const s of [scenario, withWalker])
      for (const [name, make] of Object.entries(strategies)) {
        const off = series(make, 20, "off", s);
        expect(series(make, 20, undefined, s), `${s.name} ${name}`).toEqual(off);
        expect(series(make, 20, "hand-back", s), `${s.name} ${name}`).toEqual(off);
      }
  });

  it("nested (the default) and on the trampoline: the same results, decisions and RCU timing, in place or not", () => {
    for (const s of [scenario, withWalker])
      for (const [name, make] of Object.entries(strategies))
        for (const solo of [undefined, "off", "hand-back"] as const)
          expect(series(make, 20, solo, s, "trampoline"), `${s.name} ${name} ${solo}`).toEqual(series(make, 20, solo, s, "nested"));
  });

  it("nested by default: the explorer's executions do not run on the trampoline", () => {
    const next = vi.spyOn(Trampoline.prototype, "next");
    const st = new RandomStrategy(7919);
    st.new_execution();
    execute(scenario, st, { plugin: plugin([]), arch });
    expect(next).not.toHaveBeenCalled();
  });

  it("really takes them in place: the trampoline is resumed far less often than there are steps", () => {
    const next = vi.spyOn(Trampoline.prototype, "next");
    const st = new RandomStrategy(7919);
    st.new_execution();
    const r = execute(scenario, st, { plugin: plugin([]), arch, stepping: "trampoline" });
    const resumed = next.mock.calls.length;
    expect(r.choices.length).toBeGreaterThan(1000);
    expect(resumed).toBeLessThan(r.choices.length / 4);
    next.mockClear();
    const st2 = new RandomStrategy(7919);
    st2.new_execution();
    execute(scenario, st2, { plugin: plugin([]), arch, solo_mutant: "off", stepping: "trampoline" });
    expect(next.mock.calls.length).toBe(r.choices.length);
  });

  it("a recorded schedule replays strictly, and a too short one still diverges where it ends", () => {
    const st = new PctStrategy(7919, 2, 3, 200);
    st.new_execution();
    const r = execute(scenario, st, { plugin: plugin([]), arch });
    const again = execute(scenario, new ReplayStrategy(r.choices), { plugin: plugin([]), arch });
    expect(again.choices).toEqual(r.choices);
    expect(again.violation).toEqual(r.violation);
    const short = r.choices.slice(0, r.choices.length - 5);
    const err = (solo: SoloMutant | undefined) => replayError(scenario, short, { plugin: plugin([]), arch, solo_mutant: solo });
    expect(err(undefined)).toMatch(/schedule diverges at step \d+: its \d+ choice\(s\) are used up/);
    expect(err(undefined)).toBe(err("off"));
  });

  it("every deliberately broken variant is caught", () => {
    const ref = Object.fromEntries(Object.entries(strategies).map(([n, make]) => [n, JSON.stringify(series(make, 20, "off"))]));
    const caught = SOLO_MUTANTS.filter((m) => Object.entries(strategies).some(([n, make]) => JSON.stringify(series(make, 20, m)) !== ref[n]));
    expect(caught).toEqual([...SOLO_MUTANTS]);
  });
});

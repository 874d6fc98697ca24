/**
 * The strategies on toy executions (no kernel): task i takes lens[i] steps and
 * never blocks, so the schedules and their preemptions can be enumerated by hand.
 */
import { describe, expect, it } from "vitest";
import { countPreemptions, decodeSchedule, encodeSchedule, PreemptionCounter, ScheduleDivergenceError } from "./schedule.js";
import { DfsStrategy, PctStrategy, Prng, RandomStrategy, ReplayStrategy, SwitchStrategy, type Strategy } from "./strategy.js";

/**
 * PCT as it was written with a Map of change points (before explore6's two arrays),
 * one execution per seed: the reference the strategy must still follow choice for choice.
 */
class MapPct implements Strategy {
  private prio: number[];
  private changes = new Map<number, number>();
  constructor(seed: number, n: number, depth: number, est: number) {
    const rng = new Prng(seed);
    const p = Array.from({ length: n }, (_, i) => depth + i);
    for (let i = p.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    this.prio = p;
    for (let i = 1; i < depth; i++) this.changes.set(1 + rng.below(Math.max(1, est)), depth - i);
  }
  new_execution(): boolean {
    return true;
  }
  choose(runnable: readonly number[], step: number, current: number): number {
    const lower = this.changes.get(step);
    if (lower !== undefined && current >= 0) this.prio[current] = lower;
    let best = runnable[0];
    for (const r of runnable) if (this.prio[r] > this.prio[best]) best = r;
    return best;
  }
}

interface Run {
  choices: number[];
  runnable: number[][];
}

/** One toy execution under `st`: task i runs lens[i] steps. */
function simulate(st: Strategy, lens: readonly number[]): Run {
  const left = [...lens];
  const run: Run = { choices: [], runnable: [] };
  let current = -1;
  for (let step = 0; ; step++) {
    const runnable = left.flatMap((n, i) => (n > 0 ? [i] : []));
    if (!runnable.length) break;
    const c = st.choose(runnable, step, current);
    expect(runnable).toContain(c);
    left[c]--;
    run.choices.push(c);
    run.runnable.push(runnable);
    current = c;
  }
  st.end_execution?.();
  return run;
}

/** Every execution the strategy offers, as letters ("aabb"). */
function all(st: Strategy, lens: readonly number[], max = 10_000): string[] {
  const out: string[] = [];
  while (out.length < max && st.new_execution()) out.push(letters(simulate(st, lens).choices));
  return out;
}

const letters = (c: readonly number[]) => c.map((i) => String.fromCharCode(97 + i)).join("");

/** Every interleaving of the tasks with at most `bound` preemptions (brute force). */
function interleavings(lens: readonly number[], bound: number): string[] {
  const out: string[] = [];
  const rec = (left: number[], run: Run) => {
    const runnable = left.flatMap((n, i) => (n > 0 ? [i] : []));
    if (!runnable.length) {
      if (countPreemptions(run.choices, run.runnable) <= bound) out.push(letters(run.choices));
      return;
    }
    for (const c of runnable) {
      left[c]--;
      rec(left, { choices: [...run.choices, c], runnable: [...run.runnable, runnable] });
      left[c]++;
    }
  };
  rec([...lens], { choices: [], runnable: [] });
  return out;
}

describe("DfsStrategy", () => {
  it("enumerates the schedules of two 2-step tasks: latest steps first, within the preemption bound", () => {
    expect(all(new DfsStrategy(2, 0), [2, 2])).toEqual(["aabb", "bbaa"]);
    expect(all(new DfsStrategy(2, 1), [2, 2])).toEqual(["aabb", "abba", "bbaa", "baab"]);
    expect(all(new DfsStrategy(2, 2), [2, 2])).toEqual(["aabb", "abba", "abab", "bbaa", "baab", "baba"]);
  });

  for (const [lens, bound] of [
    [[3, 2], 1],
    [[2, 2, 1], 1],
    [[3, 2, 2], 2],
    [[2, 3, 1, 1], 2],
  ] as const)
    it(`explores each schedule of tasks ${lens.join("+")} with ≤ ${bound} preemptions exactly once`, () => {
      const got = all(new DfsStrategy(lens.length, bound), lens);
      expect(new Set(got).size).toBe(got.length);
      expect([...got].sort()).toEqual(interleavings(lens, bound).sort());
    });

  it("new_execution() is false once the tree is searched, and stays false", () => {
    const st = new DfsStrategy(2, 1);
    expect(all(st, [2, 2])).toHaveLength(4);
    expect(st.new_execution()).toBe(false);
    expect(st.new_execution()).toBe(false);
  });

  it("a single task has one schedule", () => {
    const st = new DfsStrategy(1, 2);
    expect(all(st, [5])).toEqual(["aaaaa"]);
    expect(st.new_execution()).toBe(false);
  });

  it("never branches to hardware walkers (actors nTasks and up)", () => {
    // Actor 2 is a walker: runnable, but DFS keeps it out of its alternatives.
    expect(all(new DfsStrategy(2, 2), [2, 2, 1]).every((s) => s.endsWith("c"))).toBe(true);
  });

  it("an execution that does not retrace the path's prefix is a divergence (nondeterminism)", () => {
    const st = new DfsStrategy(2, 1);
    expect(st.new_execution()).toBe(true);
    simulate(st, [2, 2]); // aabb
    expect(st.new_execution()).toBe(true); // next: "ab" then the default policy
    expect(() => st.choose([1], 0, -1)).toThrow(ScheduleDivergenceError);
  });
});

describe("ReplayStrategy", () => {
  it("replays its schedule once, then has no more executions", () => {
    const st = new ReplayStrategy([1, 0, 0, 1]);
    expect(st.new_execution()).toBe(true);
    expect(letters(simulate(st, [2, 2]).choices)).toBe("baab");
    expect(st.new_execution()).toBe(false);
  });

  it("a step the schedule gives to an actor that cannot run is an error naming the step and the runnable set", () => {
    const st = new ReplayStrategy([0, 0, 0, 1]);
    const e = catchError(() => simulate(st, [2, 2]));
    expect(e).toBeInstanceOf(ScheduleDivergenceError);
    expect(e).toMatchObject({ kind: "not runnable", step: 2, wanted: 0, runnable: [1] });
    expect(e.message).toBe("schedule diverges at step 2: it runs a, which cannot run there (runnable: b)");
    expect(e.explain(["x", "y"]).message).toBe("schedule diverges at step 2: it runs a (x), which cannot run there (runnable: b (y))");
  });

  it("a schedule that runs out while the execution goes on is an error", () => {
    const e = catchError(() => simulate(new ReplayStrategy([0, 0, 1]), [2, 2]));
    expect(e).toMatchObject({ kind: "exhausted", step: 3, wanted: undefined, runnable: [1], length: 3 });
    expect(e.message).toMatch(/step 3: its 3 choice\(s\) are used up/);
  });

  it("a schedule with choices left when the execution ends is an error", () => {
    const e = catchError(() => simulate(new ReplayStrategy([0, 0, 1, 1, 0]), [2, 2]));
    expect(e).toMatchObject({ kind: "left over", step: 4, wanted: 0, length: 5 });
    expect(e.message).toMatch(/step 4: the execution ended there but the schedule has 5 choice\(s\) \(next: a\)/);
  });

  it("allow_incomplete lets the default policy fill in instead", () => {
    expect(letters(simulate(new ReplayStrategy([0, 0, 0, 1], { allow_incomplete: true }), [2, 2]).choices)).toBe("aabb");
    expect(letters(simulate(new ReplayStrategy([1], { allow_incomplete: true }), [2, 2]).choices)).toBe("bbaa");
    expect(letters(simulate(new ReplayStrategy([0, 0, 1, 1, 0], { allow_incomplete: true }), [2, 2]).choices)).toBe("aabb");
  });
});

describe("SwitchStrategy", () => {
  const events = (s: string) => {
    const c = decodeSchedule(`s1:${s}`);
    return new Map(c.flatMap((a, i) => (i === 0 || a !== c[i - 1] ? [[i, a] as [number, number]] : [])));
  };

  it("the switch events of a schedule replay it exactly", () => {
    expect(letters(simulate(new SwitchStrategy(events("a1b2a1")), [2, 2]).choices)).toBe("abba");
  });

  it("is strict unless allow_incomplete: the shrinker's partial schedules must ask for leniency", () => {
    const partial = new Map([[1, 1]]); // no event at step 0: nobody is running yet
    expect(() => simulate(new SwitchStrategy(partial), [2, 2])).toThrow(ScheduleDivergenceError);
    expect(letters(simulate(new SwitchStrategy(partial, { allow_incomplete: true }), [2, 2]).choices)).toBe("abba");
    const late = new Map([
      [0, 0],
      [9, 1],
    ]);
    expect(catchError(() => simulate(new SwitchStrategy(late), [4]))).toMatchObject({ kind: "left over", step: 4, wanted: 1 });
  });
});

describe("seeded strategies over many executions", () => {
  it("random: execution i is what a fresh RandomStrategy(seed + i) gives", () => {
    const st = new RandomStrategy(7919 * 3);
    for (let i = 0; i < 5; i++) {
      expect(st.new_execution()).toBe(true);
      expect(simulate(st, [4, 3, 3]).choices).toEqual(simulate(new RandomStrategy(7919 * 3 + i), [4, 3, 3]).choices);
    }
  });

  it("pct: execution i is a fresh PctStrategy(seed + i) over the longest execution so far", () => {
    const st = new PctStrategy(100, 3, 3, 200);
    let longest = 0;
    for (let i = 0; i < 5; i++) {
      const lens = [3 + i, 2, 4 - (i % 2)];
      expect(st.new_execution()).toBe(true);
      const got = simulate(st, lens).choices;
      expect(got).toEqual(simulate(new PctStrategy(100 + i, 3, 3, longest || 200), lens).choices);
      longest = Math.max(longest, got.length);
    }
  });

  it("`executions` bounds the series; seed_stride spaces the seeds", () => {
    const st = new PctStrategy(7, 2, 2, 10, { executions: 3, seed_stride: 31, learn_steps: false });
    const runs = all(st, [5, 5]);
    expect(runs).toHaveLength(3);
    expect(runs[2]).toBe(letters(simulate(new PctStrategy(7 + 2 * 31, 2, 2, 10), [5, 5]).choices));
    expect(st.new_execution()).toBe(false);
    expect(all(new RandomStrategy(1, { executions: 0 }), [1])).toEqual([]);
  });
});

describe("schedules", () => {
  it("PreemptionCounter carries the count forward: each prefix's count without recounting", () => {
    const choices = [0, 0, 1, 2, 1, 0, 0, 1];
    const runnable = [[0, 1], [0, 1], [0, 1, 2], [0, 1, 2], [0, 1], [0, 1], [0, 1], [1]];
    const c = new PreemptionCounter(2); // actor 2 is a walker
    const counts = choices.map((x, i) => c.step(x, runnable[i]));
    expect(counts).toEqual(choices.map((_, i) => countPreemptions(choices.slice(0, i + 1), runnable.slice(0, i + 1), 2)));
    expect(counts).toEqual([0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it("encode and decode are inverse", () => {
    const c = [0, 0, 0, 1, 2, 2, 0];
    expect(encodeSchedule(c)).toBe("s1:a3b1c2a1");
    expect(decodeSchedule(encodeSchedule(c))).toEqual(c);
  });
});

function catchError(f: () => unknown): ScheduleDivergenceError {
  try {
    f();
  } catch (e) {
    return e as ScheduleDivergenceError;
  }
  throw new Error("expected an error");
}

describe("pct change points", () => {
  it("as two arrays, choose as the Map did (steps drawn twice keep the last value)", () => {
    for (const depth of [1, 2, 3, 5, 8])
      for (const est of [1, 3, 20, 60])
        for (let seed = 1; seed <= 20; seed++) {
          const lens = [est, 2, est + 1];
          const got = simulate(new PctStrategy(seed, 3, depth, est, { learn_steps: false }), lens).choices;
          expect(got).toEqual(simulate(new MapPct(seed, 3, depth, est), lens).choices);
        }
  });
});

/**
 * Scheduling strategies: which runnable actor goes next at a preemption point.
 * - random: uniform choice from a seeded PRNG.
 * - pct: probabilistic concurrency testing (Burckhardt et al., ASPLOS'10): random
 *   distinct priorities, d-1 priority change points over the estimated run length;
 *   finds a bug of depth d with probability ≥ 1/(n·k^(d-1)) per run.
 * - replay: a recorded schedule, then the default policy.
 * (Bounded-preemption DFS lives in the explorer: it is a search over runs.)
 */

/** xorshift128+ style PRNG on 32-bit ints; deterministic per seed. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = seed | 0 || 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = 0x12345678 ^ seed;
    for (let i = 0; i < 16; i++) this.u32();
  }
  /** sfc32 */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  below(n: number): number {
    return this.u32() % n;
  }
}

export interface Strategy {
  /** Pick one of `runnable` (non-empty) at step `step`; `current` ran the previous step (-1 at start). */
  choose(runnable: readonly number[], step: number, current: number): number;
}

/** Keep running the current actor; else the first runnable. */
export function defaultChoice(runnable: readonly number[], current: number): number {
  return runnable.includes(current) ? current : runnable[0];
}

export class RandomStrategy implements Strategy {
  private readonly rng: Prng;
  constructor(seed: number) {
    this.rng = new Prng(seed);
  }
  choose(runnable: readonly number[]): number {
    return runnable[this.rng.below(runnable.length)];
  }
}

export class PctStrategy implements Strategy {
  private readonly prio: number[];
  private readonly changes: Map<number, number>;
  constructor(seed: number, nActors: number, depth: number, estSteps: number) {
    const rng = new Prng(seed);
    // Distinct initial priorities depth..depth+n-1 in random order.
    const p = Array.from({ length: nActors }, (_, i) => depth + i);
    for (let i = p.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    this.prio = p;
    this.changes = new Map();
    for (let i = 1; i < depth; i++) this.changes.set(1 + rng.below(Math.max(1, estSteps)), depth - i);
  }
  choose(runnable: readonly number[], step: number, current: number): number {
    const lower = this.changes.get(step);
    if (lower !== undefined && current >= 0) this.prio[current] = lower;
    let best = runnable[0];
    for (const r of runnable) if (this.prio[r] > this.prio[best]) best = r;
    return best;
  }
}

export class ReplayStrategy implements Strategy {
  constructor(private readonly choices: readonly number[]) {}
  choose(runnable: readonly number[], step: number, current: number): number {
    const c = this.choices[step];
    return c !== undefined && runnable.includes(c) ? c : defaultChoice(runnable, current);
  }
}

/**
 * Switch events: at the given steps switch to the given actor (if it can run);
 * otherwise keep running the current one. Used to shrink failing schedules by
 * deleting switches (delta debugging over the events).
 */
export class SwitchStrategy implements Strategy {
  constructor(private readonly events: ReadonlyMap<number, number>) {}
  choose(runnable: readonly number[], step: number, current: number): number {
    const c = this.events.get(step);
    return c !== undefined && runnable.includes(c) ? c : defaultChoice(runnable, current);
  }
}

import { Prng } from "./prng.js";
import type { Strategy } from "./strategy.js";

/** The series of executions of a seeded strategy. */
export interface SeededOptions {
  /** Executions before new_execution() says there are no more (default: no limit; the explorer's budget stops it). */
  executions?: number;
  /** Execution i draws from seed `seed + i * seed_stride` (default 1). */
  seed_stride?: number;
}

/** Uniform choices from a PRNG seeded afresh for each execution (execution i: `seed + i * seed_stride`). */
export class RandomStrategy implements Strategy {
  private rng: Prng;
  private execution = -1;
  private readonly executions: number;
  private readonly stride: number;

  constructor(
    private readonly seed: number,
    o: SeededOptions = {},
  ) {
    this.executions = o.executions ?? Infinity;
    this.stride = o.seed_stride ?? 1;
    this.rng = new Prng(seed);
  }

  new_execution(): boolean {
    if (this.execution + 1 >= this.executions) return false;
    this.execution++;
    this.rng = new Prng(this.seed + this.execution * this.stride);
    return true;
  }

  choose(runnable: readonly number[]): number {
    if (this.execution < 0) this.new_execution();
    return runnable[this.rng.below(runnable.length)];
  }
}

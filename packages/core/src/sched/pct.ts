import { Prng } from "./prng.js";
import type { SeededOptions } from "./random.js";
import type { Strategy } from "./strategy.js";

export interface PctOptions extends SeededOptions {
  /**
   * Take each execution's length to be the longest execution's so far (`estSteps`
   * until one has run), as the explorer does; false: always `estSteps`. Default true.
   */
  learn_steps?: boolean;
}

/**
 * Probabilistic concurrency testing (Burckhardt et al., ASPLOS'10): random
 * distinct priorities, d-1 priority change points over the estimated run length;
 * finds a bug of depth d with probability ≥ 1/(n·k^(d-1)) per run. Each execution
 * draws its priorities and change points from its own seed (execution i:
 * `seed + i * seed_stride`).
 */
export class PctStrategy implements Strategy {
  private prio: number[] = [];
  /**
   * The priority change points: at step chk[i], the running actor's priority
   * becomes chv[i] (distinct steps; a step drawn twice keeps its last value, as
   * Map.set would). Two short arrays, not a Map: choose() looks at every step
   * (explore6).
   */
  private chk: number[] = [];
  private chv: number[] = [];
  private execution = -1;
  /** Steps of the current execution, and the most any execution took. */
  private steps = 0;
  private longest = 0;
  private readonly executions: number;
  private readonly stride: number;
  private readonly learn: boolean;

  constructor(
    private readonly seed: number,
    private readonly nActors: number,
    private readonly depth: number,
    private readonly estSteps: number,
    o: PctOptions = {},
  ) {
    this.executions = o.executions ?? Infinity;
    this.stride = o.seed_stride ?? 1;
    this.learn = o.learn_steps ?? true;
    this.draw(seed, estSteps);
  }

  private draw(seed: number, estSteps: number): void {
    const rng = new Prng(seed);
    const depth = this.depth;
    // Distinct initial priorities depth..depth+n-1 in random order.
    const p = Array.from({ length: this.nActors }, (_, i) => depth + i);
    for (let i = p.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    this.prio = p;
    const chk: number[] = [];
    const chv: number[] = [];
    for (let i = 1; i < depth; i++) {
      const at = 1 + rng.below(Math.max(1, estSteps));
      const j = chk.indexOf(at);
      if (j >= 0) chv[j] = depth - i;
      else {
        chk.push(at);
        chv.push(depth - i);
      }
    }
    this.chk = chk;
    this.chv = chv;
  }

  new_execution(): boolean {
    if (this.execution + 1 >= this.executions) return false;
    this.longest = Math.max(this.longest, this.steps);
    this.steps = 0;
    this.execution++;
    this.draw(this.seed + this.execution * this.stride, this.learn ? this.longest || this.estSteps : this.estSteps);
    return true;
  }

  choose(runnable: readonly number[], step: number, current: number): number {
    if (this.execution < 0) this.new_execution();
    this.steps = Math.max(this.steps, step + 1);
    const chk = this.chk;
    for (let i = 0; i < chk.length; i++)
      if (chk[i] === step) {
        if (current >= 0) this.prio[current] = this.chv[i];
        break;
      }
    let best = runnable[0];
    for (const r of runnable) if (this.prio[r] > this.prio[best]) best = r;
    return best;
  }
}

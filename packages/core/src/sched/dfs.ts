import { defaultChoice, PreemptionCounter, ScheduleDivergenceError } from "./schedule.js";
import type { Strategy } from "./strategy.js";

/** The alternatives of a step that has none: one shared array, never pushed to. */
const NO_PENDING: number[] = [];

/**
 * Bounded-preemption depth-first search over schedules (CHESS-style iterative
 * context bounding; the shape of shuttle's dfs.rs and loom's path.rs). The first
 * execution runs the default policy (keep running the current task). Each later
 * one takes the latest step that still has an untried alternative, replays the
 * path up to it, switches there, and continues under the default policy,
 * recording the alternatives of every new step. A step's alternatives are the
 * other runnable tasks whose switch keeps the path within `bound` preemptions;
 * the count is carried forward along the path one step at a time. Hardware
 * walkers (actors `nTasks` and up) are left to the randomized strategies: DFS
 * branches over tasks only, and the default policy never picks a walker while a
 * task can run, so a DFS path is all tasks.
 */
export class DfsStrategy implements Strategy {
  /**
   * The current path, one step per index: what ran (`choice`), and the tasks to
   * run there instead in later executions, the next one last (`pending`). Two
   * parallel arrays rather than an object per step: a path has ~1,000 steps.
   */
  private readonly choice: number[] = [];
  private readonly pending: number[][] = [];
  /** Steps of the path the current execution replays before its own choices. */
  private replay = 0;
  /** Steps the current execution has taken. */
  private steps = 0;
  private started = false;
  private exhausted = false;
  private counter: PreemptionCounter;

  constructor(
    private readonly nTasks: number,
    private readonly bound = 2,
  ) {
    this.counter = new PreemptionCounter(nTasks);
  }

  new_execution(): boolean {
    if (this.exhausted) return false;
    this.counter = new PreemptionCounter(this.nTasks);
    this.steps = 0;
    if (!this.started) {
      this.started = true;
      this.replay = 0;
      return true;
    }
    for (let i = this.choice.length - 1; i >= 0; i--) {
      const alt = this.pending[i].pop();
      if (alt === undefined) continue;
      this.choice.length = this.pending.length = i + 1;
      this.choice[i] = alt;
      this.replay = i + 1;
      return true;
    }
    this.choice.length = this.pending.length = 0;
    this.exhausted = true;
    return false;
  }

  choose(runnable: readonly number[], step: number, current: number): number {
    if (!this.started) this.new_execution();
    this.steps = step + 1;
    let c: number;
    if (step < this.replay) {
      // The path's prefix: the same choices give the same execution, so each is runnable again.
      c = this.choice[step];
      if (!runnable.includes(c)) throw new ScheduleDivergenceError("not runnable", step, c, runnable, this.replay);
    } else {
      if (step !== this.choice.length) throw new Error(`DfsStrategy: step ${step} out of order (path has ${this.choice.length})`);
      c = defaultChoice(runnable, current);
      // Most steps have no alternative (one task runnable): they share NO_PENDING (only ever popped, empty).
      let pending = NO_PENDING;
      for (const alt of runnable)
        if (alt !== c && alt < this.nTasks && this.counter.count + this.counter.cost(alt, runnable) <= this.bound) {
          if (pending === NO_PENDING) pending = [];
          pending.push(alt);
        }
      this.choice.push(c);
      this.pending.push(pending);
    }
    this.counter.step(c, runnable);
    return c;
  }

  end_execution(): void {
    if (this.steps < this.replay) throw new ScheduleDivergenceError("left over", this.steps, this.choice[this.steps], [], this.replay);
  }
}

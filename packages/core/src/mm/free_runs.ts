/**
 * A free list of page frames kept as a LIFO stack of runs, in typed arrays (issue
 * #10 §1): no JS array of free frames (V8 aborts a JS array past ~110 M elements),
 * 12 bytes per run however many frames it holds.
 *
 * The stack hands frames out in EXACTLY the order a plain stack of PFNs would
 * (push = free, pop = alloc, last freed first reused), because PFNs show in
 * traces, digests and outputs. A run is a sequence of consecutive pushes that
 * step by +`step` or by -`step` (step = 2^order: 1 for order-0 frames, 512 for
 * THP heads): freeing the pages of a range in address order, or in the reverse
 * order they were handed out, extends the top run in O(1); a pop takes the last
 * element pushed, in O(1). A run holds at most 2^31 - 1 elements (the next push
 * starts a new run).
 *
 * Model difference from Linux: the buddy allocator keeps per-order free areas
 * and per-CPU page lists and merges buddies; the model keeps order 0 and order 9
 * apart, never merges them, and reuses the last frame freed first (like a
 * per-CPU list's hot end). Only the order matters to the model, and it is fixed
 * by this stack.
 */

/**
 * Deliberately wrong variants, for this file's test (each must be caught):
 *   - "merge-gap": a push one step past the top also extends a run whose top is
 *     two steps away (a gap frame handed out that was never freed);
 *   - "pop-run-order": pop_run() returns a descending run's elements as if it
 *     were ascending.
 */
export type FreeRunsMutant = "merge-gap" | "pop-run-order";

const MAX_RUN = 0x7fffffff;

export class FreeRuns {
  /** First PFN pushed of each run (PFNs up to 2^53: doubles). */
  private first: Float64Array;
  /** Elements of each run: > 0 ascending (first, first + step, ...), < 0 descending (|len| of them). */
  private len: Int32Array;
  /** Runs on the stack. */
  private nr_runs = 0;
  /** Elements on the stack (frames, or THP heads for order 9). */
  count = 0;

  constructor(
    /** Distance between consecutive elements of a run (2^order). */
    readonly step: number,
    private readonly mutant: FreeRunsMutant | null = null,
  ) {
    this.first = new Float64Array(16);
    this.len = new Int32Array(16);
  }

  /** Runs currently on the stack (12 bytes each). */
  get runs(): number {
    return this.nr_runs;
  }

  /** Host bytes of the run table. */
  host_bytes(): number {
    return this.first.byteLength + this.len.byteLength;
  }

  /** Push one element (a freed frame). */
  push(pfn: number): void {
    const i = this.nr_runs - 1;
    if (i >= 0) {
      const s = this.step;
      const l = this.len[i];
      const f = this.first[i];
      if (l === 1 || l === -1) {
        if (pfn === f + s) {
          this.len[i] = 2;
          this.count++;
          return;
        }
        if (pfn === f - s) {
          this.len[i] = -2;
          this.count++;
          return;
        }
      } else if (l > 0) {
        const top = f + (l - 1) * s;
        if ((pfn === top + s || (this.mutant === "merge-gap" && pfn === top + 2 * s)) && l < MAX_RUN) {
          this.len[i] = l + 1;
          this.count++;
          return;
        }
      } else {
        const top = f + (l + 1) * s;
        if (pfn === top - s && l > -MAX_RUN) {
          this.len[i] = l - 1;
          this.count++;
          return;
        }
      }
    }
    this.new_run(pfn, 1);
  }

  /**
   * Push `n` elements first, first + step, ..., first + (n - 1) * step in that
   * order (as n push() calls would leave the stack).
   */
  push_ascending(first: number, n: number): void {
    if (n <= 0) return;
    this.push(first);
    let done = 1;
    while (done < n) {
      // The top run now ends at first + (done - 1) * step, ascending: extend it as far as it may go.
      const i = this.nr_runs - 1;
      const l = this.len[i];
      if (l > 0 && l < MAX_RUN && this.first[i] + (l - 1) * this.step === first + (done - 1) * this.step) {
        const k = Math.min(n - done, MAX_RUN - l);
        this.len[i] = l + k;
        this.count += k;
        done += k;
      } else {
        this.push(first + done * this.step);
        done++;
      }
    }
  }

  /** Pop the last element pushed, or -1 when empty. */
  pop(): number {
    const i = this.nr_runs - 1;
    if (i < 0) return -1;
    const l = this.len[i];
    const f = this.first[i];
    this.count--;
    if (l > 0) {
      if (l === 1) this.nr_runs = i;
      else this.len[i] = l - 1;
      return f + (l - 1) * this.step;
    }
    if (l === -2) this.len[i] = 1;
    else this.len[i] = l + 1;
    return f + (l + 1) * this.step;
  }

  /**
   * Pop up to `max` elements at once from the top run; they are the next pops in
   * order: out[0] (the first popped) and the direction (+1: each next one is
   * step higher, -1: step lower). Returns how many (0 when empty).
   */
  pop_run(max: number, out: { pfn: number; dir: 1 | -1 }): number {
    const i = this.nr_runs - 1;
    if (i < 0 || max <= 0) return 0;
    const l = this.len[i];
    const f = this.first[i];
    const s = this.step;
    const n = Math.min(max, Math.abs(l));
    // An ascending run pops from its top downwards, a descending one upwards.
    if (l > 0) {
      out.pfn = f + (l - 1) * s;
      out.dir = this.mutant === "pop-run-order" ? 1 : -1;
      this.len[i] = l - n;
      if (l - n === 0) this.nr_runs = i;
    } else {
      out.pfn = f + (l + 1) * s;
      out.dir = this.mutant === "pop-run-order" ? -1 : 1;
      const r = l + n;
      if (r === 0) this.nr_runs = i;
      else this.len[i] = r === -1 ? 1 : r;
    }
    this.count -= n;
    return n;
  }

  private new_run(pfn: number, n: number): void {
    const i = this.nr_runs;
    if (i === this.len.length) {
      // The run table doubles (12 bytes a run; runs are few unless frees are scattered).
      const first = new Float64Array(i * 2);
      first.set(this.first);
      const len = new Int32Array(i * 2);
      len.set(this.len);
      this.first = first;
      this.len = len;
    }
    this.first[i] = pfn;
    this.len[i] = n;
    this.nr_runs = i + 1;
    this.count += n;
  }
}

/**
 * A free list of page frames kept as a LIFO stack of runs, in typed arrays (issue
 * #10 §1): no JS array of free frames (V8 aborts a JS array past ~110 M elements),
 * 16 bytes per run however many frames it holds.
 *
 * The stack hands frames out in EXACTLY the order a plain stack of PFNs would
 * (push = free, pop = alloc, last freed first reused), because PFNs show in
 * traces, digests and outputs. A run is a sequence of consecutive pushes with the
 * same difference between neighbours (any non-zero difference that fits an
 * int32: +1 or -1 for frees in address order or in the reverse order they were
 * handed out, +2 for every other frame, as when a sparse workload's data pages
 * alternate with its page tables); two pushes always start a run, a third that
 * keeps the difference extends it, in O(1); a pop takes the last element
 * pushed, in O(1). A run holds at most 2^31 - 1 elements (the next push starts a
 * new run).
 *
 * Model difference from Linux: the buddy allocator keeps per-order free areas
 * and per-CPU page lists and merges buddies; the model keeps order 0 and order 9
 * apart, never merges them, and reuses the last frame freed first (like a
 * per-CPU list's hot end). Only the order matters to the model, and it is fixed
 * by this stack.
 */

/**
 * Deliberately wrong variants, for this file's test (each must be caught):
 *   - "merge-gap": a push two differences past the top also extends its run (a
 *     frame in between handed out that was never freed);
 *   - "ascending-overrun": push_ascending() extends the top run by one element
 *     too many (a frame past the range handed out).
 */
export type FreeRunsMutant = "merge-gap" | "ascending-overrun";

const MAX_RUN = 0x7fffffff;
/** The largest difference a run keeps between neighbours (an int32). */
const MAX_DIFF = 0x7fffffff;

export class FreeRuns {
  /**
   * The top run, in fields (the hot end: every push and pop touches only these):
   * its last element pushed (the next pop), its length (0 when the stack is
   * empty), and the difference between its neighbouring elements (when length >= 2).
   */
  private top = 0;
  private top_len = 0;
  private top_diff = 0;
  /** The runs below it, the same three words each (PFNs up to 2^53: doubles). */
  private tops: Float64Array;
  private lens: Int32Array;
  private diffs: Int32Array;
  private nr_below = 0;
  /** Elements on the stack (frames, or THP heads for order 9). */
  count = 0;

  constructor(
    /** Distance between consecutive frames of a range (2^order): push_ascending()'s step. */
    readonly step: number,
    private readonly mutant: FreeRunsMutant | null = null,
  ) {
    this.tops = new Float64Array(16);
    this.lens = new Int32Array(16);
    this.diffs = new Int32Array(16);
  }

  /** Runs currently on the stack (16 bytes each). */
  get runs(): number {
    return this.top_len === 0 ? 0 : this.nr_below + 1;
  }

  /** Host bytes of the run table. */
  host_bytes(): number {
    return this.tops.byteLength + this.lens.byteLength + this.diffs.byteLength;
  }

  /** Push one element (a freed frame). */
  push(pfn: number): void {
    // The hot case, kept small enough to inline into free(): the top run grows by one.
    const l = this.top_len;
    if (l >= 2 && pfn - this.top === this.top_diff && l < MAX_RUN) {
      this.top = pfn;
      this.top_len = l + 1;
      this.count++;
      return;
    }
    this.push_slow(pfn);
  }

  /** A push that does not extend a run of two or more: the second element of a run, or a new run. */
  private push_slow(pfn: number): void {
    const l = this.top_len;
    const d = pfn - this.top;
    if (l === 1 && d !== 0 && Math.abs(d) <= MAX_DIFF) {
      this.top_diff = d;
      this.top = pfn;
      this.top_len = 2;
      this.count++;
      return;
    }
    if (this.mutant === "merge-gap" && l >= 2 && d === 2 * this.top_diff && l < MAX_RUN) {
      this.top = pfn;
      this.top_len = l + 1;
      this.count++;
      return;
    }
    if (l !== 0) this.spill();
    this.top = pfn;
    this.top_len = 1;
    this.count++;
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
      // The top run now ends at the last one pushed: extend it as far as it may go if it steps by `step`.
      const l = this.top_len;
      if ((l === 1 || this.top_diff === this.step) && l < MAX_RUN) {
        const k = Math.min(n - done + (this.mutant === "ascending-overrun" ? 1 : 0), MAX_RUN - l);
        this.top_diff = this.step;
        this.top += k * this.step;
        this.top_len = l + k;
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
    const l = this.top_len;
    const p = this.top;
    if (l > 1) {
      this.top = p - this.top_diff;
      this.top_len = l - 1;
    } else if (l === 1) this.unspill();
    else return -1;
    this.count--;
    return p;
  }

  /** The top run goes below (a new one starts on it). */
  private spill(): void {
    const i = this.nr_below;
    if (i === this.lens.length) {
      // The run table doubles (16 bytes a run; runs are few unless frees are scattered).
      const tops = new Float64Array(i * 2);
      tops.set(this.tops);
      const lens = new Int32Array(i * 2);
      lens.set(this.lens);
      const diffs = new Int32Array(i * 2);
      diffs.set(this.diffs);
      this.tops = tops;
      this.lens = lens;
      this.diffs = diffs;
    }
    this.tops[i] = this.top;
    this.lens[i] = this.top_len;
    this.diffs[i] = this.top_diff;
    this.nr_below = i + 1;
  }

  /** The top run is used up: the one below becomes the top (or the stack is empty). */
  private unspill(): void {
    const i = this.nr_below - 1;
    if (i < 0) {
      this.top = 0;
      this.top_len = 0;
      this.top_diff = 0;
      return;
    }
    this.top = this.tops[i];
    this.top_len = this.lens[i];
    this.top_diff = this.diffs[i];
    this.nr_below = i;
  }
  /* Bulk range operations (issue #10 §1, the batch paths): each equals a sequence of pop()/push() calls. */

  /** The element the next pop() returns, or -1 when empty. */
  peek(): number {
    return this.top_len === 0 ? -1 : this.top;
  }

  /**
   * Which way the pops of the top run go, in units of `step`: -1 (each pop one
   * step lower: the run was pushed ascending), +1 (one step higher); 0 when the
   * run holds one element, its difference is not one step, or the stack is empty.
   */
  run_dir(): number {
    const d = this.top_diff;
    return this.top_len > 1 && (d === this.step || d === -this.step) ? -d / this.step : 0;
  }

  /**
   * The difference between the elements successive pop()s of the top run give
   * (pop k + 1 minus pop k: minus the run's difference between neighbours), any
   * non-zero int32; 0 when the run holds one element or the stack is empty.
   */
  pop_diff(): number {
    return this.top_len > 1 ? -this.top_diff : 0;
  }

  /**
   * Pop up to `max` elements of the top run at once, as that many pop() calls
   * would (peek(), peek() + pop_diff(), peek() + 2 * pop_diff(), ...: a run of
   * any difference); returns how many (0 when empty).
   */
  pop_run(max: number): number {
    const l = this.top_len;
    if (l === 0 || max <= 0) return 0;
    const d = this.top_diff;
    if (l === 1) {
      this.pop();
      return 1;
    }
    if (max >= l) {
      // The run is used up: the one below becomes the top, as the last pop() does.
      this.unspill();
      this.count -= l;
      return l;
    }
    this.top -= max * d;
    this.top_len = l - max;
    this.count -= max;
    return max;
  }

  /**
   * Push `n` elements first, first + dir * step, ... (dir any non-zero integer whose
   * dir * step fits an int32: +1 or -1, +2 or -2 for every other frame) in that order,
   * as n push() calls would leave the stack: the top run is extended in O(1)
   * wherever it continues the sequence, the other elements go through push().
   */
  push_run(first: number, n: number, dir: number): void {
    const d = dir * this.step;
    let done = 0;
    while (done < n) {
      const l = this.top_len;
      const next = first + done * d;
      if (l >= 2 && l < MAX_RUN && this.top_diff === d && next === this.top + d) {
        const k = Math.min(n - done, MAX_RUN - l);
        this.top = first + (done + k - 1) * d;
        this.top_len = l + k;
        this.count += k;
        done += k;
      } else {
        this.push(next);
        done++;
      }
    }
  }
}

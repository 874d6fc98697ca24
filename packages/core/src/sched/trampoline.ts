/**
 * The trampoline: steps a kernel path with an explicit stack of generators, so
 * that a preemption point resumes ONE generator instead of one per caller.
 *
 * A kernel path is a chain of generators: `yield* zap_pte_range(...)` inside
 * zap_pmd_range inside ... inside madvise, ~10 deep. Stepped as written, every
 * point is yielded up through each `yield*` and every resumption goes down
 * through each again. build/desync.mjs derives for every kernel path `f` a
 * stepping variant `f$step`: the same generator, its calls of kernel paths
 * written `(yield g$step(args))` instead of `yield* g(args)`. The trampoline
 * runs the generator yielded to it on top of its stack; when that one returns,
 * the caller is resumed with the return value (`next(v)`), and when it throws,
 * the exception is thrown into the caller at its `yield` (`throw(e)`): what
 * `yield*` does, one level at a time. A Point (anything without a `next`
 * method) is a preemption point and goes to the scheduler, from the top
 * generator only. `return()` (an abandoned execution) closes the stack from the
 * top down, so every `finally` runs in the order `yield*` would run it.
 *
 * The source stays one copy: `flat_path(f(args))` is the source's spelling;
 * without the build step (or for a non-kernel-path argument) it is the nested
 * generator itself, which behaves the same. Not in Linux: a simulator device.
 */
import type { KPath, Point } from "./point.js";

type Frame = Iterator<unknown, unknown, unknown>;

/** Not an exception: the marker of "resume with a value" (an exception may be any value, `undefined` too). */
const NONE: unique symbol = Symbol("no exception");

/**
 * Deliberately broken trampolines, for the tests that must catch them
 * (trampoline.test.ts): "drop-return" resumes a caller with undefined instead
 * of its callee's return value; "swallow-throw" resumes a caller normally when
 * its callee threw; "skip-finally" abandons a path closing only the top
 * generator, not its callers.
 */
export type TrampolineMutant = "drop-return" | "swallow-throw" | "skip-finally";
export const TRAMPOLINE_MUTANTS: readonly TrampolineMutant[] = ["drop-return", "swallow-throw", "skip-finally"];

export class Trampoline<T> implements Iterator<Point, T, undefined> {
  /** The callers of `top`, outermost first. */
  private readonly stack: Frame[] = [];
  private top: Frame;

  /** `mutant`: a deliberately broken trampoline (tests only). */
  constructor(
    root: Frame,
    private readonly mutant: TrampolineMutant | null = null,
  ) {
    this.top = root;
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** Run the stack until the top generator yields a Point (returned) or the root returns (done). */
  next(): IteratorResult<Point, T> {
    let v: unknown = undefined;
    let err: unknown = NONE;
    for (;;) {
      let r: IteratorResult<unknown, unknown>;
      try {
        r = err === NONE ? this.top.next(v) : this.top.throw!(err);
      } catch (e) {
        // The top generator threw (it is finished): throw it into its caller, at its yield.
        const caller = this.stack.pop();
        if (caller === undefined) throw e;
        this.top = caller;
        err = this.mutant === "swallow-throw" ? NONE : e;
        continue;
      }
      err = NONE;
      const y = r.value;
      if (r.done) {
        const caller = this.stack.pop();
        if (caller === undefined) return r as IteratorReturnResult<T>;
        this.top = caller;
        v = this.mutant === "drop-return" ? undefined : y;
        continue;
      }
      if (typeof (y as { next?: unknown }).next === "function") {
        // A call: run the callee on top of its caller.
        this.stack.push(this.top);
        this.top = y as Frame;
        v = undefined;
        continue;
      }
      return r as IteratorYieldResult<Point>;
    }
  }

  /** Abandon the path: close every generator from the top down (their `finally` blocks run, innermost first). */
  return(value?: T): IteratorResult<Point, T> {
    let err: unknown = NONE;
    if (this.mutant === "skip-finally") this.stack.length = 0;
    for (let f: Frame | undefined = this.top; f !== undefined; f = this.stack.pop()) {
      try {
        f.return?.();
      } catch (e) {
        if (err === NONE) err = e;
      }
    }
    if (err !== NONE) throw err;
    return { done: true, value: value as T };
  }
}

/**
 * A kernel path to step: `flat_path(f(args))` in the source. The build rewrites
 * it to `flat_path(f$step(args), true)` when f is a kernel path, and the
 * stepping variant runs on a Trampoline; otherwise this is the path itself.
 */
export function flat_path<T>(path: KPath<T>, step = false): Iterator<Point, T, undefined> {
  return step ? new Trampoline<T>(path as Frame) : path;
}

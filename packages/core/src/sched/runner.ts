import type { Point } from "./point.js";

/**
 * Drive a kernel path to completion on a task that is not stepping. Such a task
 * never yields, so this is one `next()`; a yield here means a path was started on
 * a stepping task without a scheduler, which is a bug in the caller.
 */
export function run_to_completion<T>(path: Iterator<Point, T, undefined>): T {
  const r = path.next();
  if (!r.done) throw new Error(`run_to_completion: path yielded at ${r.value.what} (task is stepping; use a scheduler)`);
  return r.value;
}

/**
 * Drive a kernel path with the task stepping: it yields at every preemption point
 * and this driver resumes it at once. No other task runs, so the result must be
 * what run_to_completion() gives; the differential test relies on that. A blocked
 * lock here would spin forever, so it is reported after `limit` points.
 */
export function run_stepped<T>(t: { stepping: boolean }, path: Iterator<Point, T, undefined>, limit = 1e8): T {
  const was = t.stepping;
  t.stepping = true;
  try {
    for (let n = 0; n < limit; n++) {
      const r = path.next();
      if (r.done) return r.value;
      if (r.value.kind === 4) throw new Error(`run_stepped: blocked at ${r.value.what} with no other task to run`);
    }
    throw new Error(`run_stepped: more than ${limit} preemption points`);
  } finally {
    t.stepping = was;
  }
}

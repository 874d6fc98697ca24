import type { KPath } from "./point.js";

/**
 * Drive a kernel path to completion on a task that is not stepping. Such a task
 * never yields, so this is one `next()`; a yield here means a path was started on
 * a stepping task without a scheduler, which is a bug in the caller.
 */
export function run_to_completion<T>(path: KPath<T>): T {
  const r = path.next();
  if (!r.done) throw new Error(`run_to_completion: path yielded at ${r.value.what} (task is stepping; use a scheduler)`);
  return r.value;
}

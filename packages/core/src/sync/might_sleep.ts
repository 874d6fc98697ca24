import { PT } from "@mmsim/spec";
import type { Task } from "../types/sched.js";
import { sync_op } from "./op.js";

/**
 * A kernel path that may sleep here (might_sleep(), include/linux/kernel.h): a
 * preemption point at which the sanitizer's "sleep inside an RCU read section"
 * rule checks that `t` is in no RCU read-side section and has IRQs on
 * (CONFIG_DEBUG_ATOMIC_SLEEP's "BUG: sleeping function called from invalid
 * context"). `what` names the sleeper, e.g. mmu_notifier_invalidate_range_start().
 * Model difference: the sleep itself takes no time and blocks on nothing; what
 * matters is that other tasks may run (the point) and that RCU may not be held.
 */
function do_might_sleep(t: Task, what: string): void {
  t.k.sanitizer?.might_sleep(t, what);
}

export const might_sleep = (t: Task, what: string) => t.op.set(PT.SCHED, what, do_might_sleep, what, null);
export const might_sleep$sync = sync_op("might_sleep", do_might_sleep);

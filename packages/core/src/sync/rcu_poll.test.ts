/**
 * rcu_poll()'s early return (explore6): with no grace period pending, an empty
 * table queue and no SRCU domain it does nothing, as the full poll would; any of
 * the three makes it poll. The mutant "poll-idle-srcu" (an early return that
 * forgets the SRCU domain) must leave an SRCU callback behind.
 */
import { describe, expect, it } from "vitest";
import type { Task } from "../types/sched.js";
import { Rcu, type RcuMutant } from "./rcu.js";

const reader = () => ({ rcu_read_depth: 0, irq_disabled: 0, rcu_exits: 0 }) as unknown as Task;

/** What each poll did: [callbacks returned, SRCU polls so far, grace periods completed]. */
function polls(mutant: RcuMutant | null): number[][] {
  const rcu = new Rcu(mutant);
  const t = reader();
  rcu.tasks.add(t);
  const out: number[][] = [];
  let srcu = 0;
  const poll = () => out.push([rcu.rcu_poll(), srcu, rcu.completed]);
  poll(); // idle, no SRCU
  rcu.call_rcu(() => undefined); // no reader: done at the next poll
  poll();
  poll(); // idle again
  t.rcu_read_depth = 1;
  rcu.call_rcu_tables({ __tlb_remove_table: () => undefined }, null, [7], 1); // waits for t
  poll();
  t.rcu_read_depth = 0;
  t.rcu_exits++;
  poll(); // the batch runs, the queue empties
  poll();
  rcu.srcu = { poll: () => ++srcu }; // an SRCU domain: polled even when RCU is idle
  poll();
  poll();
  return out;
}

describe("rcu_poll", () => {
  it("returns at once when idle, polls whatever is pending (RCU, the table queue, SRCU)", () => {
    expect(polls(null)).toEqual([
      [0, 0, 0],
      [1, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [1, 0, 2],
      [0, 0, 2],
      [0, 1, 2],
      [0, 2, 2],
    ]);
  });

  it("catches the mutant poll-idle-srcu", () => {
    expect(polls("poll-idle-srcu")).not.toEqual(polls(null));
  });
});

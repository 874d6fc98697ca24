/**
 * RCU's table queue (call_rcu_tables): a batch of page-table pages freed after a
 * grace period is one callback, in its place among call_rcu() closures, its
 * pages freed in order, across the queue's 1 Ki-entry chunks, as a closure
 * over a copy of the batch would free them.
 */
import { describe, expect, it } from "vitest";
import type { Task } from "../types/sched.js";
import { Rcu, type RcuMutant } from "./rcu.js";

/** A reader task as the RCU model sees it. */
const reader = () => ({ rcu_read_depth: 0, irq_disabled: 0, rcu_exits: 0 }) as unknown as Task;

/** Batches of `sizes` PFNs (counting up from 1) queued under alternating readers, with closures between; the log of frees and callbacks. */
function run(mutant: RcuMutant | null, viaClosure: boolean): string[] {
  const rcu = new Rcu(mutant);
  const t = reader();
  rcu.tasks.add(t);
  const log: string[] = [];
  const freer = { __tlb_remove_table: (mm: string, pfn: number) => log.push(`${mm}:${pfn}`) };
  let pfn = 1;
  // Batches end inside chunks and straddle them (chunks of 1,024 entries; 16,383 = 509 + 15,874 ends one entry before a chunk's last).
  const sizes = [509, 15874, 509, 300, 20000, 509, 40000];
  sizes.forEach((n, i) => {
    const batch = Array.from({ length: n }, () => pfn++);
    if (viaClosure) rcu.call_rcu(() => batch.forEach((p) => freer.__tlb_remove_table(`mm${i % 2}`, p)));
    else rcu.call_rcu_tables(freer, `mm${i % 2}`, batch, n);
    rcu.call_rcu(() => log.push(`cb${i}`));
    // A new grace period every other batch: the reader enters a section, the next batch waits for it.
    if (i % 2 === 0) t.rcu_read_depth++;
    else {
      t.rcu_read_depth--;
      t.rcu_exits++;
    }
    // Some grace periods complete in the middle.
    if (i === 3) expect(rcu.rcu_poll()).toBeGreaterThan(0);
  });
  if (t.rcu_read_depth > 0) {
    t.rcu_read_depth--;
    t.rcu_exits++;
  }
  rcu.rcu_poll();
  log.push(`completed ${rcu.completed} invoked ${rcu.invoked} pending ${rcu.nr_pending_callbacks}`);
  return log;
}

describe("RCU table queue (call_rcu_tables)", () => {
  it("frees each batch in order, in its place among the callbacks, counted as one callback, as a closure would", () => {
    const closures = run(null, true);
    expect(closures.length).toBeGreaterThan(77000);
    expect(run(null, false)).toEqual(closures);
  });

  it("is empty again once nothing is pending (a second round reuses the queue from the start)", () => {
    const rcu = new Rcu();
    const freed: number[] = [];
    const freer = { __tlb_remove_table: (_mm: unknown, pfn: number) => freed.push(pfn) };
    for (let round = 0; round < 3; round++) {
      rcu.call_rcu_tables(freer, null, [round * 10 + 1, round * 10 + 2], 2);
      expect(rcu.nr_pending_callbacks).toBe(1);
      expect(rcu.rcu_poll()).toBe(1);
    }
    expect(freed).toEqual([1, 2, 11, 12, 21, 22]);
  });

  it("a grace period and a table batch reused after their callbacks ran are as new ones (mutants reuse-gp-readers, reuse-batch-range caught)", () => {
    /** One batch with no reader (its objects then spare), one while a reader is in a section: polls before and after it leaves. */
    const reuse = (mutant: RcuMutant | null) => {
      const rcu = new Rcu(mutant);
      const t = reader();
      rcu.tasks.add(t);
      const freed: number[] = [];
      const freer = { __tlb_remove_table: (_mm: unknown, pfn: number) => freed.push(pfn) };
      rcu.call_rcu_tables(freer, null, [1], 1);
      const first = rcu.rcu_poll();
      t.rcu_read_depth++;
      rcu.call_rcu_tables(freer, null, [2, 3], 2);
      const early = rcu.rcu_poll();
      t.rcu_read_depth--;
      t.rcu_exits++;
      const late = rcu.rcu_poll();
      return { polls: [first, early, late], freed, pending: rcu.nr_pending_callbacks };
    };
    expect(reuse(null)).toEqual({ polls: [1, 0, 1], freed: [1, 2, 3], pending: 0 });
    expect(reuse("reuse-gp-readers")).not.toEqual(reuse(null));
    expect(reuse("reuse-batch-range")).not.toEqual(reuse(null));
    // The long run above, on spare objects from the start.
    expect(run(null, false)).toEqual(run(null, true));
  });

  it("mutant drop-chunk-early (a queue chunk dropped before its last entry ran) is caught", () => {
    let out: string[] | Error;
    try {
      out = run("drop-chunk-early", false);
    } catch (e) {
      out = e as Error;
    }
    expect(out).not.toEqual(run(null, true));
  });
});

/**
 * The scenario actors under contention behave as the kernel does: a user access
 * whose fault lost a race faults again, as often as it takes; only a real lack of
 * progress (the fault handler returns without changing the translation while no
 * other task runs) is a BUG. The mutant below is such a livelock.
 */
import { describe, expect, it } from "vitest";
import { arch } from "../test/arch.js";
import { trygetPlugin } from "../test/tryget_plugin.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import type { Strategy } from "../sched/strategy.js";
import type { Kernel } from "../types/kernel.js";
import { walk_pte } from "../pgtable/walk.js";
import { FAULT_RETRY_WAIT, MAX_FAULTS_WITHOUT_PROGRESS } from "./actors.js";
import { execute } from "./execution.js";
import { explore } from "./explore.js";
import { SCENARIO_BASE, type Scenario } from "./scenario.js";

/**
 * Mutant "dying-table-never-freed": a pte_tryget_map()-style plugin (the 2021/2022
 * designs) whose tryget fails on the table of the first 2 MiB slice, as if its
 * refcount had dropped to zero, but which nobody ever frees. A fault into that
 * slice sees "table going away", returns for a retry, and retries forever.
 */

const dyingTableNeverFreed = trygetPlugin(
  "dying-table-never-freed",
  "test mutant: a failed pte_tryget_map() whose table is never freed (fault livelock)",
  (_t, _pmdp, addr) => addr >= SCENARIO_BASE && addr < SCENARIO_BASE + arch.PMD_SIZE,
);

/** A discard of the first 1 MiB of a written slice, and a writer into the second 1 MiB of it. */
const discardAndWriter = (name: string): Scenario => ({
  name,
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "2M" },
    { op: "touch", at: 0, len: "1M", write: true },
  ],
  actors: [
    { name: "discard", cpu: 0, ops: [{ op: "madvise", at: 0, len: "1M", advice: "dontneed" }] },
    { name: "writer", cpu: 1, ops: [{ op: "touch", at: "1M", len: "4K", write: true }] },
  ],
});

const setup: Scenario["setup"] = [
  { op: "mmap", at: 0, len: "4M" },
  { op: "touch", at: 0, len: "4M", write: true, stride: "2M" },
];

describe("user accesses under contention", () => {
  it("a fault that loses a race to every discard retries until it succeeds (no BUG), as on Linux", () => {
    // An adversarial scheduler: whenever the faulting thread has installed its PTE and is
    // about to retry the access, a discarding thread runs until the PTE is gone. Six
    // threads discard twice each: the access loses twelve races in a row, each to another
    // thread's progress, and must then succeed.
    const discarders = [1, 2, 3, 4, 5, 6];
    const s: Scenario = {
      name: "many-discards-vs-fault",
      description: "t",
      setup,
      actors: [
        { name: "fault", cpu: 0, ops: [{ op: "touch", at: "8K", len: "4K", write: true }] },
        ...discarders.map((cpu) => ({
          name: `d${cpu}`,
          cpu,
          ops: [
            { op: "madvise" as const, at: "8K", len: "4K", advice: "dontneed" as const },
            { op: "madvise" as const, at: "8K", len: "4K", advice: "dontneed" as const },
          ],
        })),
      ],
    };
    let k: Kernel | null = null;
    const spy = { specificationVersion: "v1", name: "spy", version: "0", models: "test: no reclaim, keeps the kernel", supports: {}, attach: (kk: unknown) => void (k = kk as Kernel) } as ReclaimPlugin;
    let started = false;
    const adversary: Strategy = {
      new_execution: () => !started && (started = true),
      choose(runnable, _step, current) {
        const fault = k!.tasks.find((t) => t.comm === "fault")!;
        const ptep = walk_pte(k!, fault.mm!, SCENARIO_BASE + 8192);
        const installed = ptep >= 0 && arch.pte_present(k!.pt.get(ptep));
        if (installed && fault.op.point.what === "user access") {
          if (current > 0 && runnable.includes(current)) return current;
          const d = runnable.find((i) => i > 0);
          if (d !== undefined) return d;
        }
        if (runnable.includes(0)) return 0;
        return runnable.includes(current) ? current : runnable[0];
      },
    };
    const r = execute(s, adversary, { plugin: spy, arch });
    expect(r.violation).toBeNull();
    const accesses = r.steps.filter((x) => x.actor === 0 && x.what === "user access").length;
    expect(accesses).toBe(2 * discarders.length + 2);
    expect(r.results[0][0].result).not.toMatch(/SIG/);
  });

  it("a fault handler that returns without progress is a kernel BUG after MAX_FAULTS_WITHOUT_PROGRESS faults", () => {
    const s: Scenario = { name: "livelock", description: "t", setup, actors: [{ name: "fault", cpu: 0, ops: [{ op: "touch", at: "8K", len: "4K", write: true }] }] };
    const r = explore(s, { plugin: dyingTableNeverFreed, arch, strategy: "random", budget: 1, seed: 1 });
    expect(r.failure?.rule).toBe("kernel BUG");
    expect(r.failure?.detail).toContain(`no progress after ${MAX_FAULTS_WITHOUT_PROGRESS} faults`);
    // Linux without reclaim: the same access succeeds at once.
    expect(explore(s, { plugin: null, arch, strategy: "random", budget: 1, seed: 1 }).failure).toBeNull();
  });

  it("the livelock is caught even while other threads keep running (once they stop changing anything)", () => {
    const s: Scenario = {
      name: "livelock-busy",
      description: "t",
      setup,
      actors: [
        { name: "fault", cpu: 0, ops: [{ op: "touch", at: "8K", len: "4K", write: true }] },
        { name: "busy", cpu: 1, ops: [{ op: "touch", at: "2M", len: "256K", write: true }, { op: "madvise", at: "2M", len: "256K", advice: "dontneed" }] },
      ],
    };
    const r = explore(s, { plugin: dyingTableNeverFreed, arch, strategy: "random", budget: 3, seed: 2 });
    expect(r.failure?.rule).toBe("kernel BUG");
    expect(r.failure?.detail).toContain("no progress");
  });

  it("a fault that cannot progress while another CPU holds a spinlock waits for it instead of reporting a BUG", () => {
    // A tryget that fails while another task holds the table's PTE lock (a trylock-style
    // pte_tryget_map): the writer's fault retries for as long as the discard holds the lock.
    // The scheduler below always runs the writer when it can, so without the wait the discard
    // would never run and the writer would look stuck.
    const trylockTryget = trygetPlugin("trylock-tryget", "test: a trylock-style pte_tryget_map", (t, pmdp) => {
      const a = t.k.arch;
      const pmd = t.k.pt.get(pmdp);
      if (a.pxd_none(pmd) || a.pmd_trans_huge(pmd)) return false;
      const owner = t.k.pt.ptl_of(a.pxd_table_pfn(pmd)).owner;
      return owner !== null && owner !== t;
    });
    const s = discardAndWriter("writer-vs-lock-holder");
    let started = false;
    let discardHoldsLock = false;
    const writerFirst: Strategy = {
      new_execution: () => !started && (started = true),
      // The discard runs until it holds the PTE lock, then the writer whenever it can.
      choose: (runnable) => {
        if (!discardHoldsLock && runnable.includes(0)) return 0;
        return runnable.includes(1) ? 1 : runnable[0];
      },
    };
    const spy = { ...trylockTryget, attach: (kk: unknown) => void (k = kk as Kernel) } as ReclaimPlugin;
    let k: Kernel | null = null;
    const held = (): boolean => k!.tasks.some((t) => t.comm === "discard" && t.held.some((l) => "owner" in (l as object)));
    const watching: Strategy = {
      new_execution: () => writerFirst.new_execution(),
      choose: (runnable, step, current) => {
        if (k && held()) discardHoldsLock = true;
        return writerFirst.choose(runnable, step, current);
      },
    };
    const r = execute(s, watching, { plugin: spy, arch });
    expect(discardHoldsLock).toBe(true);
    expect(r.violation).toBeNull();
    expect(r.steps.some((x) => x.actor === 1 && x.what === "cpu_relax (fault retry)")).toBe(true);
  });
  it("a fault that cannot progress while another task is mid-operation, holding no spinlock, waits for that CPU instead of reporting a BUG", () => {
    // A tryget that fails while another task is inside an mm operation (holds a lock: the
    // mmap or VMA lock for read, no spinlock at that moment), as refcount v1's fails between the last pte_put() and the
    // pmd_clear() of the CPU freeing the table. With a scheduler that always runs the writer,
    // the discard moves only while the writer waits for another CPU (FAULT_RETRY_WAIT); the
    // mutant of this rule (count the retry as stuck at once, the rule before it) reported
    // "no progress after 4 faults" here.
    const busyTryget = trygetPlugin("busy-tryget", "test: a tryget failing while another task holds a lock", (t) =>
      t.k.tasks.some((o) => o !== t && o.held.length > 0),
    );
    const s = discardAndWriter("writer-vs-busy-cpu");
    let k: Kernel | null = null;
    let discardInside = false;
    const spy = { ...busyTryget, attach: (kk: unknown) => void (k = kk as Kernel) } as ReclaimPlugin;
    let started = false;
    // The discard runs until it holds the mmap lock, then the writer whenever it can.
    const writerFirst: Strategy = {
      new_execution: () => !started && (started = true),
      choose: (runnable) => {
        if (k && k.tasks.some((t) => t.comm === "discard" && t.held.length > 0)) discardInside = true;
        if (!discardInside && runnable.includes(0)) return 0;
        return runnable.includes(1) ? 1 : runnable[0];
      },
    };
    const r = execute(s, writerFirst, { plugin: spy, arch });
    expect(discardInside).toBe(true);
    expect(r.violation).toBeNull();
    expect(r.steps.some((x) => x.actor === 1 && x.what === FAULT_RETRY_WAIT)).toBe(true);
    expect(r.results[1][0].result).not.toMatch(/SIG/);
  });
});


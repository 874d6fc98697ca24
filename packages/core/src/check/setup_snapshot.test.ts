/**
 * The explorer's post-setup snapshot (setup_snapshot.ts): executions that start
 * from a copy of the post-setup state give exactly the results of executions that
 * run the setup; a restored machine equals the snapshot, field for field and
 * side table for side table; a plugin whose hooks ran during the setup gets no
 * snapshot; core keeps no per-kernel side table the snapshot does not know. Each
 * SETUP_SNAPSHOT_MUTANTS entry must fail one of these checks.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { arch } from "../test/arch.js";
import { naivePlugin } from "../test/naive_plugin.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { RandomStrategy } from "../sched/strategy.js";
import { execute, type ExecutionResult } from "./execution.js";
import type { Scenario } from "./scenario.js";
import { SETUP_SNAPSHOT_MUTANTS, SIDE_TABLES, SetupCache, type PostSetup, type SetupSnapshotMutant } from "./setup_snapshot.js";
import { faultVsDontneed } from "../test/fault_vs_dontneed.js";

/** MADV_FREE in the setup puts the folios on the LRU (a side table keyed by the kernel); reclaim then finds them. */
const freeVsReclaim: Scenario = {
  name: "free-vs-reclaim",
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "64K" },
    { op: "touch", at: 0, len: "64K", write: true },
    { op: "madvise", at: 0, len: "64K", advice: "free" },
  ],
  actors: [
    { name: "reclaim", cpu: 0, ops: [{ op: "reclaim", len: "64K", direct: true }] },
    { name: "fault", cpu: 1, ops: [{ op: "touch", at: 0, len: "8K" }] },
  ],
};

/** A plugin with state of its own that the setup changes: live PTEs per table, counted by its hooks; the zap checks the count. */
function countingPlugin(): ReclaimPlugin {
  const live = new Map<number, number>();
  const table = (p: number) => Math.floor(p / 512);
  return {
    specificationVersion: "v1",
    name: "counting",
    version: "0",
    models: "test: a plugin keeping per-table counts outside the kernel",
    supports: { madv_dontneed: true },
    track_pte_set(_k, p, old, pte) {
      if (old === 0 && pte !== 0) live.set(table(p), (live.get(table(p)) ?? 0) + 1);
    },
    track_pte_clear(_k, p, old) {
      if (old === 0) return;
      const n = (live.get(table(p)) ?? 0) - 1;
      if (n < 0) throw new Error(`counting plugin: table ${table(p)} count below zero`);
      live.set(table(p), n);
    },
  };
}

function executions(s: Scenario, plugin: ReclaimPlugin | null, n: number, cache?: SetupCache): ExecutionResult[] {
  const st = new RandomStrategy(7919);
  const out: ExecutionResult[] = [];
  for (let i = 0; i < n && st.new_execution(); i++) out.push(execute(s, st, { plugin, arch, setup_cache: cache }));
  return out;
}

/** A canonical text of an object graph: objects numbered in visit order, typed arrays by content, side-table entries included. */
function serialize(root: unknown, shared: ReadonlySet<unknown>): string {
  const ids = new Map<unknown, number>();
  const out: string[] = [];
  const hash = (a: ArrayBufferView) => createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex").slice(0, 16);
  const visit = (v: unknown): string => {
    if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
    if (v === null || typeof v !== "object") {
      if (typeof v === "function") return shared.has(v) ? `shared-fn:${v.name}` : `fn:${v.name}`;
      return `${typeof v}:${String(v)}`;
    }
    if (shared.has(v)) return "shared";
    const seen = ids.get(v);
    if (seen !== undefined) return `#${seen}`;
    const id = ids.size;
    ids.set(v, id);
    let body: string;
    if (ArrayBuffer.isView(v)) body = `${v.constructor.name}(${visit(v.buffer)},${v.byteOffset},${v.byteLength},${hash(v)})`;
    else if (v instanceof ArrayBuffer) body = `buffer(${v.byteLength})`;
    else if (v instanceof Map) body = `Map{${[...v].map(([k, x]) => `${visit(k)}=>${visit(x)}`).join(",")}}`;
    else if (v instanceof Set) body = `Set{${[...v].map(visit).join(",")}}`;
    else {
      const o = v as Record<string, unknown>;
      body = `${Object.getPrototypeOf(v)?.constructor?.name}{${Object.keys(o)
        .map((key) => `${key}:${visit(o[key])}`)
        .join(",")}}`;
      SIDE_TABLES.forEach((t, i) => {
        if (t.has(v)) body += ` side${i}:${t instanceof WeakMap ? visit(t.get(v)) : "in"}`;
      });
    }
    out.push(`${id}=${body}`);
    return `#${id}`;
  };
  visit(root);
  return out.join("\n");
}

/** The cache's snapshot of `s` and a fresh restore of it (after executions ran on earlier ones), serialized. */
function snapshotAndRestore(s: Scenario, plugin: ReclaimPlugin | null, mutant: SetupSnapshotMutant | null): [string, string] {
  const cache = new SetupCache(mutant);
  // Three executions: the restore below reuses the buffers of a copy an execution ran on.
  executions(s, plugin, 3, cache);
  const e = (cache as unknown as { entries: Map<Scenario, { snap: PostSetup; shared: Set<unknown> }> }).entries.get(s)!;
  expect(e.snap).not.toBeNull();
  const shared = new Set(e.shared);
  const restored = cache.restore(s, plugin, arch)!;
  // Each has its own sanitizer hook (a closure over its own sanitizer): compare the rest.
  const strip = (st: PostSetup) => ({ ...st, dtor: st.k.hooks.pte_table_dtor });
  shared.add(e.snap.k.hooks.pte_table_dtor);
  shared.add(restored.k.hooks.pte_table_dtor);
  return [serialize(strip(e.snap), shared), serialize(strip(restored), shared)];
}

/** The checks a snapshot must pass; the names of those it fails. */
function failedChecks(mutant: SetupSnapshotMutant | null): string[] {
  const failed: string[] = [];
  for (const [s, plugin] of [
    [faultVsDontneed, null],
    [faultVsDontneed, naivePlugin()],
    [freeVsReclaim, null],
  ] as const) {
    const cache = new SetupCache(mutant);
    const a = executions(s, plugin, 12, cache);
    if (JSON.stringify(a) !== JSON.stringify(executions(s, plugin, 12))) failed.push(`results ${s.name}`);
    if (cache.restored !== 11) failed.push(`restored ${s.name}`);
    const [snap, restored] = snapshotAndRestore(s, plugin, mutant);
    if (snap !== restored) failed.push(`state ${s.name}`);
  }
  const counting = countingPlugin();
  const cache = new SetupCache(mutant);
  if (JSON.stringify(executions(faultVsDontneed, counting, 4, cache)) !== JSON.stringify(executions(faultVsDontneed, countingPlugin(), 4))) failed.push("plugin state");
  return failed;
}

describe("the post-setup snapshot", () => {
  it("gives the results, and the state, of running the setup", () => {
    expect(failedChecks(null)).toEqual([]);
  });

  it("is not taken when the plugin's hooks ran during the setup", () => {
    const cache = new SetupCache();
    executions(faultVsDontneed, countingPlugin(), 3, cache);
    expect(cache.restored).toBe(0);
    expect(cache.refusal(faultVsDontneed)).toMatch(/hooks ran \d+ time/);
  });

  it("copies the side tables (the LRU the setup's MADV_FREE filled)", () => {
    const [snap] = snapshotAndRestore(freeVsReclaim, null, null);
    expect(snap).toMatch(/ side0:/); // the lruvec of the kernel is in the snapshot
  });

  it.each(SETUP_SNAPSHOT_MUTANTS)("catches the mutant %s", (m) => {
    expect(failedChecks(m)).not.toEqual([]);
  });

  it("knows every module-level WeakMap/WeakSet in core (a new one must be added to SIDE_TABLES)", () => {
    const root = join(__dirname, "..");
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (f.name.endsWith(".ts") && !f.name.endsWith(".test.ts"))
          for (const m of readFileSync(p, "utf8").matchAll(/^const (\w+) = new Weak(?:Map|Set)\b/gm)) found.push(`${p.slice(root.length + 1)}:${m[1]}`);
      }
    };
    walk(root);
    // Host caches that hold no simulated state: a restored kernel starts without an entry and builds its own.
    //   tlb/mmu_gather.ts:spare_batches — emptied gather batches kept for reuse (host arrays, not simulated memory).
    //   tlb/mmu_gather.ts:spare_gathers — finished gathers kept for reuse (on the caller's stack in Linux; not simulated memory).
    //   check/graph_clone.ts:SHAPES, shapes, MUTANT_SHAPES — how copies of each kind of object are made (generated constructors), by prototype and by copy.
    const host_caches = ["tlb/mmu_gather.ts:spare_batches", "tlb/mmu_gather.ts:spare_gathers", "check/graph_clone.ts:SHAPES", "check/graph_clone.ts:shapes", "check/graph_clone.ts:MUTANT_SHAPES"];
    const state = found.filter((f) => !host_caches.includes(f));
    expect(found.length - state.length).toBe(host_caches.length);
    expect(state.sort()).toEqual(["mm/collapse_mutant.ts:mutants", "mm/deferred_split.ts:queues", "mm/kswapd.ts:kswapds", "mm/lru.ts:lruvecs", "mm/range_batch.ts:disabled", "mm/range_batch.ts:mutants", "sync/percpu_ref.ts:libs", "tlb/put_gather.ts:gathers"]);
    expect(SIDE_TABLES).toHaveLength(state.length);
  });
});

/**
 * The explorer's post-setup snapshot: every execution of a scenario runs the same
 * single-threaded setup (an mmap and hundreds of sanitized faults) before its
 * actors start, and nothing in it depends on the schedule. The first execution
 * runs it and copies the whole machine as the setup left it (the kernel, the
 * setup task, its mm, the sanitizer, the user-data oracle); each later
 * execution starts from a fresh copy of that copy instead of running the setup.
 * Linux has nothing like it: this is the model's, not the kernel's.
 *
 * Taken only when the copy is exact (check/graph_clone.ts refuses what it cannot
 * copy: closures, generators, weak tables) and when the plugin's own state
 * cannot depend on the setup: the plugin has no `attach` and none of its hooks
 * ran during the setup. A plugin keeps state outside the kernel (percpu's and
 * refcount's per-table counts, rcu-freept's per-mm scan state), which a copy
 * of the kernel would not carry; as before, one plugin instance serves every
 * execution of an exploration. Otherwise every execution runs the setup as
 * before.
 */
import { Process, type Engine } from "../engine.js";
import type { Kernel } from "../kernel.js";
import type { MmStruct } from "../mm/mm_struct.js";
import { COLLAPSE_MUTANTS_SIDE_TABLE } from "../mm/collapse_mutant.js";
import { KSWAPDS_SIDE_TABLE } from "../mm/kswapd.js";
import { LRUVECS_SIDE_TABLE } from "../mm/lru.js";
import { DEFERRED_SPLIT_SIDE_TABLE } from "../mm/deferred_split.js";
import { RANGE_BATCH_SIDE_TABLES } from "../mm/range_batch.js";
import { Op } from "../sync/op.js";
import { PERCPU_REF_LIBS_SIDE_TABLE } from "../sync/percpu_ref.js";
import { PUT_GATHERS_SIDE_TABLE } from "../tlb/put_gather.js";
import { TlbEntries } from "../tlb/entries.js";
import type { Hooks } from "../types/kernel.js";
import { CopyPlan, type Roots } from "./copy_plan.js";
import { GraphCloneError, GraphCloner, type SideTable, type Trusted } from "./graph_clone.js";
import { Oracle } from "./oracle.js";
import type { Sanitizer } from "./sanitizer.js";
import type { Scenario } from "./scenario.js";
import type { Arch } from "../pgtable/arch.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";

/** What an execution needs once the setup has run. */
export interface PostSetup {
  k: Kernel;
  proc: Process;
  mm: MmStruct;
  sanitizer: Sanitizer;
  oracle: Oracle | null;
}

/** Every module-level table keyed by kernel objects (a test checks that core has no other). */
export const SIDE_TABLES: readonly SideTable[] = [LRUVECS_SIDE_TABLE, KSWAPDS_SIDE_TABLE, PUT_GATHERS_SIDE_TABLE, ...RANGE_BATCH_SIDE_TABLES, PERCPU_REF_LIBS_SIDE_TABLE, COLLAPSE_MUTANTS_SIDE_TABLE, DEFERRED_SPLIT_SIDE_TABLE];

/** Counts the plugin's hook calls during a setup (wrappers around the bound hooks). */
export class HookCounter {
  calls = 0;
  /** Wrapper → the plugin's bound hook it wraps. */
  readonly originals = new Map<unknown, unknown>();

  /** Wrap every non-null hook of `k` (before the sanitizer wraps pte_table_dtor). */
  constructor(k: Kernel) {
    const h = k.hooks as unknown as Record<string, ((...a: unknown[]) => unknown) | null>;
    for (const key of Object.keys(h)) {
      const f = h[key];
      if (f === null) continue;
      const w = (...a: unknown[]) => {
        this.calls++;
        return f(...a);
      };
      this.originals.set(w, f);
      h[key] = w;
    }
  }
}

/**
 * Deliberately broken snapshots, for the tests that must catch them
 * (setup_snapshot.test.ts): "forget-field" restores a kernel without its clock
 * (now_ns); "forget-side-tables" drops the per-kernel state kept outside the
 * Kernel object (the LRU, ...); "share-buffers" gives every copy the snapshot's
 * typed arrays (page tables, frames) instead of copies; "ignore-hooks" takes a
 * snapshot even when the plugin's hooks ran during the setup; "recycle-unzeroed"
 * reuses the previous copy's buffers without clearing what that execution wrote.
 */
export type SetupSnapshotMutant = "forget-field" | "forget-side-tables" | "share-buffers" | "ignore-hooks" | "recycle-unzeroed";
export const SETUP_SNAPSHOT_MUTANTS: readonly SetupSnapshotMutant[] = ["forget-field", "forget-side-tables", "share-buffers", "ignore-hooks", "recycle-unzeroed"];

/** The mutant "share-buffers": `shared` plus the typed arrays of the table store and the frames. */
function sharing_buffers(st: PostSetup, shared: ReadonlySet<unknown>): Set<unknown> {
  const s2 = new Set(shared);
  const share = (o: object) => {
    for (const v of Object.values(o)) for (const x of Array.isArray(v) ? v : [v]) if (ArrayBuffer.isView(x)) s2.add(x);
  };
  share(st.k.pt);
  share(st.k.frames);
  return s2;
}

/** A copy of `st`: the kernel, its tasks, mms, locks, TLBs, sanitizer and oracle, and its side-table entries (GraphCloner; exported for copy_plan.test.ts). */
export function copy_post_setup(
  st: PostSetup,
  shared: ReadonlySet<unknown>,
  placeholders: ReadonlyMap<unknown, unknown>,
  trusted?: Trusted,
  mutant: SetupSnapshotMutant | null = null,
): PostSetup {
  const rebuild = new Map<object, (o: object, c: GraphCloner) => object>([
    [
      Process.prototype,
      (o, c) => {
        const p = o as Process;
        const q = c.remember(o, new Process(c.clone(p.k), c.clone(p.mm), c.clone(p.task), p.stepped));
        (q as unknown as { seq: number }).seq = (p as unknown as { seq: number }).seq;
        return q;
      },
    ],
    [Oracle.prototype, (o, c) => c.remember(o, (o as Oracle).copy())],
    // A CPU's cached translations: shared with the copy until either writes (tlb/entries.ts).
    [TlbEntries.prototype, (o, c) => c.remember(o, (o as TlbEntries).share())],
    [
      Op.prototype,
      (o, c) => {
        // The reusable primitive (sync/op.ts): between two operations only its point matters.
        const op = o as unknown as { t: unknown; pending: boolean; point: { kind: number; what: string; obj: unknown } };
        if (op.pending) throw new GraphCloneError("cannot copy a primitive operation in progress");
        const q = c.remember(o, new Op(c.clone(op.t) as never)) as unknown as typeof op;
        q.point.kind = op.point.kind;
        q.point.what = op.point.what;
        q.point.obj = c.clone(op.point.obj);
        return q as unknown as object;
      },
    ],
  ]);
  if (mutant === "share-buffers" && trusted) shared = sharing_buffers(st, shared);
  if (mutant === "recycle-unzeroed" && trusted) trusted = { ...trusted, unzeroed: true };
  const c = new GraphCloner({ shared, placeholders, rebuild, side_tables: mutant === "forget-side-tables" ? [] : SIDE_TABLES, trusted });
  const out: PostSetup = { k: c.clone(st.k), proc: c.clone(st.proc), mm: c.clone(st.mm), sanitizer: c.clone(st.sanitizer), oracle: c.clone(st.oracle) };
  c.finish();
  if (mutant === "forget-field" && trusted) out.k.now_ns = 0;
  out.sanitizer.attach_dtor();
  return out;
}

interface Entry {
  plugin: ReclaimPlugin | null;
  arch: Arch;
  /** The copy taken after the setup (never run), or why there is none. */
  snap: PostSetup | null;
  refused: string | null;
  shared: Set<unknown>;
  placeholders: Map<unknown, unknown>;
  /** What the copies learn about the snapshot (GraphCloner's `trusted`), and the buffers of the last copy, reused by the next. */
  trusted: Trusted;
  /** The snapshot's copy plan (check/copy_plan.ts), made at the first restore; null when it could not be made (then GraphCloner copies). */
  plan?: CopyPlan<PostSetup & Roots> | null;
}

/**
 * The post-setup snapshots of one exploration, per scenario. Pass the same cache
 * to every execution of that exploration (ExecOptions.setup_cache).
 */
export class SetupCache {
  private readonly entries = new Map<Scenario, Entry>();
  /** Executions that started from a snapshot (for tests and the bench). */
  restored = 0;

  /** `mutant`: a deliberately broken snapshot (tests only). */
  constructor(private readonly mutant: SetupSnapshotMutant | null = null) {}

  private entry(s: Scenario, plugin: ReclaimPlugin | null, arch: Arch): Entry | undefined {
    const e = this.entries.get(s);
    return e && e.plugin === plugin && e.arch === arch ? e : undefined;
  }

  /**
   * A fresh copy of the state after `s`'s setup, or null when there is no
   * snapshot (yet, or ever). The previous copy of `s` must no longer be in use:
   * its typed arrays' buffers (page tables, frames) become this copy's.
   */
  restore(s: Scenario, plugin: ReclaimPlugin | null, arch: Arch): PostSetup | null {
    const e = this.entry(s, plugin, arch);
    if (!e?.snap) return null;
    this.restored++;
    const ph = new Map<unknown, unknown>([[e.snap.k.hooks.pte_table_dtor, null]]);
    if (e.plan === undefined) {
      const m = this.mutant;
      try {
        const shared = m === "share-buffers" ? sharing_buffers(e.snap, e.shared) : e.shared;
        e.plan = new CopyPlan({ ...e.snap }, shared, ph, m === "forget-side-tables" ? [] : SIDE_TABLES, m === "recycle-unzeroed");
      } catch (err) {
        if (!(err instanceof GraphCloneError)) throw err;
        e.plan = null;
      }
    }
    if (e.plan === null) return copy_post_setup(e.snap, e.shared, ph, e.trusted, this.mutant);
    const out = e.plan.copy();
    if (this.mutant === "forget-field") out.k.now_ns = 0;
    out.sanitizer.attach_dtor();
    return out;
  }

  /** Whether the next setup of `s` should be counted and offered to take() (no snapshot yet, none refused). */
  wants(s: Scenario, plugin: ReclaimPlugin | null, arch: Arch): boolean {
    return this.entry(s, plugin, arch) === undefined && (plugin === null || plugin.attach === undefined);
  }

  /** Why `s` has no snapshot, or null. */
  refusal(s: Scenario): string | null {
    return this.entries.get(s)?.refused ?? null;
  }

  /**
   * After a successful setup of `s` counted by `hc`, with `hooks` the kernel's
   * hooks before they were wrapped: copy the state (the live one goes on running
   * its execution).
   */
  take(s: Scenario, plugin: ReclaimPlugin | null, arch: Arch, engine: Engine, st: PostSetup, hc: HookCounter, hooks: Hooks): void {
    const e: Entry = { plugin, arch, snap: null, refused: null, shared: new Set<unknown>([arch, plugin, st.k.arch, st.k.plugin, ...Object.values(hooks)]), placeholders: new Map(hc.originals), trusted: { used_bytes: new WeakMap(), flat: new WeakMap(), object_slots: new WeakMap(), recycle: new Map() } };
    e.shared.delete(null);
    this.entries.set(s, e);
    if (hc.calls > 0 && this.mutant !== "ignore-hooks") {
      e.refused = `the plugin's hooks ran ${hc.calls} time(s) during the setup`;
      return;
    }
    if (!engine.processes.includes(st.proc)) throw new Error("setup_snapshot: the process is not the engine's");
    try {
      e.placeholders.set(st.k.hooks.pte_table_dtor, null); // the sanitizer's hook: attach_dtor() installs the copy's own
      e.snap = copy_post_setup(st, e.shared, e.placeholders);
    } catch (err) {
      if (!(err instanceof GraphCloneError)) throw err;
      e.refused = err.message;
    }
  }
}

/**
 * The copy plan (copy_plan.ts) makes the copy GraphCloner makes of the same
 * never-changing snapshot: the two graphs are compared object by object (same
 * prototypes, keys in order, values, typed-array bytes, Map and Set order, the
 * same sharing and cycles, side-table entries), on a toy graph with every kind
 * of node and on a real post-setup snapshot, copied twice (the second copy
 * reuses the first's buffers after the first was scribbled on). Each
 * COPY_PLAN_MUTANTS entry must fail that comparison.
 */
import { describe, expect, it } from "vitest";
import { arch } from "../test/arch.js";
import { faultVsDontneed } from "../test/fault_vs_dontneed.js";
import { RandomStrategy } from "../sched/strategy.js";
import { execute } from "./execution.js";
import { COPY_PLAN_MUTANTS, CopyPlan, type CopyPlanMutant } from "./copy_plan.js";
import { GraphCloner, type SideTable } from "./graph_clone.js";
import { copy_post_setup, SIDE_TABLES, SetupCache, type PostSetup } from "./setup_snapshot.js";

/** Where graphs `a` and `b` differ (null: none), `a`'s objects mapped one to one onto `b`'s, `shared` ones onto themselves. */
function differ(a: unknown, b: unknown, shared: ReadonlySet<unknown>, tables: readonly SideTable[]): string | null {
  const map = new Map<unknown, unknown>();
  const back = new Map<unknown, unknown>();
  const stack: [unknown, unknown, string][] = [[a, b, "root"]];
  while (stack.length) {
    const [x, y, path] = stack.pop()!;
    if (x === null || (typeof x !== "object" && typeof x !== "function")) {
      if (!Object.is(x, y)) return `${path}: ${String(x)} vs ${String(y)}`;
      continue;
    }
    if (shared.has(x)) {
      if (x !== y) return `${path}: shared object not shared`;
      continue;
    }
    if (typeof x === "function") {
      // The same function, or each copy's own of the same code (an Op's idle `action`, made by its constructor).
      if (x !== y && (typeof y !== "function" || String(x) !== String(y))) return `${path}: function`;
      continue;
    }
    if (x === y) continue; // both share it (the oracle's copy-on-write lists: Oracle.copy())
    if (map.has(x)) {
      if (map.get(x) !== y) return `${path}: sharing differs`;
      continue;
    }
    if (typeof y !== "object" || y === null || back.has(y)) return `${path}: not a fresh copy`;
    map.set(x, y);
    back.set(y, x);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: prototype`;
    for (const t of tables) {
      if (t.has(x as object) !== t.has(y as object)) return `${path}: side table entry`;
      if (t instanceof WeakMap && t.has(x as object)) stack.push([t.get(x as object), t.get(y as object), `${path}<side>`]);
    }
    if (x instanceof ArrayBuffer) {
      const u = new Uint8Array(x);
      const v = new Uint8Array(y as ArrayBuffer);
      if (u.length !== v.length || u.some((e, i) => e !== v[i])) return `${path}: buffer bytes`;
      continue;
    }
    if (ArrayBuffer.isView(x)) {
      const yv = y as unknown as ArrayBufferView;
      if (x.byteOffset !== yv.byteOffset || x.byteLength !== yv.byteLength) return `${path}: view`;
      stack.push([x.buffer, yv.buffer, `${path}.buffer`]);
      continue;
    }
    if (x instanceof Map) {
      const ex = [...x];
      const ey = [...(y as Map<unknown, unknown>)];
      if (ex.length !== ey.length) return `${path}: Map size`;
      ex.forEach(([k, v], i) => stack.push([k, ey[i][0], `${path}.key${i}`], [v, ey[i][1], `${path}.get(${String(k)})`]));
      continue;
    }
    if (x instanceof Set) {
      const ex = [...x];
      const ey = [...(y as Set<unknown>)];
      if (ex.length !== ey.length) return `${path}: Set size`;
      ex.forEach((k, i) => stack.push([k, ey[i], `${path}.has${i}`]));
      continue;
    }
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.join() !== ky.join()) return `${path}: keys ${kx.join()} vs ${ky.join()}`;
    if (Array.isArray(x) && x.length !== (y as unknown[]).length) return `${path}: length`;
    for (const k of kx) stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`]);
  }
  return null;
}

class Node {
  next: Node | null = null;
  tags = new Map<string, Node>();
  constructor(readonly n: number) {}
}

describe("the copy plan", () => {
  /** The toy graph: every kind of node, sharing and cycles, a shared object, a placeholder, a side table. */
  function toy() {
    const side = new WeakMap<object, unknown>();
    const shared = { arch: "x" };
    const hook = () => 1;
    const a = new Node(1);
    const b = new Node(2);
    a.next = b;
    b.next = a;
    a.tags.set("z", b).set("a", a);
    const buf = new ArrayBuffer(64);
    const f64 = new Float64Array(buf, 0, 4);
    f64[2] = -0;
    f64[1] = 7.5;
    const slots: unknown[] = [1, a, null, b, "s"];
    delete slots[2];
    side.set(b, { count: 3, back: a });
    const orig = { a, b, set: new Set<unknown>([b, 3, a]), flat: [1, 2, 3], fm: new Map([[1, "x"]]), fs: new Set(["q"]), f64, u8: new Uint8Array(buf, 40, 8), slots, shared, hook, nul: Object.assign(Object.create(null) as object, { k: a }) };
    const g = new GraphCloner({ shared: new Set<unknown>([shared, hook]), side_tables: [side] });
    const snap = g.clone(orig);
    g.finish();
    return { snap, shared: new Set<unknown>([shared]), side, ph: new Map<unknown, unknown>([[hook, null]]) };
  }

  function toyDiffers(mutant?: CopyPlanMutant): (string | null)[] {
    const { snap, shared, side, ph } = toy();
    const want = new GraphCloner({ shared, placeholders: ph, side_tables: [side], trusted: { used_bytes: new WeakMap() } });
    const w = want.clone(snap);
    want.finish();
    const plan = new CopyPlan(snap, shared, ph, [side], false, mutant);
    const c1 = plan.copy();
    const d1 = differ(w, c1, shared, [side]);
    (c1.f64 as Float64Array)[3] = 9; // the next copy reuses this buffer: it must come back clean
    (c1.u8 as Uint8Array)[7] = 1;
    const c2 = plan.copy();
    return [d1, differ(w, c2, shared, [side]), c2.hook === null && c1.a !== c2.a ? null : "placeholder or identity"];
  }

  it("copies a toy graph as GraphCloner does, twice (recycled buffers zeroed)", () => {
    expect(toyDiffers()).toEqual([null, null, null]);
  });

  it("copies a real post-setup snapshot as GraphCloner does, twice", () => {
    const cache = new SetupCache();
    const st = new RandomStrategy(7919);
    st.new_execution();
    execute(faultVsDontneed, st, { plugin: null, arch, setup_cache: cache });
    const e = [...(cache as unknown as { entries: Map<unknown, { snap: PostSetup; shared: Set<unknown> }> }).entries.values()][0];
    const ph = new Map<unknown, unknown>([[e.snap.k.hooks.pte_table_dtor, null]]);
    const w = copy_post_setup(e.snap, e.shared, ph, { used_bytes: new WeakMap(), flat: new WeakMap(), object_slots: new WeakMap() });
    const plan = new CopyPlan({ ...e.snap }, e.shared, ph, SIDE_TABLES);
    expect(plan.size).toBeGreaterThan(100);
    const c1 = plan.copy();
    c1.sanitizer.attach_dtor(); // as SetupCache.restore() and copy_post_setup() do
    expect(differ(w, c1, e.shared, SIDE_TABLES)).toBeNull();
    c1.k.pt.set(0, 12345); // scribble on the first copy's page tables
    c1.k.now_ns += 1;
    const c2 = plan.copy();
    c2.sanitizer.attach_dtor();
    expect(differ(w, c2, e.shared, SIDE_TABLES)).toBeNull();
  });

  it.each(COPY_PLAN_MUTANTS)("catches the mutant %s", (m) => {
    expect(toyDiffers(m)).not.toEqual([null, null, null]);
  });
});

// GraphCloner: an exact, independent copy of an object graph, or a refusal.
import { describe, expect, it } from "vitest";
import { setFlagsFromString } from "node:v8";
import { GraphCloneError, GraphCloner, SHAPE_MUTANTS, type ShapeMutant } from "./graph_clone.js";

class Box {
  n = 1;
  next: Box | null = null;
  readonly tags = new Map<string, number[]>();
  inc(): number {
    return ++this.n;
  }
}

describe("GraphCloner", () => {
  it("copies class instances, arrays, Maps, Sets and typed arrays, keeping order, sharing and cycles", () => {
    const buf = new ArrayBuffer(32);
    const a = new Box();
    const b = new Box();
    a.next = b;
    b.next = a;
    a.tags.set("z", [3]).set("a", [1, 2]);
    const set = new Set([b, a]);
    const sparse = [1, 2, 3];
    delete sparse[1];
    const root = { a, set, f64: new Float64Array(buf, 0, 2), u8: new Uint8Array(buf, 16, 4), sparse };
    root.f64[1] = -0;
    root.u8[3] = 7;
    const c = new GraphCloner().clone(root);
    expect(c).not.toBe(root);
    expect(Object.getPrototypeOf(c.a)).toBe(Box.prototype);
    expect(c.a.inc()).toBe(2);
    expect(a.n).toBe(1); // independent
    expect(c.a.next!.next).toBe(c.a); // cycle
    expect([...c.set]).toEqual([c.a.next, c.a]); // Set order, same objects
    expect([...c.a.tags.keys()]).toEqual(["z", "a"]);
    expect(c.f64.buffer).toBe(c.u8.buffer); // two views of one buffer stay so
    expect(c.f64.buffer).not.toBe(buf);
    expect(Object.is(c.f64[1], -0)).toBe(true);
    expect(c.u8[3]).toBe(7);
    expect(1 in c.sparse).toBe(false);
    c.u8[0] = 9;
    expect(root.u8[0]).toBe(0);
  });

  it("shares what it is told to share, and maps placeholders", () => {
    const arch = { name: "x" };
    const hook = () => 1;
    const other = () => 2;
    const c = new GraphCloner({ shared: new Set<unknown>([arch, hook]), placeholders: new Map([[other, null]]) }).clone({ arch, hook, other });
    expect(c.arch).toBe(arch);
    expect(c.hook).toBe(hook);
    expect(c.other).toBeNull();
  });

  it("refuses what it cannot copy exactly", () => {
    const refuse = (v: unknown) => expect(() => new GraphCloner().clone({ v })).toThrow(GraphCloneError);
    refuse(() => 1); // a closure
    refuse(new WeakMap());
    refuse(new WeakSet());
    refuse((function* () {})());
    refuse(Object.freeze({ a: 1 }));
    refuse(Object.defineProperty({}, "x", { get: () => 1, enumerable: true }));
    refuse(Object.defineProperty({}, "x", { value: 1, enumerable: false }));
    refuse({ [Symbol("s")]: 1 });
    refuse(Object.assign([1], { extra: 2 }));
  });

  it("copies side-table entries of the objects it copies", () => {
    const table = new WeakMap<object, { count: number }>();
    const flags = new WeakSet<object>();
    const k = new Box();
    table.set(k, { count: 5 });
    flags.add(k);
    const g = new GraphCloner({ side_tables: [table, flags] });
    const c = g.clone(k);
    g.finish();
    expect(table.get(c)).toEqual({ count: 5 });
    expect(table.get(c)).not.toBe(table.get(k));
    expect(flags.has(c)).toBe(true);
  });

  it("trusted: a copy of a copy has every byte, including those after the last non-zero one", () => {
    const used_bytes = new WeakMap<ArrayBuffer, number>();
    const src = new Float64Array(16);
    src[3] = 1.5;
    src[15] = -0; // the sign bit is the buffer's last non-zero byte
    const snap = new GraphCloner().clone({ src });
    for (let i = 0; i < 2; i++) {
      const c = new GraphCloner({ trusted: { used_bytes } }).clone(snap);
      expect(Array.from(c.src)).toEqual(Array.from(src));
      expect(Object.is(c.src[15], -0)).toBe(true);
      c.src[7] = 2; // a copy's writes do not reach the snapshot
    }
    expect(snap.src[7]).toBe(0);
    expect(used_bytes.get(snap.src.buffer as ArrayBuffer)).toBe(128);
  });

  it("trusted: arrays, Maps and Sets copied natively where they hold primitives, element by element where they hold objects", () => {
    const trusted = { used_bytes: new WeakMap<ArrayBuffer, number>(), flat: new WeakMap<object, boolean>(), object_slots: new WeakMap<unknown[], number[]>() };
    const box = new Box();
    const slots: unknown[] = new Array(8).fill(null);
    slots[2] = box;
    slots[5] = box;
    delete slots[7];
    const snap = new GraphCloner().clone({ slots, flat: [1, 2, 3], m: new Map([[1, "a"]]), mo: new Map([[1, box]]), set: new Set(["x"]) });
    for (let i = 0; i < 2; i++) {
      const c = new GraphCloner({ trusted }).clone(snap);
      expect(c.slots).toHaveLength(8);
      expect(c.slots[2]).toBeInstanceOf(Box);
      expect(c.slots[2]).not.toBe(snap.slots[2]); // copied, not shared
      expect(c.slots[5]).toBe(c.slots[2]); // one object twice stays one object
      expect(7 in c.slots).toBe(false);
      expect(c.slots[0]).toBeNull();
      expect(c.flat).toEqual([1, 2, 3]);
      expect(c.flat).not.toBe(snap.flat);
      expect(c.mo.get(1)).not.toBe(snap.mo.get(1));
      expect([...c.m]).toEqual([[1, "a"]]);
      expect([...c.set]).toEqual(["x"]);
    }
    expect(trusted.object_slots.get(snap.slots)).toEqual([2, 5]);
    expect(trusted.flat.get(snap.flat)).toBe(true);
    expect(trusted.flat.get(snap.mo)).toBe(false);
  });

  // Copies made by generated constructors (explore6): every instance of a class with its own keys in its
  // own order, and a large one with fast properties (V8's map, asked through its natives syntax).
  class Wide {
    constructor() {
      for (let i = 0; i < 40; i++) (this as Record<string, unknown>)[`f${i}`] = i % 3 === 0 ? { i } : i;
    }
  }
  class Loose {
    x: number | undefined = 1;
    y = 2;
  }

  /** Each instance of Loose, copied from the originals and again from that copy (trusted), keeps its own keys, order and values. */
  function looseKeysKept(mutant?: ShapeMutant): boolean {
    const plain = new Loose();
    const more = Object.assign(new Loose(), { z: 3 });
    const moved = new Loose();
    delete moved.x;
    moved.x = 4; // keys y, x
    const roots = { plain, more, moved, again: new Loose() };
    const snap = new GraphCloner({ shape_mutant: mutant }).clone(roots);
    const copy = new GraphCloner({ shape_mutant: mutant, trusted: { used_bytes: new WeakMap() } }).clone(snap);
    const same = (a: object, b: object) => JSON.stringify(Object.entries(a)) === JSON.stringify(Object.entries(b)) && Object.getPrototypeOf(b) === Loose.prototype;
    return [snap, copy].every((c) => same(plain, c.plain) && same(more, c.more) && same(moved, c.moved) && same(roots.again, c.again));
  }

  /** Whether copies of a Wide (40 fields) have fast properties and one map, from the originals and from a copy. */
  function wideFast(mutant?: ShapeMutant): boolean {
    setFlagsFromString("--allow-natives-syntax");
    const fast = new Function("o", "return %HasFastProperties(o)") as (o: object) => boolean;
    const sameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (a: object, b: object) => boolean;
    const snap = new GraphCloner({ shape_mutant: mutant }).clone({ w: new Wide(), v: new Wide() });
    const trusted = { used_bytes: new WeakMap<ArrayBuffer, number>() };
    const c1 = new GraphCloner({ shape_mutant: mutant, trusted }).clone(snap);
    const c2 = new GraphCloner({ shape_mutant: mutant, trusted }).clone(snap);
    return [snap.w, snap.v, c1.w, c2.w].every(fast) && sameMap(snap.w, snap.v) && sameMap(c1.w, c2.w) && sameMap(snap.w, c1.w);
  }

  it("copies every instance of a class with its own keys, in its own order", () => {
    expect(looseKeysKept()).toBe(true);
  });

  it("gives copies of a large class instance fast properties and one map (generated constructors)", () => {
    expect(wideFast()).toBe(true);
    const w = new GraphCloner().clone(new Wide()) as unknown as Record<string, { i: number } | number>;
    expect(w.f3).toEqual({ i: 3 });
    expect(Object.keys(w)).toHaveLength(40);
  });

  it.each(SHAPE_MUTANTS)("catches the shape mutant %s", (m) => {
    expect(looseKeysKept(m) && wideFast(m)).toBe(false);
  });
});

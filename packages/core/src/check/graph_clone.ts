/**
 * A deep copy of a JS object graph, for the explorer's post-setup snapshot
 * (check/setup_snapshot.ts). Not a kernel mechanism: Linux has nothing like it
 * (the closest is fork()'s dup_mm, which copies one mm, not a machine).
 *
 * What it copies: class instances (same prototype, own data properties in the
 * same order), arrays, Maps and Sets (same insertion order, keys copied too),
 * typed arrays (views of copied ArrayBuffers, so two views of one buffer stay
 * views of one buffer), with shared structure and cycles preserved. What it
 * shares, not copies: `shared` objects and functions (the arch, the plugin and
 * its hooks: one instance for every execution, as before the snapshot).
 *
 * What it refuses (GraphCloneError): any other function (a closure may capture
 * state of the graph it came from), generators, promises, WeakMaps/WeakSets (not
 * enumerable), accessors, symbol keys, non-writable or non-enumerable own
 * properties, frozen or non-extensible objects: a snapshot of a graph holding
 * one of these would not be an exact copy, so the caller runs the setup instead.
 * `rebuild` maps classes that hold closures over `this` (core's Process) to a
 * function making the copy itself.
 *
 * Side tables: module-level WeakMaps/WeakSets keyed by graph objects (the LRU of
 * a Kernel, the mmu_gather a Task publishes, ...) are state of the graph too.
 * For each key found in the graph, the copy of the key gets the copy of the value.
 */
import { MmsimError } from "@mmsim/spec";

export class GraphCloneError extends MmsimError {
  constructor(message: string) {
    super("snapshot-error", message);
  }
}

/** A module-level WeakMap or WeakSet whose keys may be objects of the graph. */
export type SideTable = WeakMap<object, unknown> | WeakSet<object>;

export interface CloneOptions {
  /** Objects and functions shared between the original and the copy. */
  shared?: ReadonlySet<unknown>;
  /** Functions replaced by a placeholder in the copy (the caller installs the real one, e.g. a closure of the copy). */
  placeholders?: ReadonlyMap<unknown, unknown>;
  /** Classes whose instances are made by a function, given the cloner (to copy their fields). */
  rebuild?: ReadonlyMap<object, (o: object, c: GraphCloner) => object>;
  /** Module-level tables keyed by graph objects. */
  side_tables?: readonly SideTable[];
  /**
   * The source is itself a copy made by a GraphCloner and never changed since
   * (a snapshot): it holds only what a copy holds (plain writable data
   * properties), so the property checks are skipped, and each ArrayBuffer's
   * used length (up to its last non-zero byte) is computed once and kept in
   * `used_bytes`: a copy gets a zeroed buffer with that prefix copied in.
   * Arrays, Maps and Sets holding only primitives are copied natively (known
   * once per source object, in `flat`). With `recycle`, the buffers of the
   * previous copy made from the same source are reused (zeroed, then the
   * prefix written): the caller promises that copy is no longer used.
   */
  trusted?: Trusted;
  /**
   * A deliberately broken copy of class instances, for the tests
   * (graph_clone.test.ts): "keyed" makes every copy with `Object.create(proto)`
   * and keyed stores (the copy before explore6: exact, but a large object
   * becomes a dictionary); "by-prototype" makes every instance of a class with
   * the shape of the first one copied (its keys), whatever its own keys are.
   */
  shape_mutant?: ShapeMutant;
}

export type ShapeMutant = "keyed" | "by-prototype";
export const SHAPE_MUTANTS: readonly ShapeMutant[] = ["keyed", "by-prototype"];

/** What a GraphCloner learns about a never-changing source, kept between copies of it. */
export interface Trusted {
  used_bytes: WeakMap<ArrayBuffer, number>;
  flat?: WeakMap<object, boolean>;
  /** Per source array: the indexes holding objects (the rest is copied natively). */
  object_slots?: WeakMap<unknown[], number[]>;
  /** Source buffer → the buffer the previous copy got. */
  recycle?: Map<ArrayBuffer, ArrayBuffer>;
  /** A deliberately broken recycle (setup_snapshot.ts's mutant "recycle-unzeroed"): the reused buffer is not cleared. */
  unzeroed?: boolean;
}

export const isPrimitive = (v: unknown) => v === null || (typeof v !== "object" && typeof v !== "function");

/** Whether a container holds only primitives (its native copy is exact). */
export function flatContainer(o: object): boolean {
  if (o instanceof Map) {
    for (const [k, v] of o) if (!isPrimitive(k) || !isPrimitive(v)) return false;
    return true;
  }
  if (o instanceof Set) {
    for (const k of o) if (!isPrimitive(k)) return false;
    return true;
  }
  const a = o as unknown[];
  for (let i = 0; i < a.length; i++) if (!isPrimitive(a[i])) return false;
  return true;
}

/**
 * A copy of a Map (Set) of primitives, in its order: filled by forEach, which
 * V8 runs faster than the constructor's iteration of an iterable (about 16 µs
 * instead of 21 for a TLB model's 512 translations, and far less for an empty
 * one).
 */
export function copyMap(o: Map<unknown, unknown>): Map<unknown, unknown> {
  const m = new Map<unknown, unknown>();
  if (o.size > 0) o.forEach((v, k) => m.set(k, v));
  return m;
}

export function copySet(o: Set<unknown>): Set<unknown> {
  const m = new Set<unknown>();
  if (o.size > 0) o.forEach((k) => m.add(k));
  return m;
}

export const TYPED_ARRAYS: ReadonlySet<unknown> = new Set<unknown>([
  Int8Array.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int16Array.prototype,
  Uint16Array.prototype,
  Int32Array.prototype,
  Uint32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
  BigInt64Array.prototype,
  BigUint64Array.prototype,
]);

type TypedArray = Int32Array | Uint32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array | Uint8ClampedArray | BigInt64Array | BigUint64Array;

export class GraphCloner {
  private readonly memo = new Map<unknown, unknown>();
  private readonly shared: ReadonlySet<unknown>;
  private readonly placeholders: ReadonlyMap<unknown, unknown>;
  private readonly rebuild: ReadonlyMap<object, (o: object, c: GraphCloner) => object>;
  private readonly side_tables: readonly SideTable[];
  private readonly trusted: Trusted | null;
  private readonly shape_mutant: ShapeMutant | null;
  /** Side-table entries found: [table, original key]. */
  private readonly side: [SideTable, object][] = [];

  constructor(o: CloneOptions = {}) {
    this.shared = o.shared ?? new Set();
    this.placeholders = o.placeholders ?? new Map();
    this.rebuild = o.rebuild ?? new Map();
    this.side_tables = o.side_tables ?? [];
    this.trusted = o.trusted ?? null;
    this.shape_mutant = o.shape_mutant ?? null;
  }

  /** The copy of `v` (values of primitive type are themselves). */
  clone<T>(v: T): T {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
    const m = this.memo.get(v);
    if (m !== undefined) return m as T;
    if (this.shared.has(v)) return v;
    if (typeof v === "function") {
      if (this.placeholders.has(v)) return this.placeholders.get(v) as T;
      throw new GraphCloneError(`cannot copy function ${(v as { name?: string }).name || "(anonymous)"}: a closure may hold state of the original graph`);
    }
    const c = this.copy(v as object);
    return c as T;
  }

  /** Record `c` as the copy of `o` (before copying o's fields: cycles). */
  remember<T extends object>(o: object, c: T): T {
    this.memo.set(o, c);
    // Side tables are keyed by class instances (a Kernel, a Task), not plain data.
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== Map.prototype && proto !== Set.prototype)
      for (const t of this.side_tables) if (t.has(o)) this.side.push([t, o]);
    return c;
  }

  /** After the roots are copied: the side tables' entries for the copies (copying a value may find more). */
  finish(): void {
    while (this.side.length) {
      for (const [t, o] of this.side.splice(0)) {
        const key = this.memo.get(o) as object;
        if (t instanceof WeakSet) t.add(key);
        else t.set(key, this.clone(t.get(o)));
      }
    }
  }

  private copy(o: object): object {
    const proto = Object.getPrototypeOf(o) as object | null;
    if (proto !== null && TYPED_ARRAYS.has(proto)) {
      const a = o as TypedArray;
      const buf = this.clone_buffer(a.buffer as ArrayBuffer);
      const Ctor = a.constructor as new (b: ArrayBuffer, off: number, len: number) => TypedArray;
      return this.remember(o, new Ctor(buf, a.byteOffset, a.length));
    }
    if (proto === ArrayBuffer.prototype) return this.clone_buffer(o as ArrayBuffer);
    const flat = this.trusted?.flat;
    if (flat !== undefined && (proto === Array.prototype || proto === Map.prototype || proto === Set.prototype)) {
      let f = flat.get(o);
      if (f === undefined) flat.set(o, (f = flatContainer(o)));
      if (f) {
        if (proto === Array.prototype) return this.remember(o, (o as unknown[]).slice());
        if (proto === Map.prototype) return this.remember(o, copyMap(o as Map<unknown, unknown>));
        return this.remember(o, copySet(o as Set<unknown>));
      }
    }
    const slots = this.trusted?.object_slots;
    if (slots !== undefined && proto === Array.prototype) {
      // A long array of mostly primitives (a chunk of per-table lock slots): slice, then copy its objects.
      const a = o as unknown[];
      let at = slots.get(a);
      if (at === undefined) {
        at = [];
        for (let i = 0; i < a.length; i++) if (!isPrimitive(a[i])) at.push(i);
        slots.set(a, at);
      }
      const c = this.remember(o, a.slice());
      for (const i of at) c[i] = this.clone(a[i]);
      return c;
    }
    if (proto === Array.prototype) {
      const a = o as unknown[];
      const c = this.remember(o, new Array<unknown>(a.length));
      for (let i = 0; i < a.length; i++) if (i in a) c[i] = this.clone(a[i]);
      if (this.trusted === null && Object.keys(a).length !== countIndexes(a)) throw new GraphCloneError("cannot copy an array with named properties");
      return c;
    }
    if (proto === Map.prototype) {
      const c = this.remember(o, new Map<unknown, unknown>());
      for (const [k, v] of o as Map<unknown, unknown>) c.set(this.clone(k), this.clone(v));
      return c;
    }
    if (proto === Set.prototype) {
      const c = this.remember(o, new Set<unknown>());
      for (const k of o as Set<unknown>) c.add(this.clone(k));
      return c;
    }
    if (proto !== null && this.rebuild.has(proto)) return this.rebuild.get(proto)!(o, this);
    if (o instanceof WeakMap || o instanceof WeakSet || o instanceof Promise || o instanceof Date || o instanceof RegExp || o instanceof Error)
      throw new GraphCloneError(`cannot copy a ${proto?.constructor?.name ?? "object"}`);
    if (Object.prototype.toString.call(o) === "[object Generator]") throw new GraphCloneError("cannot copy a running kernel path (a generator)");
    if (!Object.isExtensible(o)) throw new GraphCloneError(`cannot copy a frozen or sealed ${proto?.constructor?.name ?? "object"}`);
    const src = o as Record<string, unknown>;
    if (this.trusted !== null) {
      // A snapshot's object: its shape (made by shapeOf() when the snapshot was copied) is known.
      const shape = (this.shape_mutant === null ? shapes.get(o) : undefined) ?? shapeOf(proto, Object.keys(o), this.shape_mutant);
      const c = this.remember(o, shape.make(src));
      shape.fill(c, src, this);
      return c;
    }
    const keys = Object.keys(o);
    if (Reflect.ownKeys(o).length !== keys.length) throw new GraphCloneError(`cannot copy a ${proto?.constructor?.name ?? "object"} with symbol or non-enumerable properties`);
    for (const key of keys) {
      const d = Object.getOwnPropertyDescriptor(o, key)!;
      if (!("value" in d) || !d.writable || !d.configurable) throw new GraphCloneError(`cannot copy property ${key} of a ${proto?.constructor?.name ?? "object"} (accessor or read-only)`);
    }
    const shape = shapeOf(proto, keys, this.shape_mutant);
    const c = this.remember(o, shape.make(src));
    shape.fill(c, src, this);
    if (this.shape_mutant === null) shapes.set(c, shape);
    return c;
  }

  private clone_buffer(b: ArrayBuffer): ArrayBuffer {
    const m = this.memo.get(b);
    if (m !== undefined) return m as ArrayBuffer;
    if (Object.getPrototypeOf(b) !== ArrayBuffer.prototype) throw new GraphCloneError("cannot copy a SharedArrayBuffer");
    let c: ArrayBuffer;
    if (this.trusted !== null) {
      let used = this.trusted.used_bytes.get(b);
      if (used === undefined) {
        const u8 = new Uint8Array(b);
        used = u8.length;
        while (used > 0 && u8[used - 1] === 0) used--;
        this.trusted.used_bytes.set(b, used);
      }
      const old = this.trusted.recycle?.get(b);
      if (old !== undefined) {
        c = old;
        if (this.trusted.unzeroed !== true) new Uint8Array(c).fill(0, used);
      } else {
        c = new ArrayBuffer(b.byteLength);
        this.trusted.recycle?.set(b, c);
      }
      if (used > 0) new Uint8Array(c).set(new Uint8Array(b, 0, used));
    } else c = b.slice(0);
    this.memo.set(b, c);
    return c;
  }
}

/**
 * How copies of one kind of object are made: `make(src)` a new object with
 * `src`'s prototype and own properties, in the same order, holding `src`'s
 * values (named stores in a constructor generated for that list of keys), and
 * `fill(c, src, cloner)` each property replaced by its copy. Objects copied with
 * `Object.create(proto)` and keyed stores (as before) have no in-object fields,
 * and V8 turns such an object with more than 12 into a dictionary: every read
 * of `k.pt`, `pt.m32`, `k.frames` on a copy of the kernel was a hash lookup
 * (bench README, explore6). A generated constructor gives every copy of a kind
 * the same fast map, with its fields in the object.
 */
export interface Shape {
  readonly keys: readonly string[];
  make(src: Record<string, unknown>): Record<string, unknown>;
  fill(c: Record<string, unknown>, src: Record<string, unknown>, cl: GraphCloner): void;
  /** For a copy plan (check/copy_plan.ts): property m becomes `out[ix[m]]` where ix[m] >= 0 (the others keep what make() gave them). */
  patch(c: Record<string, unknown>, out: readonly unknown[], ix: Int32Array): void;
}

/** The shape copies of `o` are made with (a copy made through one keeps it). */
export function shapeFor(o: object): Shape {
  return shapes.get(o) ?? shapeOf(Object.getPrototypeOf(o) as object | null, Object.keys(o));
}

/** Shapes by prototype, then by the keys joined with a NUL. */
const SHAPES = new WeakMap<object, Map<string, Shape>>();
/** The mutant "by-prototype"'s shapes: one per prototype (kept apart from SHAPES). */
const MUTANT_SHAPES = new WeakMap<object, Shape>();
/** Each copy made through a shape, to its shape (a copy of that copy has the same). */
const shapes = new WeakMap<object, Shape>();

/** A key generated code may name: not an array index (an element, not a property), not `__proto__` (the prototype). */
const plainKey = (k: string) => k !== "__proto__" && !/^(0|[1-9][0-9]*)$/.test(k);

/** The shape of objects with prototype `proto` and own properties `keys` (generated once per such list). */
function shapeOf(proto: object | null, keys: readonly string[], mutant: ShapeMutant | null = null): Shape {
  if (mutant === "by-prototype" && proto !== null) {
    let m = MUTANT_SHAPES.get(proto);
    if (m === undefined) MUTANT_SHAPES.set(proto, (m = generated(proto, keys)));
    return m;
  }
  if (mutant === "keyed" || proto === null || !keys.every(plainKey)) return keyed(proto, keys);
  const by = SHAPES.get(proto);
  const sig = keys.join("\0");
  const known = by?.get(sig);
  if (known !== undefined) return known;
  const shape = generated(proto, keys);
  if (by === undefined) SHAPES.set(proto, new Map([[sig, shape]]));
  else by.set(sig, shape);
  return shape;
}

/** The generic copy: `Object.create(proto)` and keyed stores (no constructor can make a null-prototype object; an index is an element). */
function keyed(proto: object | null, keys: readonly string[]): Shape {
  return {
    keys,
    make: (src) => {
      const c = Object.create(proto) as Record<string, unknown>;
      for (let i = 0; i < keys.length; i++) c[keys[i]] = src[keys[i]];
      return c;
    },
    fill: (c, src, cl) => {
      for (let i = 0; i < keys.length; i++) c[keys[i]] = cl.clone(src[keys[i]]);
    },
    patch: (c, out, ix) => {
      for (let i = 0; i < keys.length; i++) if (ix[i] >= 0) c[keys[i]] = out[ix[i]];
    },
  };
}

/** A constructor with prototype `proto` storing `keys` in order, and a fill of the same keys, generated (named stores). */
function generated(proto: object, keys: readonly string[]): Shape {
  const q = keys.map((k) => JSON.stringify(k));
  const Ctor = new Function("s", q.map((k) => `this[${k}] = s[${k}];`).join("\n")) as unknown as new (s: Record<string, unknown>) => Record<string, unknown>;
  Ctor.prototype = proto;
  const fill = new Function("c", "s", "cl", q.map((k) => `c[${k}] = cl.clone(s[${k}]);`).join("\n")) as Shape["fill"];
  const patch = new Function("c", "o", "ix", q.map((k, m) => `if (ix[${m}] >= 0) c[${k}] = o[ix[${m}]];`).join("\n")) as Shape["patch"];
  return { keys, make: (s) => new Ctor(s), fill, patch };
}

function countIndexes(a: unknown[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i in a) n++;
  return n;
}

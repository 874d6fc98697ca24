/**
 * A copy plan of the explorer's post-setup snapshot (check/setup_snapshot.ts):
 * the snapshot never changes, so what a GraphCloner finds out at every copy of
 * it (which object is which, which properties hold objects, which side tables
 * hold an entry for it) is found out once, here, into a flat list of nodes. A
 * copy then makes every node's object in list order, then points their
 * references at each other by index: no memo Map, no prototype dispatch, no
 * side-table probes, no per-property work for the properties that hold
 * primitives. Not a kernel mechanism (Linux has nothing like it).
 *
 * The result is the copy GraphCloner makes of the same snapshot with `trusted`
 * (copy_plan.test.ts compares the two graphs object by object), and its
 * buffers are recycled the same way: a copy takes the previous copy's buffers,
 * which must no longer be in use.
 */
import { Process } from "../engine.js";
import { Op } from "../sync/op.js";
import { TlbEntries } from "../tlb/entries.js";
import { copyMap, copySet, flatContainer, GraphCloneError, isPrimitive, shapeFor, TYPED_ARRAYS, type Shape, type SideTable } from "./graph_clone.js";
import { Oracle } from "./oracle.js";

type TypedArray = Int32Array | Uint32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array | Uint8ClampedArray | BigInt64Array | BigUint64Array;
type TypedCtor = new (b: ArrayBuffer, off: number, len: number) => TypedArray;

/**
 * What a node is made from. Pass 1 makes every node but PROCESS and OP (whose
 * constructors take other nodes), pass 2 those, pass 3 sets the references.
 */
const BUFFER = 0;
const TYPED = 1;
const SLICE = 2;
const FLAT_MAP = 3;
const FLAT_SET = 4;
const MAP = 5;
const SET = 6;
const OBJECT = 7;
const CONST = 8;
const ORACLE = 9;
const TLB = 10;
const PROCESS = 11;
const OP = 12;

interface Node {
  kind: number;
  src: unknown;
  /** BUFFER: bytes up to the last non-zero one; the buffer the previous copy got. */
  used?: number;
  prev?: ArrayBuffer | null;
  /** TYPED: its buffer's node, constructor, offset, length. */
  buf?: number;
  ctor?: TypedCtor;
  off?: number;
  len?: number;
  /** SLICE: the indexes holding objects and their nodes. OBJECT: per property, its node or -1 (keep). */
  at?: Int32Array;
  ix?: Int32Array;
  /** OBJECT: how copies are made (graph_clone.ts). */
  shape?: Shape;
  /** MAP/SET: per entry, key and value as a node (>= 0) or themselves (-1, the value in kv/vv). */
  kn?: Int32Array;
  kv?: unknown[];
  vn?: Int32Array;
  vv?: unknown[];
  /** PROCESS: the kernel's, mm's and task's nodes. OP: the task's node and its point's object (node or -1, then `obj`). */
  a?: number;
  b?: number;
  c?: number;
  obj?: unknown;
}

/**
 * Deliberately broken plans, for copy_plan.test.ts: "array-refs-kept" leaves the
 * objects of an array pointing at the snapshot's (pass 3 skips arrays);
 * "map-order" fills each Map of objects in reverse order.
 */
export type CopyPlanMutant = "array-refs-kept" | "map-order";
export const COPY_PLAN_MUTANTS: readonly CopyPlanMutant[] = ["array-refs-kept", "map-order"];

/** What the plan copies: named roots. */
export type Roots = Record<string, unknown>;

export class CopyPlan<R extends Roots> {
  private readonly nodes: Node[] = [];
  private readonly memo = new Map<unknown, number>();
  /** Side-table entries: table, key's node, value's node (-1: the value itself in side_v; WeakSet: unused). */
  private readonly side_t: SideTable[] = [];
  private readonly side_k: number[] = [];
  private readonly side_n: number[] = [];
  private readonly side_v: unknown[] = [];
  private readonly roots: [string, number, unknown][] = [];
  /** Scratch: the objects of the copy being made, by node. */
  private out: unknown[] = [];

  /**
   * `shared`: objects and functions the copies share with the snapshot;
   * `placeholders`: functions replaced in the copy; `side_tables`: module-level
   * tables keyed by graph objects. `unzeroed`: the mutant "recycle-unzeroed".
   */
  constructor(
    snap: R,
    private readonly shared: ReadonlySet<unknown>,
    private readonly placeholders: ReadonlyMap<unknown, unknown>,
    private readonly side_tables: readonly SideTable[],
    private readonly unzeroed = false,
    /** A deliberately broken plan (copy_plan.test.ts). */
    private readonly mutant: CopyPlanMutant | null = null,
  ) {
    for (const [name, v] of Object.entries(snap)) {
      const n = this.node(v);
      this.roots.push([name, n, n < 0 ? v : undefined]);
    }
    // Side tables (GraphCloner.finish()): a value may bring more objects, and they more entries.
    for (let i = 0; i < this.side_t.length; i++) {
      const t = this.side_t[i];
      if (t instanceof WeakSet) continue;
      const v = t.get(this.nodes[this.side_k[i]].src as object);
      const n = this.node(v);
      this.side_n[i] = n;
      this.side_v[i] = n < 0 ? v : undefined;
    }
    this.out = new Array<unknown>(this.nodes.length);
  }

  /** Objects in the plan (for tests). */
  get size(): number {
    return this.nodes.length;
  }

  /** The node of `v`, or -1 when the copy holds `v` itself (a primitive, a shared object). */
  private node(v: unknown): number {
    if (isPrimitive(v)) return -1;
    const m = this.memo.get(v);
    if (m !== undefined) return m;
    if (this.shared.has(v)) return -1;
    if (typeof v === "function") {
      if (this.placeholders.has(v)) return this.add(v, { kind: CONST, src: this.placeholders.get(v) });
      throw new GraphCloneError(`cannot copy function ${(v as { name?: string }).name || "(anonymous)"}: a closure may hold state of the original graph`);
    }
    const o = v as object;
    const proto = Object.getPrototypeOf(o) as object | null;
    if (proto !== null && TYPED_ARRAYS.has(proto)) {
      const a = o as TypedArray;
      const buf = this.node(a.buffer);
      return this.add(o, { kind: TYPED, src: o, buf, ctor: a.constructor as TypedCtor, off: a.byteOffset, len: a.length });
    }
    if (proto === ArrayBuffer.prototype) {
      const u8 = new Uint8Array(o as ArrayBuffer);
      let used = u8.length;
      while (used > 0 && u8[used - 1] === 0) used--;
      return this.add(o, { kind: BUFFER, src: o, used, prev: null });
    }
    if (proto === Array.prototype || proto === Map.prototype || proto === Set.prototype) {
      if (flatContainer(o)) return this.add(o, { kind: proto === Array.prototype ? SLICE : proto === Map.prototype ? FLAT_MAP : FLAT_SET, src: o, at: new Int32Array(0), ix: new Int32Array(0) });
      if (proto === Array.prototype) {
        const a = o as unknown[];
        const n = this.add(o, { kind: SLICE, src: o });
        const at: number[] = [];
        const ix: number[] = [];
        for (let i = 0; i < a.length; i++)
          if (!isPrimitive(a[i])) {
            const c = this.node(a[i]);
            if (c >= 0) {
              at.push(i);
              ix.push(c);
            }
          }
        this.nodes[n].at = Int32Array.from(at);
        this.nodes[n].ix = Int32Array.from(ix);
        return n;
      }
      const isMap = proto === Map.prototype;
      const n = this.add(o, { kind: isMap ? MAP : SET, src: o });
      const kn: number[] = [];
      const kv: unknown[] = [];
      const vn: number[] = [];
      const vv: unknown[] = [];
      const entries: [unknown, unknown][] = isMap ? [...(o as Map<unknown, unknown>)] : [...(o as Set<unknown>)].map((k) => [k, undefined]);
      for (const [k, v] of entries) {
        const a = this.node(k);
        kn.push(a);
        kv.push(a < 0 ? k : undefined);
        if (isMap) {
          const b = this.node(v);
          vn.push(b);
          vv.push(b < 0 ? v : undefined);
        }
      }
      Object.assign(this.nodes[n], { kn: Int32Array.from(kn), kv, vn: Int32Array.from(vn), vv });
      return n;
    }
    if (proto === Oracle.prototype) return this.add(o, { kind: ORACLE, src: o });
    if (proto === TlbEntries.prototype) return this.add(o, { kind: TLB, src: o });
    if (proto === Process.prototype) {
      const p = o as Process;
      const n = this.add(o, { kind: PROCESS, src: o });
      Object.assign(this.nodes[n], { a: this.object_node(p.k), b: this.object_node(p.mm), c: this.object_node(p.task) });
      return n;
    }
    if (proto === Op.prototype) {
      const op = o as unknown as { t: unknown; pending: boolean; point: { kind: number; what: string; obj: unknown } };
      if (op.pending) throw new GraphCloneError("cannot copy a primitive operation in progress");
      const n = this.add(o, { kind: OP, src: o });
      const on = this.node(op.point.obj);
      Object.assign(this.nodes[n], { a: this.object_node(op.t), b: on, obj: on < 0 ? op.point.obj : undefined });
      return n;
    }
    if (o instanceof WeakMap || o instanceof WeakSet || o instanceof Promise || o instanceof Date || o instanceof RegExp || o instanceof Error)
      throw new GraphCloneError(`cannot copy a ${proto?.constructor?.name ?? "object"}`);
    const shape = shapeFor(o);
    const n = this.add(o, { kind: OBJECT, src: o, shape });
    const src = o as Record<string, unknown>;
    const ix = new Int32Array(shape.keys.length);
    for (let m = 0; m < shape.keys.length; m++) ix[m] = this.node(src[shape.keys[m]]);
    this.nodes[n].ix = ix;
    return n;
  }

  /** A constructor argument of PROCESS or OP: a node made in pass 1. */
  private object_node(v: unknown): number {
    const n = this.node(v);
    if (n < 0 || this.nodes[n].kind === PROCESS || this.nodes[n].kind === OP) throw new GraphCloneError("copy plan: a constructor argument that is not a plain node");
    return n;
  }

  private add(o: unknown, n: Node): number {
    const i = this.nodes.length;
    this.nodes.push(n);
    this.memo.set(o, i);
    // Side tables are keyed by class instances (a Kernel, a Task), not plain data.
    const proto = typeof o === "object" && o !== null ? (Object.getPrototypeOf(o) as unknown) : null;
    if (proto !== null && proto !== Object.prototype && proto !== Array.prototype && proto !== Map.prototype && proto !== Set.prototype && !ArrayBuffer.isView(o) && !(o instanceof ArrayBuffer))
      for (const t of this.side_tables)
        if (t.has(o as object)) {
          this.side_t.push(t);
          this.side_k.push(i);
          this.side_n.push(-1);
          this.side_v.push(undefined);
        }
    return i;
  }

  /** A fresh copy of the snapshot (the previous copy's buffers become this one's). */
  copy(): R {
    const nodes = this.nodes;
    const out = this.out;
    // Pass 1: every object but those whose constructor takes others.
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      switch (n.kind) {
        case BUFFER: {
          const b = n.src as ArrayBuffer;
          const used = n.used!;
          let c = n.prev!;
          if (c !== null) {
            if (!this.unzeroed) new Uint8Array(c).fill(0, used);
          } else c = n.prev = new ArrayBuffer(b.byteLength);
          if (used > 0) new Uint8Array(c).set(new Uint8Array(b, 0, used));
          out[i] = c;
          break;
        }
        case TYPED:
          out[i] = new n.ctor!(out[n.buf!] as ArrayBuffer, n.off!, n.len!);
          break;
        case SLICE:
          out[i] = (n.src as unknown[]).slice();
          break;
        case FLAT_MAP:
          out[i] = copyMap(n.src as Map<unknown, unknown>);
          break;
        case FLAT_SET:
          out[i] = copySet(n.src as Set<unknown>);
          break;
        case MAP:
          out[i] = new Map();
          break;
        case SET:
          out[i] = new Set();
          break;
        case OBJECT:
          out[i] = n.shape!.make(n.src as Record<string, unknown>);
          break;
        case CONST:
          out[i] = n.src;
          break;
        case ORACLE:
          out[i] = (n.src as Oracle).copy();
          break;
        case TLB:
          out[i] = (n.src as TlbEntries).share();
          break;
      }
    }
    // Pass 2: the objects whose constructors take others.
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.kind === PROCESS) {
        const p = n.src as Process;
        const q = new Process(out[n.a!] as never, out[n.b!] as never, out[n.c!] as never, p.stepped);
        (q as unknown as { seq: number }).seq = (p as unknown as { seq: number }).seq;
        out[i] = q;
      } else if (n.kind === OP) {
        const op = n.src as unknown as { point: { kind: number; what: string; obj: unknown } };
        const q = new Op(out[n.a!] as never) as unknown as typeof op;
        q.point.kind = op.point.kind;
        q.point.what = op.point.what;
        out[i] = q;
      }
    }
    // Pass 3: references.
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      switch (n.kind) {
        case SLICE: {
          if (this.mutant === "array-refs-kept") break;
          const c = out[i] as unknown[];
          const at = n.at!;
          const ix = n.ix!;
          for (let j = 0; j < at.length; j++) c[at[j]] = out[ix[j]];
          break;
        }
        case OBJECT:
          n.shape!.patch(out[i] as Record<string, unknown>, out, n.ix!);
          break;
        case MAP: {
          const c = out[i] as Map<unknown, unknown>;
          const kn = n.kn!;
          const vn = n.vn!;
          if (this.mutant === "map-order") {
            for (let j = kn.length - 1; j >= 0; j--) c.set(kn[j] >= 0 ? out[kn[j]] : n.kv![j], vn[j] >= 0 ? out[vn[j]] : n.vv![j]);
            break;
          }
          for (let j = 0; j < kn.length; j++) c.set(kn[j] >= 0 ? out[kn[j]] : n.kv![j], vn[j] >= 0 ? out[vn[j]] : n.vv![j]);
          break;
        }
        case SET: {
          const c = out[i] as Set<unknown>;
          const kn = n.kn!;
          for (let j = 0; j < kn.length; j++) c.add(kn[j] >= 0 ? out[kn[j]] : n.kv![j]);
          break;
        }
        case OP:
          (out[i] as unknown as { point: { obj: unknown } }).point.obj = n.b! >= 0 ? out[n.b!] : n.obj;
          break;
      }
    }
    for (let i = 0; i < this.side_t.length; i++) {
      const t = this.side_t[i];
      const key = out[this.side_k[i]] as object;
      if (t instanceof WeakSet) t.add(key);
      else t.set(key, this.side_n[i] >= 0 ? out[this.side_n[i]] : this.side_v[i]);
    }
    const r: Roots = {};
    for (const [name, n, v] of this.roots) r[name] = n >= 0 ? out[n] : v;
    out.fill(undefined); // the scratch holds no copy past its return
    return r as R;
  }
}

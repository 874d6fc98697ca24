/**
 * A digest of the ENTIRE simulated state (issue #10 §1, "exactness is proven, not
 * assumed"): a deterministic walk of everything reachable from the Engine's
 * Kernel — every page-table entry and ptdesc word (PtStore), every frame
 * descriptor (PageFrames), the mms, VMAs and their counters, the tasks (RCU
 * nesting and exits, locks held, struct vm_fault), RCU's pending grace periods
 * and counts, the TLB model, the clock and jiffies, the mmu and kernel counters,
 * the swap device, the plugin instance's own state — plus each process's
 * data-oracle sequence and the atomic-RMW counters. Typed arrays are hashed
 * whole (capacity included); objects by their own keys in sorted order; Maps and
 * Sets in insertion order; an object seen before by its first-visit number (so
 * sharing is part of the digest). Functions (hooks, RCU callbacks) contribute
 * only that they are there: a closure's captured state is not reachable. An
 * object with a `digest_into(update)` method (PtStore) feeds its simulated state
 * itself: every table slot's entries and ptdesc words and the slot allocator,
 * not the host form that holds them (EMPTY / RUN / DENSE, pool blocks, locks
 * created on first use), which may differ between the two paths.
 *
 * The fast path (EngineOptions.batch, default) and the step-by-step path
 * (`batch: false`) must give the same digest after every script.
 */
import { createHash, type Hash } from "node:crypto";
import { Engine, rmw_counters, type Process, type ReclaimPlugin } from "@mmsim/core";
import { archOf } from "@mmsim/cli";
import { runScript, type Script } from "@mmsim/core/workload";

/** Bytes hashed per update() (below crypto's 2^31 - 1 limit). */
const DIGEST_SLICE = 2 ** 30;

class Digester {
  private readonly h: Hash = createHash("sha256");
  private readonly ids = new Map<object, number>();

  add(v: unknown): void {
    const h = this.h;
    switch (typeof v) {
      case "number":
        h.update(Object.is(v, -0) ? "n-0;" : `n${v};`);
        return;
      case "string":
        h.update(`s${v.length}:${v};`);
        return;
      case "boolean":
        h.update(v ? "T" : "F");
        return;
      case "undefined":
        h.update("u");
        return;
      case "bigint":
        h.update(`b${v};`);
        return;
      case "symbol":
        h.update(`y${v.description ?? ""};`);
        return;
      case "function":
        h.update("f");
        return;
    }
    if (v === null) {
      h.update("z");
      return;
    }
    const o = v as object;
    const seen = this.ids.get(o);
    if (seen !== undefined) {
      h.update(`r${seen};`);
      return;
    }
    this.ids.set(o, this.ids.size);
    if (ArrayBuffer.isView(o)) {
      h.update(`t${o.constructor.name}${o.byteLength};`);
      // In slices: one update() takes at most 2^31 - 1 bytes, and the frame descriptors
      // reserved at the host's largest (4 GiB for a Float64Array) are more (the same hash).
      for (let off = 0; off < o.byteLength; off += DIGEST_SLICE) h.update(new Uint8Array(o.buffer, o.byteOffset + off, Math.min(DIGEST_SLICE, o.byteLength - off)));
      return;
    }
    if (Array.isArray(o)) {
      h.update(`a${o.length};`);
      for (const e of o) this.add(e);
      return;
    }
    if (o instanceof Map) {
      h.update(`m${o.size};`);
      for (const [key, e] of o) {
        this.add(key);
        this.add(e);
      }
      return;
    }
    if (o instanceof Set) {
      h.update(`e${o.size};`);
      for (const e of o) this.add(e);
      return;
    }
    if (o instanceof WeakMap || o instanceof WeakSet) {
      h.update("w");
      return;
    }
    // An object that knows its simulated state apart from its host representation
    // (PtStore: the entries, not which form holds them) gives that state.
    const canonical = (o as { digest_into?: (update: (bytes: Uint8Array) => void) => void }).digest_into;
    if (typeof canonical === "function") {
      h.update(`c${o.constructor?.name ?? ""};`);
      canonical.call(o, (bytes) => h.update(bytes));
      return;
    }
    const keys = Object.keys(o).sort();
    h.update(`o${o.constructor?.name ?? ""}${keys.length};`);
    for (const key of keys) {
      h.update(`k${key};`);
      this.add((o as Record<string, unknown>)[key]);
    }
  }

  hex(): string {
    return this.h.digest("hex");
  }
}

/** The digest of `engine`'s whole simulated state (plus `extra`, e.g. counters taken outside it). */
export function stateDigest(engine: Engine, extra: unknown = null): string {
  const d = new Digester();
  d.add(engine.k);
  // Process.seq (the data oracle's next value) is the process's; the batch scratch objects are not state.
  d.add(engine.processes.map((p) => (p as unknown as { seq: number }).seq));
  d.add(extra);
  return d.hex();
}

export interface DigestRun {
  lines: string[];
  /** The state digest at each status line, then at the end. */
  digests: string[];
}

/**
 * Run `script` on a fresh engine (x86_64, or arm64) with `reclaim` (a fresh instance) on the
 * fast path (`batch` true) or the step-by-step path, digesting the whole state at
 * every output line (status and error lines) and at the end. `prepare` may change the engine first (the
 * mutant check).
 */
export function digestRun(script: Script, reclaim: ReclaimPlugin | null, batch: boolean, prepare?: (e: Engine) => void, arch: "x86_64" | "arm64" = "x86_64"): DigestRun {
  const engine = new Engine({ arch: archOf(arch), reclaim, batch });
  prepare?.(engine);
  const p: Process = engine.spawn();
  const rmw0 = rmw_counters();
  const rmw = () => {
    const r = rmw_counters();
    return { rmw: r.rmw - rmw0.rmw, percpu: r.percpu - rmw0.percpu };
  };
  const digests: string[] = [];
  const result = runScript(script, p, {
    onLine: () => digests.push(stateDigest(engine, rmw())),
  });
  p.return_to_user();
  digests.push(stateDigest(engine, rmw()));
  return { lines: result.lines, digests };
}

/**
 * The scenario op `reclaim` (issue #12 §1): kswapd (the actor's CPU switched to
 * a kernel thread: no mm, lazy TLB) or direct reclaim racing a writer over
 * MADV_FREE'd memory. The explorer's checks (oracle: a discarded page reads
 * zero, a re-dirtied one keeps its value; sanitizers) must hold at every
 * interleaving explored.
 */
import { describe, expect, it } from "vitest";
import { arch } from "../test/arch.js";
import { explore } from "./explore.js";
import { validateScenario, type Scenario } from "./scenario.js";
import type { KPath, ReclaimPlugin, task_struct, vm_area_struct } from "../plugin/kernel.js";

const scenario = (direct: boolean): Scenario => ({
  name: "reclaim-vs-write",
  description: "t",
  setup: [
    { op: "mmap", at: 0, len: "64K" },
    { op: "touch", at: 0, len: "64K", write: true },
    { op: "madvise", at: 0, len: "64K", advice: "free" },
  ],
  actors: [
    { name: "reclaim", cpu: 0, ops: [{ op: "reclaim", len: "64K", direct }] },
    { name: "writer", cpu: 1, ops: [{ op: "touch", at: "8K", len: "8K", write: true }, { op: "touch", at: "8K", len: "8K" }] },
  ],
  hw_walkers: [1],
});

describe("scenario op reclaim", () => {
  it("validates", () => {
    expect(validateScenario(scenario(false)).actors[0].ops[0].op).toBe("reclaim");
  });

  it("kswapd vs a writer: no rule broken in 150 random interleavings", () => {
    const r = explore(scenario(false), { plugin: null, arch, strategy: "random", budget: 150, seed: 3 });
    expect(r.failure ? `${r.failure.rule}: ${r.failure.detail}` : null).toBeNull();
  });

  it("direct reclaim vs a writer: no rule broken in 100 random interleavings", () => {
    const r = explore(scenario(true), { plugin: null, arch, strategy: "random", budget: 100, seed: 5 });
    expect(r.failure ? `${r.failure.rule}: ${r.failure.detail}` : null).toBeNull();
  });

  // kswapd's variant relies on the CPU's TLB catching up when it leaves lazy mode (switch_mm's tlb_gen check:
  // a DONTNEED flush skipped the lazy CPU); without it the at-rest check reports a stale TLB entry.
  it("with a swap device: kswapd and direct reclaim write anon pages to swap against a writer, a reader and MADV_DONTNEED", () => {
    for (const direct of [false, true]) {
      const s: Scenario = {
        name: "swap-reclaim-vs-fault",
        description: "t",
        setup: [
          { op: "swapon", len: "4M" },
          { op: "mmap", at: 0, len: "2M" },
          { op: "touch", at: 0, len: "2M", write: true, stride: "128K" },
        ],
        actors: [
          { name: "reclaim", cpu: 0, ops: [{ op: "reclaim", len: "64K", direct }] },
          { name: "writer", cpu: 1, ops: [{ op: "touch", at: "128K", len: "4K", write: true }, { op: "touch", at: "256K", len: "4K" }, { op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
        ],
        hw_walkers: [2],
        lazy_cpus: [3],
      };
      const r = explore(s, { plugin: null, arch, strategy: "pct", budget: 60, seed: 2 });
      expect(r.failure ? `${r.failure.rule}: ${r.failure.detail}` : null).toBeNull();
    }
  });

  it("kswapd borrows the folio's mm for the rmap walk (the try_to_unmap_one hook sees it); the shrink hook sees none", () => {
    const seen: string[] = [];
    const plugin: ReclaimPlugin = {
      specificationVersion: "v1",
      name: "watch",
      version: "0",
      models: "test",
      supports: {},
      *try_to_unmap_one(t: task_struct, _vma: vm_area_struct): KPath {
        seen.push(t.mm === null ? "walk:no-mm" : "walk:mm");
      },
      *shrink(t: task_struct): KPath {
        seen.push(t.mm === null ? "shrink:no-mm" : "shrink:mm");
      },
    };
    const r = explore(scenario(false), { plugin, arch, strategy: "random", budget: 20, seed: 1 });
    expect(r.failure ? `${r.failure.rule}: ${r.failure.detail}` : null).toBeNull();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toContain("walk:mm");
    expect(seen).toContain("shrink:no-mm");
    expect(seen).not.toContain("walk:no-mm");
    expect(seen).not.toContain("shrink:mm");
  });
});

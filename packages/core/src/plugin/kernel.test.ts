/**
 * The plugin API (@mmsim/core/kernel): explicit out-parameters, the arch's
 * flush and free semantics, and the contract checks at engine build time.
 */
import { describe, expect, it } from "vitest";
import { engine, arch } from "../test/arch.js";
import { G, M, SLOT, mmapFixed } from "../test/helpers.js";
import { run_to_completion } from "../sched/runner.js";
import { flush_tlb_mm_range } from "../tlb/flush.js";
import { isMmsimError } from "@mmsim/spec";
import {
  __pte_offset_map,
  find_vma,
  flush_tlb_range,
  mm_find_pmd,
  pmdp_peek,
  pte_free,
  pte_free_defer,
  pmd_free,
  tlb_gather_mmu,
  type kernel_t,
  pte_offset_map,
  pte_offset_map_lock,
  pte_offset_map_ro_nolock,
  pte_offset_map_rw_nolock,
  pte_unmap,
  pte_unmap_unlock,
  ptep_get,
  spin_is_locked,
  vma_next,
  SPECIFICATION_VERSION,
  type ReclaimPlugin,
} from "./kernel.js";

function mapped() {
  const e = engine();
  const p = e.spawn();
  mmapFixed(p, SLOT, 4 * M);
  p.touch(SLOT, 2 * M, true);
  return { e, p, k: e.k, t: p.task, mm: p.mm };
}

describe("@mmsim/core/kernel: out-parameters are explicit results", () => {
  it("pte_offset_map_rw_nolock returns { pte, pmdval, ptl } for a table and null where the PMD maps none", () => {
    const { k, t, mm } = mapped();
    const pmdp = mm_find_pmd(t, mm, SLOT)!;
    expect(pmdp).not.toBeNull();
    const r = run_to_completion(pte_offset_map_rw_nolock(t, mm, pmdp, SLOT + 4096))!;
    expect(r.pmdval).toBe(pmdp_peek(t, pmdp));
    expect(r.pte).toBe(k.pt.entry(arch.pxd_table_pfn(r.pmdval), 1)); // entry 1 of the table pmdval points at
    expect(arch.pte_present(run_to_completion(ptep_get(t, r.pte)))).toBe(true);
    expect(spin_is_locked(r.ptl)).toBe(false);
    run_to_completion(pte_unmap(t, r.pte));
    // The second 2 MiB was never touched: no PTE table.
    const pmdp2 = mm_find_pmd(t, mm, SLOT + 2 * M)!;
    expect(run_to_completion(pte_offset_map_rw_nolock(t, mm, pmdp2, SLOT + 2 * M))).toBeNull();
    expect(run_to_completion(pte_offset_map(t, pmdp2, SLOT + 2 * M))).toBeNull();
    expect(run_to_completion(__pte_offset_map(t, pmdp2, SLOT + 2 * M))).toBeNull();
    expect(t.rcu_read_depth).toBe(0); // a failed map leaves no RCU section open
  });

  it("pte_offset_map_lock returns the lock it took; pte_unmap_unlock releases it", () => {
    const { t, mm } = mapped();
    const pmdp = mm_find_pmd(t, mm, SLOT)!;
    const r = run_to_completion(pte_offset_map_lock(t, mm, pmdp, SLOT))!;
    expect(spin_is_locked(r.ptl)).toBe(true);
    const ro = run_to_completion(pte_offset_map_ro_nolock(t, mm, pmdp, SLOT))!;
    expect(ro.ptl).toBe(r.ptl);
    expect(ro.pte).toBe(r.pte);
    run_to_completion(pte_unmap(t, ro.pte));
    run_to_completion(pte_unmap_unlock(t, r.pte, r.ptl));
    expect(spin_is_locked(r.ptl)).toBe(false);
    expect(t.rcu_read_depth).toBe(0);
  });

  it("mm_find_pmd is null where an upper level is none", () => {
    const { t, mm } = mapped();
    expect(mm_find_pmd(t, mm, 3 * G * 1024)).toBeNull();
  });

  it("find_vma / vma_next walk the mm's VMAs in order", () => {
    const { p, t, mm } = mapped();
    mmapFixed(p, SLOT + 8 * M, 2 * M, { prot: 1 });
    const v = find_vma(mm, 0)!;
    expect(v.vm_start).toBe(SLOT);
    expect(vma_next(mm, v)!.vm_start).toBe(SLOT + 8 * M);
    expect(vma_next(mm, vma_next(mm, v)!)).toBeNull();
    expect(t.mm).toBe(mm);
  });
});

describe("@mmsim/core/kernel: the arch supplies flush and free semantics", () => {
  it("flush_tlb_range is x86's flush_tlb_mm_range(..., PAGE_SHIFT, freed_tables = false): a lazy-TLB CPU gets no IPI", () => {
    const { k, t, mm } = mapped();
    k.new_task(mm, 1, "lazy");
    k.tlb.switch_mm(1, mm, true); // CPU 1 runs the mm in lazy-TLB mode
    const ipis = k.tlb.counters.ipis;
    run_to_completion(flush_tlb_range(t, find_vma(mm, SLOT)!, SLOT, SLOT + 2 * M));
    expect(k.tlb.counters.ipis).toBe(ipis);
    // pte_free_tlb's flush (freed_tables) does reach it: the difference is the arch's.
    run_to_completion(flush_tlb_mm_range(t, mm, SLOT, SLOT + 2 * M, arch.PAGE_SHIFT, true));
    expect(k.tlb.counters.ipis).toBe(ipis + 1);
  });

  it("pte_free_defer frees the table only after a grace period", () => {
    const { k, t, mm } = mapped();
    const pfn = k.pt.alloc(1, mm.id);
    const reader = k.new_task(mm, 1, "reader");
    reader.rcu_read_depth = 1;
    pte_free_defer(t, mm, pfn);
    k.rcu.rcu_poll();
    expect(k.pt.is_table(pfn)).toBe(true);
    reader.rcu_read_depth = 0;
    k.rcu.reader_exit(reader);
    k.rcu.rcu_poll();
    expect(k.pt.is_table(pfn)).toBe(false);
  });
});

describe("the plugin functions that take the kernel, not the task", () => {
  // pte_free(t, ...) for pte_free(t.k, ...): a plugin's mistake, named, not a TypeError deep in the free.
  // Mutant: kernel_arg() returning its argument unchecked fails this test (a TypeError, no plugin-error).
  it("pte_free, pmd_free and tlb_gather_mmu refuse a task with a plugin-error naming the call", () => {
    const e = engine();
    const p = e.spawn();
    const t = p.task as unknown as kernel_t;
    for (const [name, call] of [
      ["pte_free", () => pte_free(t, p.mm, 1)],
      ["pmd_free", () => pmd_free(t, p.mm, 1)],
      ["tlb_gather_mmu", () => tlb_gather_mmu(t, p.mm)],
    ] as const) {
      let caught: unknown;
      try {
        call();
      } catch (err) {
        caught = err;
      }
      expect(isMmsimError(caught, "plugin-error"), name).toBe(true);
      expect((caught as Error).message).toBe(`${name}(k, ...): the first argument is the kernel (t.k), got a task (t)`);
    }
    // With the kernel they work as before.
    const tlb = tlb_gather_mmu(e.k as unknown as kernel_t, p.mm);
    expect(tlb).toBeTruthy();
  });
});

describe("the contract is checked when an engine is built", () => {
  const plugin = (over: object): ReclaimPlugin => ({ specificationVersion: SPECIFICATION_VERSION, name: "p", version: "0", models: "m", supports: {}, ...over }) as ReclaimPlugin;

  it("a plugin of another contract version is refused with a branded error", () => {
    let caught: unknown;
    try {
      engine(plugin({ specificationVersion: "v9" }));
    } catch (e) {
      caught = e;
    }
    expect(isMmsimError(caught, "plugin-error")).toBe(true);
    expect((caught as Error).message).toContain(`implements specificationVersion "v9"`);
  });

  it("a kernel-path hook that is not a generator is refused before it can run", () => {
    expect(() => engine(plugin({ zap_pte_range_end() {} }))).toThrow(/must be a generator function/);
  });

  it("an arch that does not select MMU_GATHER_RCU_TABLE_FREE is refused", () => {
    let caught: unknown;
    try {
      engine(null, { ...arch, MMU_GATHER_RCU_TABLE_FREE: false });
    } catch (e) {
      caught = e;
    }
    expect(isMmsimError(caught, "config-error")).toBe(true);
  });
});

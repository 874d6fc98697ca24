/**
 * The refcount-side hooks of issue #8 (G3, G12, G14), with a plugin that keeps a
 * plain per-table count the way the 2021 pte_refcount does (entries + holders):
 *   - G3  pmd_install_get / pte_put: the install-time reference of pmd_install()
 *         and pte_alloc_get(), taken under the PMD lock, held by the fault path
 *         until its pte_put;
 *   - G12 free_pte_range: free_pgtables() hands a surviving PTE table to the plugin;
 *   - G14 put_gather(): the mmu_gather of zap_pte_range() / madvise_free_pte_range()
 *         is reachable from the pte_unmap hook (v2 9/9 pte_put_tlb).
 * Each has a mutant (a plugin that breaks the hook's contract) that a test catches.
 */
import { describe, expect, it } from "vitest";
import type { KPath, PteMapKind, PteMapping, kernel_t, mm_struct, mmu_gather, pmd_ptr, pte_ptr, task_struct } from "../plugin/kernel.js";
import { mm_dec_nr_ptes, pmd_clear, pmd_lockptr, pmdp_get_lockless, pmdp_peek, pte_free_defer, pte_offset_kernel, put_gather, spin_is_locked, virt_to_page } from "../plugin/kernel.js";
import { Engine } from "../engine.js";
import type { ReclaimPlugin } from "../plugin/plugin.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed, vm } from "../test/helpers.js";
import { MADV_DONTNEED, MADV_FREE } from "../mm/madvise.js";

interface Log {
  installs: { installed: boolean; locked: boolean }[];
  puts: number;
  refused: number;
  gathers: { kind: PteMapKind; tlb: boolean }[];
  free_pte_range: number;
}

/** A minimal refcount: count = entries + install references (no walker references). */
function counting(o: { refuse_first?: number; free_refused?: boolean; drop_put?: boolean; own_free?: boolean } = {}) {
  const log: Log = { installs: [], puts: 0, refused: 0, gathers: [], free_pte_range: 0 };
  const count = new Map<number, number>();
  let refuse = o.refuse_first ?? 0;
  const plugin: ReclaimPlugin = {
    specificationVersion: "v1",
    name: "install-get-counter",
    version: "0",
    models: "test: counts install references and entries per PTE table",
    supports: {},
    pte_table_ctor(_k: kernel_t, _mm: mm_struct, pfn: number) {
      count.set(pfn, 0);
    },
    track_pte_set(k: kernel_t, ptep: pte_ptr, old: number, pte: number) {
      const pfn = virt_to_page(k, ptep);
      count.set(pfn, count.get(pfn)! + (k.arch.pte_none(pte) ? 0 : 1) - (k.arch.pte_none(old) ? 0 : 1));
    },
    track_pte_clear(k: kernel_t, ptep: pte_ptr, old: number) {
      const pfn = virt_to_page(k, ptep);
      if (!k.arch.pte_none(old)) count.set(pfn, count.get(pfn)! - 1);
    },
    *pte_offset_map(t: task_struct, pmdp: pmd_ptr, addr: number): KPath<PteMapping | null> {
      const a = t.k.arch;
      const pmdval = yield* pmdp_get_lockless(t, pmdp);
      if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_trans_huge(pmdval) || a.pxd_bad(pmdval)) return null;
      return { pte: pte_offset_kernel(t.k, pmdval, addr), pmdval };
    },
    *pte_unmap(t: task_struct, _ptep: pte_ptr, kind: PteMapKind): KPath {
      log.gathers.push({ kind, tlb: put_gather(t) !== null });
    },
    *pmd_install_get(t: task_struct, _mm: mm_struct, pmdp: pmd_ptr, installed: boolean): KPath<boolean> {
      log.installs.push({ installed, locked: spin_is_locked(pmd_lockptr(t.k, pmdp)) });
      if (!installed && refuse > 0) {
        refuse--;
        log.refused++;
        if (o.free_refused && refuse === 0) {
          // What the dying table's last put does meanwhile (free_pte_table under pmd_lock, held here).
          const pfn = t.k.arch.pxd_table_pfn(pmdp_peek(t, pmdp));
          yield* pmd_clear(t, pmdp);
          mm_dec_nr_ptes(t.mm!);
          pte_free_defer(t, t.mm!, pfn);
          count.delete(pfn);
        }
        return false;
      }
      const pfn = t.k.arch.pxd_table_pfn(pmdp_peek(t, pmdp));
      count.set(pfn, count.get(pfn)! + 1);
      return true;
    },
    *pte_put(t: task_struct, _mm: mm_struct, pmdp: pmd_ptr): KPath {
      log.puts++;
      if (o.drop_put) return; // mutant: the put is lost
      const pfn = t.k.arch.pxd_table_pfn(pmdp_peek(t, pmdp));
      count.set(pfn, count.get(pfn)! - 1);
    },
    *free_pte_range(_t: task_struct, _tlb: mmu_gather): KPath<boolean> {
      log.free_pte_range++;
      return o.own_free ?? false;
    },
  };
  return { plugin, log, count };
}

/** Every live table's count equals its entries: all install references were put. */
function unbalanced(e: Engine, count: Map<number, number>): string[] {
  const k = e.k;
  const bad: string[] = [];
  for (const [pfn, c] of count) {
    if (!k.pt.is_table(pfn)) continue;
    let n = 0;
    for (let i = 0; i < 512; i++) if (!k.arch.pte_none(k.pt.get(k.pt.entry(pfn, i)))) n++;
    if (c !== n) bad.push(`table ${pfn}: count ${c}, entries ${n}`);
  }
  return bad;
}

function setup(o: Parameters<typeof counting>[0] = {}) {
  const c = counting(o);
  const e = new Engine({ arch, reclaim: c.plugin });
  const p = e.spawn(0);
  mmapFixed(p, SLOT, 4 * M);
  return { ...c, e, p };
}

describe("G3: pmd_install_get / pte_put (install-time reference)", () => {
  it("the first fault installs with the PMD lock held, later faults take a reference on the table there; each is put", () => {
    const { log, count, e, p } = setup();
    p.touch(SLOT, 64 * 1024, true);
    expect(log.installs[0]).toEqual({ installed: true, locked: true });
    expect(log.installs.slice(1).every((i) => !i.installed && i.locked)).toBe(true);
    expect(log.installs.length).toBe(16);
    expect(log.puts).toBe(16);
    expect(unbalanced(e, count)).toEqual([]);
  });

  it("a refused reference (a dying table) waits until the PMD no longer maps it, then installs a new table", () => {
    // pte_alloc_get's get_unless_zero fails, then pmd_install_get's; the table is freed meanwhile.
    const { log, count, e, p } = setup({ refuse_first: 2, free_refused: true });
    p.touch(SLOT, 4096, true);
    p.touch(SLOT + 4096, 4096, true);
    expect(log.refused).toBe(2);
    expect(log.installs.map((i) => i.installed)).toEqual([true, false, false, true]);
    expect(log.puts).toBe(2);
    expect(unbalanced(e, count)).toEqual([]);
    expect(vm(p).VmRSS).toBe(8);
  });

  it("mutant: a refusal nobody resolves (no free_pte_table clears the PMD) is a wait that never ends", () => {
    const { p } = setup({ refuse_first: 2 });
    p.touch(SLOT, 4096, true);
    expect(() => p.touch(SLOT + 4096, 4096, true)).toThrow(/pmd_install_get: goto retry would block forever/);
  });

  it("mutant: a fault path that loses its pte_put leaves the count above the entries (R11's double accounting)", () => {
    const { count, e, p } = setup({ drop_put: true });
    p.touch(SLOT, 64 * 1024, true);
    expect(unbalanced(e, count)).toEqual([expect.stringMatching(/count 32, entries 16/)]);
  });

  it("without the hook nothing changes: pte_alloc keeps today's path", () => {
    const e = new Engine({ arch });
    const p = e.spawn(0);
    mmapFixed(p, SLOT, 4 * M);
    p.touch(SLOT, 64 * 1024, true);
    expect(vm(p).VmPTE).toBe(12);
  });
});

describe("G12: free_pte_range hook in free_pgtables()", () => {
  it("sees each PTE table munmap leaves behind; false lets core free it", () => {
    const { log, p } = setup();
    p.touch(SLOT, 4 * M, true);
    expect(vm(p).VmPTE).toBe(16);
    p.munmap(SLOT, 4 * M);
    expect(log.free_pte_range).toBe(2);
    expect(vm(p).VmPTE).toBe(0);
  });

  it("mutant: a plugin that claims the table (true) and does nothing leaks it, which VmPTE shows", () => {
    const { log, p } = setup({ own_free: true });
    p.touch(SLOT, 4 * M, true);
    p.munmap(SLOT, 4 * M);
    expect(log.free_pte_range).toBe(2);
    expect(vm(p).VmPTE).toBe(8); // the two PTE tables core skipped; the PMD and PUD went
  });
});

describe("G14: the mmu_gather on the put path (v2 9/9 pte_put_tlb)", () => {
  it("zap_pte_range's and madvise_free_pte_range's unmaps see their gather; a fault's does not", () => {
    const { log, p } = setup();
    p.touch(SLOT, 64 * 1024, true);
    expect(log.gathers.filter((g) => g.kind === "tryget").every((g) => !g.tlb)).toBe(true);
    log.gathers.length = 0;
    p.madvise(SLOT, 64 * 1024, MADV_FREE);
    expect(log.gathers).toEqual([{ kind: "tryget", tlb: true }]);
    log.gathers.length = 0;
    p.madvise(SLOT, 64 * 1024, MADV_DONTNEED);
    expect(log.gathers).toEqual([{ kind: "tryget", tlb: true }]);
    log.gathers.length = 0;
    p.touch(SLOT, 4096, true);
    expect(log.gathers.some((g) => g.tlb)).toBe(false); // withdrawn after the walk
  });
});

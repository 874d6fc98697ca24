/**
 * The 2021 atomic pte_refcount: what the last put frees and when, and R11's
 * balance invariant (count == entries + active walkers).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, isMmsimError, MADV_DONTNEED, MADV_FREE, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE } from "@mmsim/core";
import { actorNames, check_exit, check_mm, execute, PctStrategy, RandomStrategy } from "@mmsim/core/check";
import { mm_find_pmd } from "@mmsim/core/kernel";
import { SCENARIOS } from "@mmsim/conformance";
import { builtinScript, runScript } from "@mmsim/core/workload";
import { describe, expect, it } from "vitest";
import { pte_tryget_map, refcount, type RefcountPlugin } from "./index.js";

const K = 1024;
const M = 1024 * 1024;
const SLOT = 0x200000000000;

/** Every live PTE table the plugin tracks: its pte_refcount, its non-none entries, the references walkers hold. */
function* tables(e: Engine, plugin: RefcountPlugin) {
  const k = e.k;
  for (const [pfn, page] of plugin.state.pages) {
    if (!k.pt.is_table(pfn)) continue;
    const base = k.pt.entry(pfn, 0);
    let entries = 0;
    for (let i = 0; i < 512; i++) if (!k.arch.pte_none(k.pt.get(base + i))) entries++;
    yield { pfn, count: page.pte_refcount.counter, entries, walkers: plugin.state.visitors.get(pfn) ?? 0 };
  }
}

/** R11: for every live PTE table, pte_refcount == present entries + references held by walkers. */
function balance(e: Engine, plugin: RefcountPlugin): string[] {
  const bad: string[] = [];
  for (const t of tables(e, plugin))
    if (t.count !== t.entries + t.walkers) bad.push(`table ${t.pfn}: pte_refcount ${t.count} != ${t.entries} entries + ${t.walkers} walkers`);
  return bad;
}

/** At rest (no syscall or fault running): no references held by walkers, and pte_refcount == present entries. */
function quiescent(e: Engine, plugin: RefcountPlugin): string[] {
  const bad: string[] = [];
  for (const t of tables(e, plugin))
    if (t.count !== t.entries || t.walkers !== 0)
      bad.push(`table ${t.pfn}: pte_refcount ${t.count} != ${t.entries} entries (${t.walkers} references held with no walker running)`);
  return bad;
}

function setup(plugin: RefcountPlugin) {
  const e = new Engine({ arch: x86_64(), reclaim: plugin });
  const p = e.spawn();
  return { e, p };
}

describe("refcount (v2 default)", () => {
  it("declares the 5.14 era and the atomic walker refcount", () => {
    const r = refcount();
    expect(r.era).toBe("5.14");
    expect(r.supports.walker_refcount).toBe("atomic");
    expect(r.name).toBe("refcount");
  });

  it("frees a table at the last put of MADV_DONTNEED, through the gather (pte_free_tlb) and a grace period", () => {
    const plugin = refcount();
    const { e, p } = setup(plugin);
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    expect(p.status().VmPTE).toBe(16);
    expect(balance(e, plugin)).toEqual([]);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED);
    expect(p.status().VmPTE).toBe(8);
    expect(plugin.state.freed).toBe(2);
    expect(check_mm(e.k, p.mm)).toEqual([]);
    p.exit();
    p.idle(20);
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("keeps a partly emptied table, with the count equal to its entries", () => {
    const plugin = refcount();
    const { e, p } = setup(plugin);
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 2 * M, true);
    p.madvise(SLOT, M, MADV_DONTNEED);
    expect(p.status().VmPTE).toBe(12);
    const counts = [...plugin.state.pages.values()].map((pg) => pg.pte_refcount.counter);
    expect(counts).toEqual([256]);
    expect(balance(e, plugin)).toEqual([]);
  });

  it("MADV_FREE keeps the tables (the lazily freed pages are still mapped)", () => {
    const plugin = refcount();
    const { e, p } = setup(plugin);
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 2 * M, true);
    p.madvise(SLOT, 2 * M, MADV_FREE);
    expect(p.status().VmPTE).toBe(12);
    expect(balance(e, plugin)).toEqual([]);
  });

  it("leaves only upper-level tables after the seed loop", () => {
    const plugin = refcount();
    const { e, p } = setup(plugin);
    runScript(builtinScript("seed-small")!, p);
    expect(p.status().VmPTE).toBe(12);
    expect(balance(e, plugin)).toEqual([]);
    p.exit();
    p.idle(20);
    expect(check_exit(e.k, p.mm)).toEqual([]);
  });

  it("R11 balance holds inside a walk: count == entries + the walkers holding a reference", () => {
    const plugin = refcount();
    const seen: string[][] = [];
    let walkers = 0;
    let e: Engine | null = null;
    const map = plugin.pte_offset_map!.bind(plugin);
    plugin.pte_offset_map = function* (t, pmdp, addr, kind) {
      const m = yield* map(t, pmdp, addr, kind);
      if (m && kind === "tryget" && e) {
        walkers = Math.max(walkers, [...plugin.state.visitors.values()].reduce((x, y) => x + y, 0));
        seen.push(balance(e, plugin));
      }
      return m;
    };
    const s = setup(plugin);
    e = s.e;
    s.p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    s.p.touch(SLOT, 64 * 1024, true);
    s.p.madvise(SLOT, 32 * 1024, MADV_DONTNEED);
    expect(seen.length).toBeGreaterThan(16);
    expect(walkers).toBe(2); // a fault holds its pte_alloc_get reference and its pte_offset_map_lock one
    expect(seen.flat()).toEqual([]);
    expect(quiescent(e, plugin)).toEqual([]);
  });

  it("mutant: without pte_put the fault's install reference leaks: the count stays above the entries and exit hits free_pte_range's BUG()", () => {
    const plugin = refcount();
    (plugin as { pte_put?: unknown }).pte_put = undefined;
    const { e, p } = setup(plugin);
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 16 * 1024, true);
    expect(quiescent(e, plugin)).toEqual([expect.stringMatching(/pte_refcount 8 != 4 entries \(4 references held with no walker running\)/)]);
    expect(() => p.exit()).toThrow(/BUG\(\) in free_pte_range\(\).*pte_refcount 4/);
  });

  it("mutant (R17): a walker that maps without its tryget but unmaps with a put frees the table under the others", () => {
    const plugin = refcount();
    const map = plugin.pte_offset_map!.bind(plugin);
    let skip = 0;
    plugin.pte_offset_map = function* (t, pmdp, addr, kind) {
      // One unconverted pte_offset_map() (no reference), paired with a converted pte_unmap() (a put).
      if (kind === "tryget" && skip-- > 0) return yield* map(t, pmdp, addr, "stable");
      return yield* map(t, pmdp, addr, kind);
    };
    const { e, p } = setup(plugin);
    p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4096, true);
    expect(check_mm(e.k, p.mm)).toEqual([]);
    skip = 1;
    p.touch(SLOT + 4096, 4096, true); // the fault's extra put drops the first page's entry reference: the table goes
    expect(plugin.state.freed).toBe(1);
    expect(check_mm(e.k, p.mm).length).toBeGreaterThan(0);
  });

  // Not covered: mremap's move_normal_pmd() moving a whole table (the 2021
  // series' pte_migrate_pmd() updating the back-pointer has no hook yet).
  it("fork and mremap (move_ptes) put the install reference of the tables they allocate (pte_alloc_get + pte_put): nothing leaks, exit is clean", () => {
    const plugin = refcount();
    const { e, p } = setup(plugin);
    p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 4 * M, true);
    const child = p.fork();
    expect(balance(e, plugin)).toEqual([]);
    expect(child.status().VmPTE).toBe(p.status().VmPTE);
    // Not PMD-aligned at the destination: move_ptes() entry by entry into new tables.
    const moved = p.mremap(SLOT, 4 * M, 4 * M, 3 /* MREMAP_MAYMOVE | MREMAP_FIXED */, SLOT + 64 * M + 4096);
    expect(moved).toBe(SLOT + 64 * M + 4096);
    expect(balance(e, plugin)).toEqual([]);
    expect(check_mm(e.k, p.mm)).toEqual([]);
    for (const q of [child, p]) {
      q.exit();
      q.idle(20);
      expect(check_exit(e.k, q.mm)).toEqual([]);
    }
  });

  it("v1 and v3 free the same tables; v1 at once, v2/v3 after a grace period", () => {
    for (const version of ["v1", "v3"] as const) {
      const plugin = refcount({ version });
      expect(plugin.name).toBe(`refcount-${version}`);
      const { e, p } = setup(plugin);
      p.mmap(SLOT, 4 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
      p.touch(SLOT, 4 * M, true);
      p.madvise(SLOT, 4 * M, MADV_DONTNEED);
      expect(p.status().VmPTE).toBe(8);
      expect(plugin.state.freed).toBe(2);
      expect(balance(e, plugin)).toEqual([]);
    }
    expect(() => refcount({ version: "v4" as never })).toThrow(/unknown version/);
  });
});


describe("options and manifest (issue #9 §2: Stryker survivors index.ts:29, :37)", () => {
  it("an unknown version is a config-error; only v1 frees without RCU (pte_free() at once)", () => {
    let err: unknown = null;
    try {
      refcount({ version: "v4" as never });
    } catch (e) {
      err = e;
    }
    expect(isMmsimError(err, "config-error")).toBe(true);
    expect(refcount({ version: "v1" }).supports.rcu_table_free).toBe(false);
    expect(refcount().supports.rcu_table_free).toBe(true);
    expect(refcount({ version: "v3" }).supports.rcu_table_free).toBe(true);
  });
});

describe("the free, per posting (issue #9 §2: Stryker survivors index.ts:43, pte_ref.ts:154, :208)", () => {
  it("a table's struct page fields go with it: pte_refcount exists exactly for the live PTE tables (the dtor drops a freed one's)", () => {
    const plugin = refcount();
    const { e, p } = setup(plugin);
    const live = () => [...plugin.state.pages.keys()].filter((pfn) => e.k.pt.is_table(pfn)).length;
    p.mmap(SLOT, 8 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
    p.touch(SLOT, 8 * M, true);
    expect(plugin.state.pages.size).toBe(4);
    p.madvise(SLOT, 4 * M, MADV_DONTNEED); // the last puts free two tables (pte_free_tlb, then RCU)
    p.idle(10);
    expect(p.status().VmPTE).toBe(16);
    expect(plugin.state.pages.size).toBe(2);
    expect(live()).toBe(2);
    p.munmap(SLOT + 4 * M, 4 * M);
    p.idle(10);
    expect(plugin.state.pages.size).toBe(0);
  });

  for (const version of ["v1", "v2", "v3"] as const)
    it(`${version}: a walker's last put frees with no gather (put_gather() NULL) and flushes the slice: CPU 1's cached PMD→table walk goes`, () => {
      const plugin = refcount({ version });
      const { e, p } = setup(plugin);
      const k = e.k;
      const t = p.task;
      p.mmap(SLOT, 2 * M, 3, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE);
      p.touch(SLOT, 4 * K, true);
      k.tlb.track_entries = true;
      k.tlb.switch_mm(1, p.mm); // another thread of the mm runs on CPU 1
      const run = <T>(g: Generator<unknown, T, unknown>): T => {
        const r = g.next();
        expect(r.done).toBe(true);
        return r.value as T;
      };
      const pmdp = mm_find_pmd(t, p.mm, SLOT)!;
      const m = run(pte_tryget_map(plugin.state, t, pmdp, SLOT))!; // a walker's reference
      expect(p.madvise(SLOT, 4 * K, MADV_DONTNEED)).toBe(0); // the entry's reference goes; the walker's keeps the table
      expect(p.status().VmPTE).toBe(12);
      k.tlb.cpus[1].pwc.set(SLOT / (2 * M), k.arch.pxd_table_pfn(m.pmdval)); // CPU 1's MMU walked through it since
      run(plugin.pte_unmap!(t, m.pte, "tryget") as Generator<unknown, void, unknown>); // the last put: free_pte_table(tlb = NULL)
      expect(p.status().VmPTE).toBe(8);
      expect(k.tlb.cpus[1].pwc.has(SLOT / (2 * M))).toBe(false);
      p.idle(10);
      expect(check_mm(e.k, p.mm)).toEqual([]);
    });

  it("v1: pte_try_get() under pmd_lock (no RCU: v1 frees at once): dontneed-twice-vs-pmd-install passes", () => {
    // v1's lockless (v2-style) pte_try_get would meet a table freed under it: "RCU: freed before a grace period".
    const s = SCENARIOS.find((x) => x.name === "dontneed-twice-vs-pmd-install")!;
    const pct = new PctStrategy(7919, actorNames(s).length, 3, 400);
    for (let n = 0; n < 10 && pct.new_execution(); n++) expect(execute(s, pct, { plugin: refcount({ version: "v1" }), arch: x86_64() }).violation).toBeNull();
    const rnd = new RandomStrategy(1);
    for (let n = 0; n < 10 && rnd.new_execution(); n++) expect(execute(s, rnd, { plugin: refcount({ version: "v1" }), arch: x86_64() }).violation).toBeNull();
  });
});

/**
 * Runtime sanitizers for explored executions (off in bulk runs: Kernel.sanitizer
 * is null). Each check throws a SanitizerViolation at the operation that breaks
 * its rule, so the failing schedule ends exactly there.
 *
 * | rule | checked at |
 * |---|---|
 * | page-table use after free | every entry load/store through a freed (quarantined) table; hardware walks through a cached pointer |
 * | table freed while still reachable | tlb_remove_table / pte_free: the linking entry still points at it |
 * | lost mapping | a PTE table unlinked for freeing still has non-none entries |
 * | RCU: freed before a grace period | the free runs while a reader that existed at unlink time is still inside its section |
 * | stale paging-structure cache | a table is freed while some CPU's paging-structure cache still points at it |
 * | stale TLB entry | a page is freed while some CPU's TLB still maps it; or, at rest (every path done, every IPI taken), a CPU running the mm still translates an address to a page its PTE no longer maps (check_tlb_at_rest) |
 * | PTE write without the PTE lock | set_pte_at / ptep_get_and_clear on a linked table, PTL not held |
 * | PMD write without the PMD lock | pmd_populate / pmd_clear / set_pmd_at on a linked PMD table, outside free_pgtables |
 * | lock order | acquiring lock class B while holding A, when B → … → A was seen before (lockdep) |
 * | ptlock use after free | spin_lock / spin_trylock of a PTE table's split lock after the table's pagetable_dtor() ran (ptlock_free), or the dtor of a table whose lock is held (R31) |
 * | double free | freeing a frame that is already free |
 *
 * With Kernel.rcu_upper (seed 001's "another plan": PMD/PUD tables freed while the mm lives):
 *
 * | rule | checked at |
 * |---|---|
 * | lost mapping (PMD/PUD) | a PMD or PUD table unlinked for freeing, or really freed after the grace period, with a non-none entry (a PTE table or huge page installed into a detached table) |
 * | page-table use after free (PUD→PMD cache) | a hardware walk through a cached PUD→PMD-table pointer to a freed table |
 * | stale paging-structure cache (PUD) | a PMD table is freed while some CPU's PUD→PMD cache still points at it |
 * | ptlock use after free (PMD) | spin_lock of a PMD table's split lock after the table was freed (the lock lives in the ptdesc), or the free of a table whose lock is held |
 * | SRCU: freed before a grace period | ("srcu" option) a PMD/PUD table freed while an SRCU reader that existed at unlink time is still inside its section |
 * | PUD write without pud_lock | pud_clear / pud_populate on a linked PUD table without mm->page_table_lock, outside free_pgtables |
 *
 * Always: | sleep inside an RCU read section | might_sleep() (or synchronize_srcu) with rcu_read_lock held or IRQs off |
 */
import type { Task } from "../sched/task.js";
import type * as types from "../types/kernel.js";
import { LEVEL_NAME, PMD_LEVEL, PTE_LEVEL, PUD_LEVEL } from "../pgtable/store.js";
import { walk_pmd } from "../pgtable/walk.js";
import type { MmStruct } from "../types/mm_types.js";
import { MmsimError } from "@mmsim/spec";

export type PteWriteMutant = "any-holder" | "missing-lock";
export const PTE_WRITE_MUTANTS: readonly PteWriteMutant[] = ["any-holder", "missing-lock"];

export class SanitizerViolation extends MmsimError {
  constructor(
    readonly rule: string,
    readonly detail: string,
  ) {
    super("sanitizer-violation", `${rule}: ${detail}`);
  }
}

const KERNEL_LOCK_ORDER: [string, string][] = [
  ["mmap_lock", "vm_lock"],
  ["mmap_lock", "pmd_lock"],
  ["vm_lock", "pmd_lock"],
  ["pmd_lock", "ptl"],
  ["page_table_lock", "ptl"],
];

interface Unlinked {
  /** Readers inside an RCU read-side section when the table was unlinked, with their exit counts then. */
  readers: { t: Task; exits: number }[];
  /** ("srcu" option, upper-level tables) SRCU readers at unlink time. */
  srcu_readers?: { t: Task; exits: number }[];
}

export class Sanitizer implements types.Sanitizer {
  /** Tables handed to tlb_remove_table, by PFN, with what the RCU rule needs. */
  private readonly unlinked = new Map<number, Unlinked>();
  /** Lock-class dependency graph (lockdep): class → classes acquired while holding it. */
  private readonly deps = new Map<string, Set<string>>();
  /** Set while free_pgtables() runs: it clears entries of detached VMAs without the PTL, as Linux does. */
  // Map/Set rather than WeakMap/WeakSet (one sanitizer per execution, so nothing to
  // collect early): the explorer's post-setup snapshot copies them (check/setup_snapshot.ts).
  readonly no_ptl_ok: WeakSet<Task> = new Set<Task>();
  /** Violations are thrown; this keeps the first for reporting after a caught exception. */
  first: SanitizerViolation | null = null;
  /** Split PTE locks of tables whose pagetable_dtor() ran (ptlock_free()), with the table's PFN. */
  private readonly freed_ptlocks = new Map<object, number>();
  /** Split PMD locks of PMD tables freed (Kernel.rcu_upper), with the table's PFN. */
  private readonly freed_pmd_locks = new Map<object, number>();
  /**
   * A deliberately broken fast path of pte_write() (sanitizer.test.ts): "any-holder"
   * lets a write through when anyone holds the table's lock, "missing-lock" when
   * the lock does not exist yet. Null: the real check.
   */
  pte_write_mutant: PteWriteMutant | null = null;
  /** The plugin's pte_table_dtor hook (or null), which the sanitizer's own hook calls after observing. */
  private readonly plugin_dtor: types.Hooks["pte_table_dtor"];

  constructor(private readonly k: types.Kernel) {
    k.pt.quarantine = true;
    // pagetable_dtor() is where core calls the plugin's pte_table_dtor hook (at the
    // real free since Linux 6.14; at hand-over before). Observe every call there,
    // with or without a plugin hook, to know when each table's ptlock is freed.
    this.plugin_dtor = k.hooks.pte_table_dtor;
    this.attach_dtor();
    // The documented order (Documentation/mm/process_addrs.rst, mm/rmap.c), known to
    // lockdep from every boot: mmap_lock → VMA lock → pmd_lock / page_table_lock → PTE lock.
    for (const [a, b] of KERNEL_LOCK_ORDER) this.edge(a, b);
  }

  /**
   * Install the sanitizer's pte_table_dtor hook into its kernel. A copy of a
   * sanitizer and its kernel (the explorer's post-setup snapshot) calls this
   * again: the hook is a closure over the sanitizer it belongs to.
   */
  attach_dtor(): void {
    const dtor = this.plugin_dtor;
    this.k.hooks.pte_table_dtor = (kk, mm, pfn) => {
      this.table_dtor(pfn);
      dtor?.(kk, mm, pfn);
    };
  }

  private edge(a: string, b: string): void {
    let s = this.deps.get(a);
    if (!s) this.deps.set(a, (s = new Set()));
    s.add(b);
  }

  private fail(rule: string, detail: string): never {
    const v = new SanitizerViolation(rule, detail);
    if (!this.first) this.first = v;
    throw v;
  }

  private table_of_entry(p: number): number {
    return this.k.pt.table_of(p);
  }

  entry_read(t: Task, p: number): void {
    if (this.table_of_entry(p) === 0) this.fail("page-table use after free", `${t.comm} read an entry of a freed table (slot ${Math.floor(p / 512)})`);
  }

  pte_write(t: Task, p: number): void {
    const pfn = this.table_of_entry(p);
    if (pfn === 0) this.fail("page-table use after free", `${t.comm} wrote a PTE in a freed table`);
    const k = this.k;
    // Fast path (explore6): the writer holds the table's lock, the common case (every PTE the zap
    // clears). The checks below would pass too: whether the table is linked or not, and whatever
    // no_ptl_ok says, ptl_of() returns this same lock. ptl_if_any() creates no lock, as the
    // early returns below create none.
    const l = k.pt.ptl_if_any(pfn);
    const m = this.pte_write_mutant;
    if (l !== null && (l.owner === t || (m === "any-holder" && l.owner !== null))) return;
    if (l === null && m === "missing-lock") return;
    if (this.no_ptl_ok.has(t) || !k.pt.is_linked(pfn, k.arch.mk_table_entry)) return;
    const ptl = k.pt.ptl_of(pfn);
    if (ptl.owner !== t) this.fail("PTE write without the PTE lock", `${t.comm} wrote PTE ${p % 512} of table ${pfn} without its ptl`);
  }

  pxd_write(t: Task, p: number): void {
    const pfn = this.table_of_entry(p);
    if (pfn === 0) this.fail("page-table use after free", `${t.comm} wrote an entry of a freed table`);
    const k = this.k;
    if (k.rcu_upper && k.pt.level_of(pfn) === PUD_LEVEL && !this.no_ptl_ok.has(t) && k.pt.is_linked(pfn, k.arch.mk_table_entry)) {
      const mm = k.mms.get(k.frames.get_owner(pfn));
      if (mm !== undefined && mm.page_table_lock.owner !== t)
        this.fail("PUD write without pud_lock", `${t.comm} changed PUD ${p % 512} of table ${pfn} without pud_lock (mm->page_table_lock)`);
    }
    if (k.pt.level_of(pfn) !== PMD_LEVEL || this.no_ptl_ok.has(t) || !k.pt.is_linked(pfn, k.arch.mk_table_entry)) return;
    if (k.pt.ptl_of(pfn).owner !== t) this.fail("PMD write without the PMD lock", `${t.comm} changed PMD ${p % 512} of table ${pfn} without pmd_lock`);
  }

  /** tlb_remove_table(): the caller has unlinked `pfn` and hands it over for freeing. */
  table_unlinked(t: Task, pfn: number): void {
    const k = this.k;
    if (!k.pt.is_table(pfn)) this.fail("double free", `${t.comm} freed table ${pfn} twice`);
    if (k.pt.is_linked(pfn, k.arch.mk_table_entry)) this.fail("table freed while still reachable", `${t.comm} freed table ${pfn}, its PMD still points at it`);
    if (k.pt.level_of(pfn) === PTE_LEVEL && !k.pt.is_empty(pfn)) {
      // All-zero tables (the occupancy count) have nothing mapped; otherwise look for a mapped entry.
      const s = k.pt.slot(pfn) * 512;
      for (let i = 0; i < 512; i++)
        if (!k.arch.pte_none(k.pt.get(s + i)))
          this.fail("lost mapping", `${t.comm} freed PTE table ${pfn} with entry ${i} still mapped (user data lost)`);
    }
    if (k.rcu_upper && k.pt.level_of(pfn) > PTE_LEVEL) this.upper_empty(pfn, `${t.comm} freed`);
    const readers: Unlinked["readers"] = [];
    for (const r of k.rcu.tasks) if (r.rcu_read_depth > 0 || r.irq_disabled > 0) readers.push({ t: r, exits: r.rcu_exits });
    const u: Unlinked = { readers };
    if (k.rcu_upper && k.pmd_entry_sleep === "srcu" && k.pt.level_of(pfn) > PTE_LEVEL) u.srcu_readers = k.srcu.readers();
    this.unlinked.set(pfn, u);
  }

  /** Lost mapping, one level up: every entry of upper-level table `pfn` is none. */
  private upper_empty(pfn: number, who: string): void {
    const k = this.k;
    const level = k.pt.level_of(pfn);
    const s = k.pt.slot(pfn) * 512;
    for (let i = 0; i < 512; i++)
      if (!k.arch.pxd_none(k.pt.get(s + i)))
        this.fail("lost mapping", `${who} ${LEVEL_NAME[level].toUpperCase()} table ${pfn} with entry ${i} still mapping ${k.arch.pmd_leaf(k.pt.get(s + i)) && level === PMD_LEVEL ? "a huge page" : "a table"} (user data lost)`);
  }

  /** The page-table page is really being freed (RCU callback, or pte_free). */
  table_freed(pfn: number): void {
    const k = this.k;
    if (!k.pt.is_table(pfn)) this.fail("double free", `table ${pfn} freed twice`);
    const u = this.unlinked.get(pfn);
    if (u) {
      for (const r of u.readers)
        if (r.t.rcu_exits <= r.exits)
          this.fail("RCU: freed before a grace period", `table ${pfn} freed while ${r.t.comm} is still in the read-side section it was in at unlink time`);
      for (const r of u.srcu_readers ?? [])
        if (!k.srcu.left(r.t, r.exits))
          this.fail("SRCU: freed before a grace period", `table ${pfn} freed while ${r.t.comm} is still in the SRCU section it was in at unlink time`);
      this.unlinked.delete(pfn);
    } else if (k.pt.is_linked(pfn, k.arch.mk_table_entry)) this.fail("table freed while still reachable", `table ${pfn}`);
    else if (k.pt.parent_of(pfn) >= 0) {
      // Freed at once (pte_free) after having been linked: no grace period at all.
      for (const r of k.rcu.tasks)
        if (r.rcu_read_depth > 0 || r.irq_disabled > 0)
          this.fail("RCU: freed before a grace period", `table ${pfn} freed with no grace period while ${r.comm} is in an RCU read-side section`);
    }
    for (let c = 0; c < k.tlb.cpus.length; c++)
      for (const [region, cached] of k.tlb.cpus[c].pwc)
        if (cached === pfn)
          this.fail("stale paging-structure cache", `CPU ${c} still caches PMD→table ${pfn} for 0x${(region * 2097152).toString(16)} when the table is freed`);
    if (k.rcu_upper && k.pt.level_of(pfn) > PTE_LEVEL) this.upper_freed(pfn);
  }

  /** Kernel.rcu_upper: the real free of a PMD/PUD table (after its grace period). */
  private upper_freed(pfn: number): void {
    const k = this.k;
    // Still empty: nothing was installed into it after it was unlinked.
    this.upper_empty(pfn, "the RCU callback freed");
    for (let c = 0; c < k.tlb.cpus.length; c++)
      for (const [region, cached] of k.tlb.cpus[c].pwc_pud)
        if (cached === pfn)
          this.fail("stale paging-structure cache", `CPU ${c} still caches PUD→PMD table ${pfn} for 0x${(region * 1073741824).toString(16)} when the table is freed`);
    if (k.pt.level_of(pfn) === PMD_LEVEL) {
      // The split PMD lock lives in the ptdesc (pmd_ptlock_free in pagetable_dtor).
      const ptl = k.pt.ptl_of(pfn);
      if (ptl.owner !== null) this.fail("ptlock use after free", `the free of PMD table ${pfn} frees its split lock while ${ptl.owner.comm} holds it`);
      this.freed_pmd_locks.set(ptl, pfn);
    }
  }

  /** might_sleep(): no sleeping in an RCU read-side section or with IRQs off. */
  might_sleep(t: Task, what: string): void {
    if (t.rcu_read_depth > 0 || t.irq_disabled > 0)
      this.fail("sleep inside an RCU read section", `${t.comm} may sleep in ${what} ${t.irq_disabled > 0 ? "with IRQs off" : "inside rcu_read_lock()"} (BUG: sleeping function called from invalid context)`);
  }

  /** A CPU's hardware walker used a cached PMD→table pointer to a freed or reused table. */
  stale_walk(cpu: number, table: number, addr: number, level: "PMD" | "PUD" = "PMD"): void {
    if (level === "PUD")
      this.fail("page-table use after free", `CPU ${cpu}'s hardware walker followed its cached PUD→PMD table ${table} for 0x${addr.toString(16)} into a freed page (dirty page table)`);
    this.fail("page-table use after free", `CPU ${cpu}'s hardware walker followed its cached PMD→table ${table} for 0x${addr.toString(16)} into a freed page (dirty page table)`);
  }

  /**
   * A data page is freed (after the flush): no CPU that runs the mm may still
   * translate to it. Lazy-TLB CPUs are skipped: they make no user accesses and
   * flush on switching back (tlb_gen); x86 leaves them out of such flushes.
   */
  page_freed(pfn: number): void {
    for (let c = 0; c < this.k.tlb.cpus.length; c++)
      if (!this.k.tlb.cpus[c].lazy && this.k.tlb.cpus[c].entries.size > 0) {
        const vpn = this.k.tlb.cpus[c].entries.vpn_of(pfn);
        if (vpn >= 0) this.fail("stale TLB entry", `CPU ${c} still maps 0x${(vpn * 4096).toString(16)} to freed page ${pfn}`);
      }
  }

  /**
   * At rest (the run is over, its flushes done): every CPU that runs an mm, not
   * lazily, translates each cached address to the page the mm's tables map there
   * now. A translation left behind by a path that cleared or changed a PTE and
   * never flushed it outlives every later flush of other ranges: after a new
   * page is faulted in at that address, that CPU still reads the old page (for a
   * zero-page entry: zeros instead of what another thread wrote). Lazy-TLB CPUs
   * are skipped, as page_freed() does: they flush on switching back (tlb_gen).
   * Pending IPIs are taken first (flush_tlb_mm_range() waits for them).
   */
  check_tlb_at_rest(): void {
    const k = this.k;
    for (const cpu of k.tlb.pending_cpus()) k.tlb.deliver(cpu);
    for (let c = 0; c < k.tlb.cpus.length; c++) {
      const st = k.tlb.cpus[c];
      const mm = st.lazy ? undefined : k.mms.get(st.loaded_mm);
      if (mm === undefined || mm.exited) continue;
      for (const [vpn, cached] of st.entries) {
        const now = translate(k, mm, vpn * 4096);
        if (now !== cached)
          this.fail(
            "stale TLB entry",
            `at rest, CPU ${c} still translates 0x${(vpn * 4096).toString(16)} to page ${cached}, but the page tables ${now < 0 ? "map nothing there" : `map page ${now}`} (an entry cleared or changed without a flush)`,
          );
      }
    }
  }

  /**
   * pagetable_dtor() of PTE table `pfn` ran: with ALLOC_SPLIT_PTLOCKS its lock is
   * kfree'd (ptlock_free). R31 (syzbot, PT_RECLAIM): a pte_offset_map_lock()
   * that looked the lock up under RCU and spins on it now uses freed memory; the
   * table page is RCU-protected, its lock is not unless the dtor waits for the
   * grace period ("move pagetable_*_dtor() to __tlb_remove_table()").
   */
  table_dtor(pfn: number): void {
    const k = this.k;
    if (!k.pt.is_table(pfn)) return;
    const ptl = k.pt.ptl_of(pfn);
    if (ptl.owner !== null) this.fail("ptlock use after free", `pagetable_dtor() of PTE table ${pfn} frees its lock while ${ptl.owner.comm} holds it`);
    this.freed_ptlocks.set(ptl, pfn);
  }

  /** lockdep: `cls` is acquired (blocking) while `t` holds its other locks; `lock`, when given, must not be a freed ptlock. */
  lock_acquire(t: Task, cls: string, trylock: boolean, lock?: object): void {
    if (lock !== undefined) {
      const pfn = this.freed_ptlocks.get(lock);
      if (pfn !== undefined)
        this.fail("ptlock use after free", `${t.comm} takes the PTE lock of table ${pfn} after the table's pagetable_dtor() freed it (ptlock_free)`);
      const pmd = this.freed_pmd_locks.get(lock);
      if (pmd !== undefined) this.fail("ptlock use after free", `${t.comm} takes the split PMD lock of table ${pmd} after the table was freed`);
    }
    if (trylock) return; // a trylock cannot deadlock and adds no dependency
    for (const h of t.held) {
      const hc = (h as { cls?: string; name: string }).cls ?? (h as { name: string }).name;
      if (hc === cls) continue;
      // Known order hc → cls: the graph stays acyclic (an edge is added only when
      // its reverse is unreachable), so cls cannot reach hc; nothing to search or add.
      if (this.deps.get(hc)?.has(cls)) continue;
      if (this.reaches(cls, hc)) this.fail("lock order", `${t.comm} takes ${cls} while holding ${hc}, but the order ${cls} → ${hc} is established (ABBA deadlock)`);
      this.edge(hc, cls);
    }
  }

  private reaches(from: string, to: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const c = stack.pop()!;
      if (c === to) return true;
      if (seen.has(c)) continue;
      seen.add(c);
      for (const n of this.deps.get(c) ?? []) stack.push(n);
    }
    return false;
  }
}

/** What the MMU would translate `addr` to now through the mm's tables (a present PTE or a huge PMD), or -1. */
function translate(k: types.Kernel, mm: MmStruct, addr: number): number {
  const a = k.arch;
  const pmdp = walk_pmd(k, mm, addr);
  if (pmdp < 0) return -1;
  const pmd = k.pt.get(pmdp);
  // Bit 0 (x86 P, arm64 VALID): a huge entry pmdp_invalidate() left does not translate.
  if (a.pxd_none(pmd) || !a.pxd_present(pmd) || ((pmd >>> 0) & 1) === 0) return -1;
  if (a.pmd_leaf(pmd)) return a.pxd_pfn(pmd) + (Math.floor(addr / 4096) % 512);
  const pte = k.pt.get(k.pt.entry(a.pxd_table_pfn(pmd), Math.floor(addr / 4096) % 512));
  return a.pte_present(pte) ? a.pte_pfn(pte) : -1;
}

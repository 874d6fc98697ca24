import { PG_PGTABLE, type PageFrames } from "../mm/page_alloc.js";
import { SpinLock } from "../sync/spinlock.js";
import { MmsimError } from "@mmsim/spec";
import type * as types from "../types/mm_types.js";

/** Table levels, as the kernel names them. */
export const PTE_LEVEL = 1;
export const PMD_LEVEL = 2;
export const PUD_LEVEL = 3;
export const P4D_LEVEL = 4;
export const PGD_LEVEL = 5;
export const LEVEL_NAME = ["", "pte", "pmd", "pud", "p4d", "pgd"] as const;

/** What freed table entries are overwritten with: a non-none, non-present garbage pattern. */
export const PAGE_POISON_ENTRY = 0xdead000 * 4096 + 0xbad;

/**
 * The contents of every page-table page, compactly: 512 entries per table in one
 * Float64Array (entries in the arch's packed form, see pgtable/arch.ts), plus the
 * ptdesc fields of each table page: level, owning mm (pt_mm), the split page-table
 * lock (ptl), and per-plugin private slots.
 *
 * A table is addressed by its PFN, like hardware: upper-level entries hold the PFN
 * of the table below. A pointer to an entry (`pte_t *ptep`) is an index into
 * `ent`: `slot * 512 + i`. Freed tables are poisoned with PAGE_POISON_ENTRY.
 */
export class PtStore implements types.PtStore {
  private ent = new Float64Array(0);
  /** PFN → slot, or -1. */
  private slot_of = new Int32Array(0);
  /** slot → PFN, or 0 when the slot is free. */
  private pfn_of = new Int32Array(0);
  private level = new Uint8Array(0);
  /** Split lock of a PTE or PMD table (ptlock_ptr / pmd_ptlock). */
  private ptl: (SpinLock | null)[] = [];
  /** The upper-level entry (pointer) that last linked each table in, or -1. */
  private parent = new Float64Array(0);
  /** Per-plugin private ptdesc words, `nr_private` per table (e.g. pt_refcount). */
  private priv = new Float64Array(0);
  /** Per-plugin private object per table (e.g. a percpu_ref). */
  private priv_obj: unknown[] = [];
  /** Walker references on each table, by slot (pgtable/pt_users.ts; the "rcu-refcount" option). */
  private users = new Int32Array(0);
  /** Keep freed slots poisoned instead of reusing them (KASAN-style quarantine, for the sanitizers). */
  quarantine = false;
  private free_slots: number[] = [];
  private cap = 0;
  private nr = 0;

  constructor(
    private readonly frames: PageFrames,
    readonly nr_private = 2,
  ) {
    this.grow(64);
  }

  private grow(min: number): void {
    let cap = this.cap || 64;
    while (cap < min) cap *= 2;
    const ent = new Float64Array(cap * 512);
    ent.set(this.ent);
    this.ent = ent;
    const pfn_of = new Int32Array(cap);
    pfn_of.set(this.pfn_of);
    this.pfn_of = pfn_of;
    const level = new Uint8Array(cap);
    level.set(this.level);
    this.level = level;
    const parent = new Float64Array(cap).fill(-1);
    parent.set(this.parent);
    this.parent = parent;
    const users = new Int32Array(cap);
    users.set(this.users);
    this.users = users;
    const priv = new Float64Array(cap * this.nr_private);
    priv.set(this.priv);
    this.priv = priv;
    for (let s = this.cap; s < cap; s++) this.free_slots.push(cap - 1 - (s - this.cap));
    this.cap = cap;
  }

  private map_pfn(pfn: number, slot: number): void {
    if (pfn >= this.slot_of.length) {
      let n = this.slot_of.length || 1024;
      while (n <= pfn) n *= 2;
      const so = new Int32Array(n).fill(-1);
      so.set(this.slot_of);
      this.slot_of = so;
    }
    this.slot_of[pfn] = slot;
  }

  /** Allocate a zeroed table page of `level` for mm `owner`; returns its PFN. */
  alloc(level: number, owner: number): number {
    const pfn = this.frames.alloc(0, PG_PGTABLE);
    this.frames.owner[pfn] = owner;
    if (this.free_slots.length === 0) this.grow(this.cap * 2);
    const slot = this.free_slots.pop()!;
    this.map_pfn(pfn, slot);
    this.pfn_of[slot] = pfn;
    this.level[slot] = level;
    this.parent[slot] = -1;
    this.ent.fill(0, slot * 512, slot * 512 + 512);
    this.priv.fill(0, slot * this.nr_private, (slot + 1) * this.nr_private);
    this.priv_obj[slot] = undefined;
    this.users[slot] = 0;
    this.ptl[slot] = level <= PMD_LEVEL ? new SpinLock(`${LEVEL_NAME[level]}_ptl@${pfn}`, level === PTE_LEVEL ? "ptl" : "pmd_lock") : null;
    this.nr++;
    return pfn;
  }

  /** Free a table page: poison its entries and the frame. */
  free(pfn: number): void {
    const slot = this.slot(pfn);
    this.ent.fill(PAGE_POISON_ENTRY, slot * 512, slot * 512 + 512);
    this.slot_of[pfn] = -1;
    this.pfn_of[slot] = 0;
    this.level[slot] = 0;
    this.ptl[slot] = null;
    this.priv_obj[slot] = undefined;
    if (!this.quarantine) this.free_slots.push(slot);
    this.frames.free(pfn, 0);
    this.nr--;
  }

  /** The entry at pointer `p` (`*ptep`): no sanitizer, no preemption point (pgtable/ops.ts adds those). */
  get(p: number): number {
    return this.ent[p];
  }

  /** Store `v` at pointer `p`. */
  set(p: number, v: number): void {
    this.ent[p] = v;
  }

  /** Store `v` in the `n` entries from pointer `p` on (all in one table). */
  fill(p: number, n: number, v: number): void {
    this.ent.fill(v, p, p + n);
  }

  /** How many entries of table `pfn` are not 0 (the occupancy count). */
  nr_used(pfn: number): number {
    const s = this.slot(pfn) * 512;
    let n = 0;
    for (let i = 0; i < 512; i++) if (this.ent[s + i] !== 0) n++;
    return n;
  }

  /** Are all 512 entries of table `pfn` 0? (Every such entry is pte_none and pxd_none.) */
  is_empty(pfn: number): boolean {
    return this.nr_used(pfn) === 0;
  }

  /** Slot of `pfn`, or -1 when it holds no table (the hardware walker's check, no throw). */
  lookup(pfn: number): number {
    return pfn < this.slot_of.length ? this.slot_of[pfn] : -1;
  }

  /** The upper-level entry that last linked table `pfn` in (-1: none, or a deposit). */
  parent_of(pfn: number): number {
    return this.parent[this.slot(pfn)];
  }

  set_parent(pfn: number, p: number): void {
    this.parent[this.slot(pfn)] = p;
  }

  /** Walker references on table `pfn` (pgtable/pt_users.ts). */
  users_of(pfn: number): number {
    return this.users[this.slot(pfn)];
  }

  /** Add `d` to the walker references on table `pfn`. */
  add_users(pfn: number, d: number): void {
    this.users[this.slot(pfn)] += d;
  }

  /** The split lock of the table holding pointer `p` (pmd_lockptr). */
  ptl_at(p: number): SpinLock {
    return this.ptl[Math.floor(p / 512)]!;
  }

  /** Is the table `pfn` still linked in: does the entry that linked it still point at it? */
  is_linked(pfn: number, mk_table_entry: (pfn: number) => number): boolean {
    const p = this.parent[this.slot(pfn)];
    return p >= 0 && this.ent[p] === mk_table_entry(pfn);
  }

  /** Slot of a live table; throws on a PFN that holds no table (a use after free). */
  slot(pfn: number): number {
    const s = pfn < this.slot_of.length ? this.slot_of[pfn] : -1;
    if (s < 0) throw new PageTableUseAfterFree(pfn);
    return s;
  }

  /** Index of entry `i` of table `pfn` (a `pte_t *`). */
  entry(pfn: number, i: number): number {
    return this.slot(pfn) * 512 + i;
  }

  /** The PFN of the table that contains entry pointer `p`. */
  table_of(p: number): number {
    return this.pfn_of[Math.floor(p / 512)];
  }

  level_of(pfn: number): number {
    return this.level[this.slot(pfn)];
  }

  ptl_of(pfn: number): SpinLock {
    return this.ptl[this.slot(pfn)]!;
  }

  is_table(pfn: number): boolean {
    return pfn < this.slot_of.length && this.slot_of[pfn] >= 0;
  }

  /** Live tables, all levels. */
  get nr_tables(): number {
    return this.nr;
  }

  /** Iterate live table PFNs with their level. */
  *tables(): Generator<{ pfn: number; level: number }> {
    for (let s = 0; s < this.cap; s++) if (this.pfn_of[s]) yield { pfn: this.pfn_of[s], level: this.level[s] };
  }
}

export class PageTableUseAfterFree extends MmsimError {
  constructor(readonly pfn: number) {
    super("page-table-use-after-free", `page-table use after free: pfn ${pfn} holds no page table`);
  }
}

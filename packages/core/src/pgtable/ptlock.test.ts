/**
 * TablePtl (seed41, issue #10 §1): a table's split lock builds its name when it is
 * read, not when ptl_of() creates it. Against what it stands for, a SpinLock built
 * with `pte_ptl@<pfn>` / `pmd_ptl@<pfn>`: same name, class, owner and lock errors.
 * A seed-like run without stepping (touch 2M + MADV_DONTNEED 2M, chunk by chunk)
 * leaves locks that hold no name string; with the sanitizer on, the same lock
 * objects are created and checked, and its reports name them. Mutant, caught: a
 * lock that builds its name on creation (the pre-seed41 ptl_of()).
 */
import { describe, expect, it } from "vitest";
import { Engine } from "../engine.js";
import { Sanitizer } from "../check/sanitizer.js";
import { arch } from "../test/arch.js";
import { M, SLOT, mmapFixed } from "../test/helpers.js";
import { MADV_DONTNEED } from "../mm/madvise.js";
import { PageFrames } from "../mm/page_alloc.js";
import { SpinLock, lockdep_assert_held } from "../sync/spinlock.js";
import type { Task } from "../types/sched.js";
import { TablePtl } from "./ptlock.js";
import { PMD_LEVEL, PTE_LEVEL, PtStore } from "./store.js";

/** The mutant: the name built (and kept) when the lock is created. */
class EagerTablePtl extends TablePtl {
  readonly built: string = this.name;
}

/** The strings a lock holds in its own fields other than its class (a constant): none for a lazy name. */
const strings_held = (l: object): string[] => Object.values(l).filter((v): v is string => typeof v === "string" && v !== "ptl" && v !== "pmd_lock");

const task = { comm: "t", pid: 7 } as Task;

/** Name, class, owner and lockdep_assert_held()'s message of lock `l`. */
function seen(l: SpinLock): [string, string, unknown, string] {
  let msg = "";
  try {
    lockdep_assert_held(task, l);
  } catch (e) {
    msg = (e as Error).message;
  }
  return [l.name, l.cls, l.owner, msg];
}

/** A seed-like loop of `chunks` × (touch 2M, MADV_DONTNEED 2M); the PTE tables' locks that exist after it (the design is none: core tests do not load pt-reclaim). */
function seed_like(chunks: number, sanitize: boolean): SpinLock[] {
  const e = new Engine({ arch });
  const k = e.k;
  const p = e.spawn();
  mmapFixed(p, SLOT, chunks * 2 * M);
  if (sanitize) k.sanitizer = new Sanitizer(k);
  for (let i = 0; i < chunks; i++) {
    p.touch(SLOT + i * 2 * M, 2 * M, true);
    expect(p.madvise(SLOT + i * 2 * M, 2 * M, MADV_DONTNEED)).toBe(0); // zap_pte_range() takes each table's lock
  }
  const locks: SpinLock[] = [];
  for (const { pfn, level } of k.pt.tables()) {
    const l = level === PTE_LEVEL ? k.pt.ptl_if_any(pfn) : null;
    if (l !== null) locks.push(l);
  }
  return locks;
}

describe("TablePtl: a split lock whose name is built when read", () => {
  it("is what the SpinLock of that name was: name, class, owner, lock errors", () => {
    const pt = new PtStore(new PageFrames(2 ** 20), 0);
    const pte = pt.alloc(PTE_LEVEL, 1);
    const pmd = pt.alloc(PMD_LEVEL, 1);
    expect(seen(pt.ptl_of(pte))).toEqual(seen(new SpinLock(`pte_ptl@${pte}`, "ptl")));
    expect(seen(pt.ptl_of(pmd))).toEqual(seen(new SpinLock(`pmd_ptl@${pmd}`, "pmd_lock")));
    expect(seen(pt.ptl_of(pte))[3]).toBe(`t/7: pte_ptl@${pte} must be held here`);
    expect(pt.ptl_of(pte)).toBe(pt.ptl_of(pte)); // one object per table while it exists
  });

  it("ptl_of() creates locks that hold no name string", () => {
    const pt = new PtStore(new PageFrames(2 ** 20), 0);
    const pfns = Array.from({ length: 100 }, (_, i) => pt.alloc(i % 2 ? PMD_LEVEL : PTE_LEVEL, 1));
    for (const pfn of pfns) {
      const l = pt.ptl_of(pfn);
      expect(l).toBeInstanceOf(TablePtl);
      expect(strings_held(l)).toEqual([]);
    }
  });

  it("a seed-like run without stepping: the locks of the tables it takes hold no name", () => {
    const locks = seed_like(8, false);
    expect(locks.length).toBe(8);
    for (const l of locks) expect(strings_held(l)).toEqual([]);
  });

  it("with the sanitizer: the same kind of lock objects are created, checked and named", () => {
    const locks = seed_like(8, true);
    expect(locks.length).toBe(8);
    for (const l of locks) {
      expect(l).toBeInstanceOf(TablePtl);
      expect(l.name).toMatch(/^pte_ptl@\d+$/);
    }
  });

  it("mutant: a lock that builds its name on creation is caught", () => {
    expect(strings_held(new EagerTablePtl(1234, PTE_LEVEL))).toEqual(["pte_ptl@1234"]);
    expect(strings_held(new TablePtl(1234, PTE_LEVEL))).toEqual([]);
  });
});

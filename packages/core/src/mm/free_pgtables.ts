/**
 * free_pgtables() and free_pgd_range() (mm/memory.c): after the VMAs of a range are
 * unmapped, free the page tables that no remaining VMA can use. `floor` and
 * `ceiling` are the ends of the neighbouring VMAs; a table is freed only if the
 * whole range it maps lies between them. As in the kernel, ceiling 0 means the top
 * of the address space (the "- 1" comparisons). These tables go through
 * pte_free_tlb()/pmd_free_tlb() (flush + RCU), without taking the PTE lock: the
 * VMAs are already unreachable.
 */
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { Vma } from "./vma.js";
import { pte_free_tlb, pxd_free_tlb, type MmuGather } from "../tlb/mmu_gather.js";
import { addr_end, p4d_offset, pgd_offset, pmd_offset, pud_offset } from "../pgtable/offset.js";
import { pmd_clear, pxd_clear } from "../pgtable/ops.js";
import { mm_dec_nr_pmds, mm_dec_nr_ptes, mm_dec_nr_puds } from "./mm.js";
import { P4D_LEVEL, PMD_LEVEL, PUD_LEVEL } from "../pgtable/store.js";

/** `x - 1` with the kernel's unsigned wrap: 0 - 1 is the top of the address space. */
const m1 = (x: number) => (x === 0 ? Infinity : x - 1);
const mask = (x: number, size: number) => Math.floor(x / size) * size;

/**
 * free_pte_range(). A plugin's free_pte_range hook sees the table first and may
 * deal with it itself (the 2021 pte_refcount BUG()s here under
 * CONFIG_FREE_USER_PTE: every PTE table must have gone by refcount already).
 */
function* free_pte_range(t: Task, tlb: MmuGather, pmdp: number, addr: number): KPath {
  const k = t.k;
  const hook = k.hooks.free_pte_range;
  if (hook !== null && (yield* hook(t, tlb, pmdp, addr))) return;
  const token = k.arch.pxd_pfn(k.pt.get(pmdp));
  yield* pmd_clear(t, pmdp);
  yield* pte_free_tlb(t, tlb, token, addr);
  mm_dec_nr_ptes(tlb.mm);
}

/** pmd_none_or_clear_bad() */
function none_or_clear_bad(k: Kernel, p: number): boolean {
  const v = k.pt.get(p);
  if (k.arch.pxd_none(v)) return true;
  if (k.arch.pxd_bad(v) && !k.arch.pmd_trans_huge(v)) {
    k.pt.set(p, 0);
    return true;
  }
  return false;
}

function* free_pmd_range(t: Task, tlb: MmuGather, pudp: number, addr: number, end: number, floor: number, ceiling: number): KPath {
  const k = t.k;
  let start = addr;
  let pmdp = pmd_offset(k, pudp, addr);
  do {
    const next = addr_end(addr, end, k.PMD_SIZE);
    if (!none_or_clear_bad(k, pmdp)) yield* free_pte_range(t, tlb, pmdp, addr);
    pmdp++;
    addr = next;
  } while (addr !== end);

  start = mask(start, k.PUD_SIZE);
  if (start < floor) return;
  if (ceiling) {
    ceiling = mask(ceiling, k.PUD_SIZE);
    if (!ceiling) return;
  }
  if (m1(end) > m1(ceiling)) return;

  const pmd = k.arch.pxd_pfn(k.pt.get(pudp));
  yield* pxd_clear(t, pudp);
  yield* pxd_free_tlb(t, tlb, pmd, start, PMD_LEVEL);
  mm_dec_nr_pmds(tlb.mm);
}

function* free_pud_range(t: Task, tlb: MmuGather, p4dp: number, addr: number, end: number, floor: number, ceiling: number): KPath {
  const k = t.k;
  let start = addr;
  let pudp = pud_offset(k, p4dp, addr);
  do {
    const next = addr_end(addr, end, k.PUD_SIZE);
    if (!none_or_clear_bad(k, pudp)) yield* free_pmd_range(t, tlb, pudp, addr, next, floor, ceiling);
    pudp++;
    addr = next;
  } while (addr !== end);

  start = mask(start, k.P4D_SIZE);
  if (start < floor) return;
  if (ceiling) {
    ceiling = mask(ceiling, k.P4D_SIZE);
    if (!ceiling) return;
  }
  if (m1(end) > m1(ceiling)) return;

  const pud = k.arch.pxd_pfn(k.pt.get(p4dp));
  yield* pxd_clear(t, p4dp);
  yield* pxd_free_tlb(t, tlb, pud, start, PUD_LEVEL);
  mm_dec_nr_puds(tlb.mm);
}

function* free_p4d_range(t: Task, tlb: MmuGather, pgdp: number, addr: number, end: number, floor: number, ceiling: number): KPath {
  const k = t.k;
  if (k.arch.p4d_folded) {
    // The p4d level is the pgd entry itself: nothing to free at this level.
    yield* free_pud_range(t, tlb, pgdp, addr, end, floor, ceiling);
    return;
  }
  let start = addr;
  let p4dp = p4d_offset(k, pgdp, addr);
  do {
    const next = addr_end(addr, end, k.P4D_SIZE);
    if (!none_or_clear_bad(k, p4dp)) yield* free_pud_range(t, tlb, p4dp, addr, next, floor, ceiling);
    p4dp++;
    addr = next;
  } while (addr !== end);

  start = mask(start, k.PGDIR_SIZE);
  if (start < floor) return;
  if (ceiling) {
    ceiling = mask(ceiling, k.PGDIR_SIZE);
    if (!ceiling) return;
  }
  if (m1(end) > m1(ceiling)) return;

  const p4d = k.arch.pxd_pfn(k.pt.get(pgdp));
  yield* pxd_clear(t, pgdp);
  yield* pxd_free_tlb(t, tlb, p4d, start, P4D_LEVEL);
}

/** free_pgd_range(tlb, addr, end, floor, ceiling) */
export function* free_pgd_range(t: Task, tlb: MmuGather, addr: number, end: number, floor: number, ceiling: number): KPath {
  const k = t.k;
  const PMD_SIZE = k.PMD_SIZE;
  addr = mask(addr, PMD_SIZE);
  if (addr < floor) {
    addr += PMD_SIZE;
    if (!addr) return;
  }
  if (ceiling) {
    ceiling = mask(ceiling, PMD_SIZE);
    if (!ceiling) return;
  }
  if (m1(end) > m1(ceiling)) end -= PMD_SIZE;
  if (addr > m1(end)) return;
  let pgdp = pgd_offset(k, tlb.mm, addr);
  do {
    const next = addr_end(addr, end, k.PGDIR_SIZE);
    if (!none_or_clear_bad(k, pgdp)) yield* free_p4d_range(t, tlb, pgdp, addr, next, floor, ceiling);
    pgdp++;
    addr = next;
  } while (addr !== end);
}

/**
 * free_pgtables(tlb, unmap): `vmas` are the detached VMAs in address order,
 * pg_start/pg_end the floor and ceiling (prev->vm_end, next->vm_start, or 0).
 */
export function* free_pgtables(t: Task, tlb: MmuGather, vmas: readonly Vma[], pg_start: number, pg_end: number): KPath {
  const k = t.k;
  k.sanitizer?.no_ptl_ok.add(t);
  try {
    yield* free_pgtables_locked(t, tlb, vmas, pg_start, pg_end);
  } finally {
    k.sanitizer?.no_ptl_ok.delete(t);
  }
}

function* free_pgtables_locked(t: Task, tlb: MmuGather, vmas: readonly Vma[], pg_start: number, pg_end: number): KPath {
  const k = t.k;
  let i = 0;
  while (i < vmas.length) {
    let vma = vmas[i];
    const addr = vma.vm_start;
    let next = vmas[i + 1] ?? null;
    /* Optimization: gather nearby vmas into one call down */
    while (next && next.vm_start <= vma.vm_end + k.PMD_SIZE) {
      vma = next;
      i++;
      next = vmas[i + 1] ?? null;
    }
    yield* free_pgd_range(t, tlb, addr, vma.vm_end, pg_start, next ? next.vm_start : pg_end);
    i++;
  }
}

/**
 * mprotect() (mm/mprotect.c): do_mprotect_pkey's checks and VMA loop (partial
 * effect, then -ENOMEM at a hole), mprotect_fixup's VM_ACCOUNT rule, vma_modify
 * split/merge, and change_protection() over the PTEs (and huge PMDs) of the range.
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_write } from "../sync/rwsem.js";
import { mmap_write_unlock } from "./mmap_lock.js";
import { spin_unlock } from "../sync/spinlock.js";
import { VM_ACCOUNT, VM_NORESERVE, VM_SHARED, VM_WRITE } from "../pgtable/arch.js";
import { addr_end } from "../pgtable/offset.js";
import { ptep_get, ptep_modify, pmdp_get, set_pmd_at } from "../pgtable/ops.js";
import { pmd_lock } from "../pgtable/pgalloc.js";
import { pte_offset_map_lock, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { walk_pmd } from "../pgtable/walk.js";
import { tlb_finish_mmu, tlb_flush_pmd_range, tlb_flush_pte_range, tlb_gather_mmu, type MmuGather } from "../tlb/mmu_gather.js";
import { EACCES, EINVAL, ENOMEM } from "./errno.js";
import { is_ulong, page_align_ulong, ulong_of_aligned, ULONG_WRAP } from "./ulong.js";
import { page_folio, vm_normal_page } from "./folio.js";
import { is_huge_zero_pmd } from "./huge_memory.js";
import { PROT_EXEC, PROT_READ, PROT_WRITE, PROT_SEM, PROT_GROWSDOWN, PROT_GROWSUP, calc_vm_prot_bits } from "./mmap.js";
import type { MmStruct } from "./mm_struct.js";
import { vm_stat_account } from "./mm.js";
import { security_vm_enough_memory_mm, vm_unacct_memory } from "./overcommit.js";
import { PG_ANON } from "./page_alloc.js";
import { vma_modify } from "./vma_modify.js";
import type { Vma } from "./vma.js";

const VM_ACCESS_FLAGS = 0x7;

/** can_change_pte_writable(): private anon pages that are exclusive (no fork in the model). */
function can_change_pte_writable(t: Task, vma: Vma, pte: number): boolean {
  const k = t.k;
  const a = k.arch;
  if (!(vma.vm_flags & VM_WRITE)) return false;
  if (pte % 2 !== 1) return false; // pte_protnone(): present in software, not in hardware
  if (vma.vm_flags & VM_SHARED) return a.pte_dirty(pte);
  const page = vm_normal_page(k, a.pte_pfn(pte));
  return page >= 0 && k.frames.get_type(page_folio(k, page)) === PG_ANON;
}

/** change_pte_range() for one PTE table. */
function* change_pte_range(t: Task, tlb: MmuGather, vma: Vma, pmdp: number, addr: number, end: number): KPath {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  const ptep0 = yield* pte_offset_map_lock(t, mm, pmdp, addr);
  if (ptep0 < 0) return;
  const ptl = t.ptl!;
  for (let p = ptep0; addr !== end; p++, addr += 4096) {
    const old = yield* ptep_get(t, p);
    if (!a.pte_present(old)) continue;
    let pte = a.pte_modify(old, vma.vm_page_prot);
    if (!a.pte_write(pte) && can_change_pte_writable(t, vma, pte)) pte = a.pte_mkwrite(pte);
    if (pte !== old) {
      yield* ptep_modify(t, p, pte);
      tlb_flush_pte_range(tlb, addr, 4096);
    }
  }
  yield* pte_unmap_unlock(t, ptep0, ptl);
}

/** change_protection(tlb, vma, start, end) */
function* change_protection(t: Task, tlb: MmuGather, vma: Vma, start: number, end: number): KPath {
  const k = t.k;
  const a = k.arch;
  for (let addr = start; addr < end; ) {
    const next = addr_end(addr, end, k.PMD_SIZE);
    const pmdp = walk_pmd(k, t.mm!, addr);
    if (pmdp >= 0) {
      const pmd = k.pt.get(pmdp);
      if (!a.pxd_none(pmd) && a.pmd_trans_huge(pmd)) {
        // change_huge_pmd(): vma_modify already split any PMD the range cuts.
        const ptl = yield* pmd_lock(t, pmdp);
        const cur = yield* pmdp_get(t, pmdp);
        let n = a.pmd_modify(cur, vma.vm_page_prot);
        if (vma.vm_flags & VM_WRITE && !is_huge_zero_pmd(k, cur) && !(vma.vm_flags & VM_SHARED)) n = a.pte_mkwrite(n);
        if (n !== cur) {
          yield* set_pmd_at(t, pmdp, n);
          tlb_flush_pmd_range(tlb, addr, k.PMD_SIZE);
        }
        yield* spin_unlock(t, ptl);
      } else if (!a.pxd_none(pmd)) yield* change_pte_range(t, tlb, vma, pmdp, addr, next);
    }
    addr = next;
  }
}

/**
 * mprotect_fixup(): returns the VMA now covering [start, end) (merged or split),
 * or -ENOMEM when making private memory writable cannot be charged.
 */
function* mprotect_fixup(t: Task, tlb: MmuGather, mm: MmStruct, vma: Vma, start: number, end: number, newflags: number): KPath<Vma | number> {
  const k = t.k;
  const oldflags = vma.vm_flags;
  const nrpages = (end - start) / 4096;
  if (newflags === oldflags) return vma;
  if (newflags & VM_WRITE) {
    // The area turns into data: charge it (security_vm_enough_memory_mm), once.
    if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) {
      if (security_vm_enough_memory_mm(k, mm, nrpages)) return -ENOMEM;
      newflags |= VM_ACCOUNT;
    }
  } else if (oldflags & VM_ACCOUNT && vma.vm_file === null && !vma.anon_vma) {
    newflags &= ~VM_ACCOUNT;
  }
  if (oldflags & VM_ACCOUNT && !(newflags & VM_ACCOUNT)) vm_unacct_memory(k, nrpages);
  vm_stat_account(mm, oldflags, -(end - start) / 4096);
  vm_stat_account(mm, newflags, (end - start) / 4096);
  const v = yield* vma_modify(t, mm, vma, start, end, (x) => {
    x.vm_flags = newflags;
    x.vm_page_prot = k.arch.vm_get_page_prot(newflags);
  });
  yield* change_protection(t, tlb, v, start, end);
  return v;
}

/** mprotect(start, len, prot) */
export function* sys_mprotect(t: Task, start: number, len: number, prot: number): KPath<number> {
  const mm = t.mm!;
  // Each argument is the unsigned long it stands for (mm/ulong.ts); a JS value that is none is -EINVAL.
  if (!is_ulong(start) || !is_ulong(len) || !is_ulong(prot)) return -EINVAL;
  const prot_high = prot < 0 || prot >= 2 ** 32; // bits above the 32 that JS's bitwise operators see
  const grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
  prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL; // can't be both
  if (start % 4096) return -EINVAL;
  start = ulong_of_aligned(start);
  if (!len) return 0;
  len = page_align_ulong(len);
  let end = start + len; // exact below 2^65
  if (end >= ULONG_WRAP) end -= ULONG_WRAP; // unsigned long arithmetic wraps
  if (end <= start) return -ENOMEM;
  // arch_validate_prot() (the generic one, which x86 uses): PROT_SEM is accepted and ignored.
  if (prot_high || prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) return -EINVAL;
  yield* down_write(t, mm.mmap_lock);
  let error = -ENOMEM;
  let vma = mm.mm_mt.find_vma(start);
  if (grows && vma && vma.vm_start < end) {
    // PROT_GROWSDOWN needs a VM_GROWSDOWN VMA, PROT_GROWSUP a VM_GROWSUP one (none on
    // x86): the model maps no stack, so no VMA has either flag (MAP_GROWSDOWN is not modelled).
    if (grows & PROT_GROWSDOWN || vma.vm_start <= start) error = -EINVAL;
  } else if (!grows && vma && vma.vm_start < end && vma.vm_start <= start) {
    const tlb = tlb_gather_mmu(t.k, mm);
    let tmp = vma.vm_start;
    error = 0;
    for (let nstart = start; vma && vma.vm_start < end; ) {
      if (vma.vm_start !== tmp) {
        error = -ENOMEM;
        break;
      }
      const newflags = calc_vm_prot_bits(prot) | (vma.vm_flags & ~VM_ACCESS_FLAGS);
      /* newflags >> 4 shift VM_MAY% in place of VM_% */
      if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
        error = -EACCES;
        break;
      }
      tmp = Math.min(vma.vm_end, end);
      const v = yield* mprotect_fixup(t, tlb, mm, vma, nstart, tmp, newflags);
      if (typeof v === "number") {
        error = v;
        break;
      }
      // tmp = vma_iter_end(&vmi): continue after the (possibly merged) VMA.
      tmp = v.vm_end;
      nstart = tmp;
      if (nstart >= end) break;
      vma = mm.mm_mt.find_vma(nstart);
    }
    yield* tlb_finish_mmu(t, tlb);
    if (!error && tmp < end) error = -ENOMEM;
  }
  yield* mmap_write_unlock(t, mm);
  return error;
}

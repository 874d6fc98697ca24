/**
 * A user access as the CPU performs it: the hardware page walk (setting the
 * Accessed/Dirty bits as x86 does), and on a miss the page-fault entry
 * (arch/x86/mm/fault.c do_user_addr_fault): lock_vma_under_rcu() first, the
 * mmap_lock path as fallback, access_error() → SIGSEGV, then handle_mm_fault().
 */
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { rcu_read_lock, rcu_read_unlock } from "../sync/rcu.js";
import { down_read, down_read_trylock, up_read } from "../sync/rwsem.js";
import { VM_EXEC, VM_READ, VM_WRITE } from "../pgtable/arch.js";
import { FAULT_FLAG_USER, FAULT_FLAG_VMA_LOCK, FAULT_FLAG_WRITE, VM_FAULT_ERROR, VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS } from "./fault_flags.js";
import { handle_mm_fault } from "./memory.js";
import type { MmStruct } from "./mm_struct.js";
import { PF_DIRTY } from "./page_alloc.js";
import type { Vma } from "./vma.js";

export type AccessResult = "ok" | "SIGSEGV" | "SIGBUS" | "OOM";

const _PAGE_RW = 2;
const _PAGE_USER = 4;
const _PAGE_ACCESSED = 32;
const _PAGE_DIRTY = 64;

/**
 * The hardware walker: translate `addr`; on success set A (and D on a write) in the
 * leaf entry, store `value` in the data oracle on a write, and return the value
 * read (the page's data). Returns NaN on a translation fault. The present, user
 * and writable bits are bits 0-2 at every level on x86, and stand at the same
 * positions in the packed form, so the low word reads them (`(e >>> 0) & 4095`:
 * a bit operation, not `%`, which V8 runs as fmod on doubles).
 */
export function hw_access(k: Kernel, mm: MmStruct, addr: number, write: boolean, value: number): number {
  const a = k.arch;
  const pt = k.pt;
  // Walk from CR3 down to the PMD entry: one load per level, no locks (the MMU's walk).
  // A table pointer to a PFN that holds no table reads as not present (a translation fault).
  let s = pt.lookup(mm.pgd);
  if (s < 0) return NaN;
  let e = pt.get(s * 512 + (Math.floor(addr / k.PGDIR_SIZE) % 512));
  if (!a.p4d_folded) {
    if (((e >>> 0) & 1) === 0) return NaN;
    s = pt.lookup(a.pxd_table_pfn(e));
    if (s < 0) return NaN;
    e = pt.get(s * 512 + (Math.floor(addr / k.P4D_SIZE) % 512));
  }
  if (((e >>> 0) & 1) === 0) return NaN;
  s = pt.lookup(a.pxd_table_pfn(e));
  if (s < 0) return NaN;
  e = pt.get(s * 512 + (Math.floor(addr / k.PUD_SIZE) % 512));
  if (((e >>> 0) & 1) === 0) return NaN;
  s = pt.lookup(a.pxd_table_pfn(e));
  if (s < 0) return NaN;
  const pmdp = s * 512 + (Math.floor(addr / k.PMD_SIZE) % 512);
  const pmd = pt.get(pmdp);
  let p: number;
  let pfn: number;
  if (((pmd >>> 0) & 1) === 0) return NaN;
  if (a.pmd_leaf(pmd)) {
    p = pmdp;
    pfn = a.pxd_pfn(pmd) + (Math.floor(addr / 4096) % 512);
  } else {
    s = pt.lookup(a.pxd_table_pfn(pmd));
    if (s < 0) return NaN;
    p = s * 512 + (Math.floor(addr / 4096) % 512);
    pfn = -1;
  }
  return hw_access_leaf(k, p, pfn, write, value);
}

/**
 * The hardware walker at the leaf entry `p` (a PTE, or a huge PMD with `pfn` the
 * page's frame; -1: read it from the PTE): check the access, set A (and D on a
 * write), then the data access. NaN on a translation fault (nothing changed).
 */
export function hw_access_leaf(k: Kernel, p: number, pfn: number, write: boolean, value: number): number {
  const pt = k.pt;
  const leaf = pt.get(p);
  const nv = hw_leaf_access(k, leaf, write);
  if (nv !== nv) return NaN;
  if (nv !== leaf) pt.set(p, nv);
  if (pfn < 0) pfn = k.arch.pte_pfn(leaf);
  return hw_access_data(k, pfn, write, value);
}

/**
 * What the MMU's access does to the leaf entry `leaf`: the entry with A (and D on
 * a write) set, or NaN on a translation fault (the entry unchanged). The arch's
 * MMU (arm64: AP bits, hardware AF and DBM) where it has one, else x86's bits.
 */
export function hw_leaf_access(k: Kernel, leaf: number, write: boolean): number {
  const a = k.arch;
  if (a.mmu_access_leaf !== undefined) return a.mmu_access_leaf(leaf, write);
  const lo = (leaf >>> 0) & 4095;
  if ((lo & 1) === 0 || (lo & _PAGE_USER) === 0 || (write && (lo & _PAGE_RW) === 0)) return NaN;
  const want = _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
  return (lo & want) !== want ? leaf + (want & ~lo) : leaf;
}

/** The access itself: store `value` in the data oracle on a write, else read the page's data. */
export function hw_access_data(k: Kernel, pfn: number, write: boolean, value: number): number {
  if (write) {
    k.frames.set_data(pfn, value);
    k.frames.set_flag_bits(pfn, PF_DIRTY);
    return value;
  }
  return k.frames.get_data(pfn);
}

/** access_error() */
export function access_error(write: boolean, vma: Vma): boolean {
  if (write) return (vma.vm_flags & VM_WRITE) === 0;
  return (vma.vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0;
}

function fault_result(fault: number): AccessResult {
  if (fault & VM_FAULT_OOM) return "OOM";
  if (fault & VM_FAULT_SIGBUS) return "SIGBUS";
  if (fault & VM_FAULT_ERROR) return "SIGSEGV";
  return "ok";
}

/** lock_vma_under_rcu(): the VMA containing addr, read-locked, or null. */
function* lock_vma_under_rcu(t: Task, mm: MmStruct, addr: number): KPath<Vma | null> {
  yield* rcu_read_lock(t);
  const vma = mm.mm_mt.vma_lookup(addr);
  let locked = false;
  if (vma) locked = yield* down_read_trylock(t, vma.vm_lock);
  if (locked && (vma!.detached || addr < vma!.vm_start || addr >= vma!.vm_end)) {
    yield* up_read(t, vma!.vm_lock);
    locked = false;
  }
  yield* rcu_read_unlock(t, t.k.rcu);
  return locked ? vma : null;
}

/** do_user_addr_fault() */
export function* do_user_addr_fault(t: Task, addr: number, write: boolean, value: number): KPath<AccessResult> {
  const mm = t.mm!;
  const flags = FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0);
  const vma = yield* lock_vma_under_rcu(t, mm, addr);
  if (vma) {
    if (access_error(write, vma)) {
      yield* up_read(t, vma.vm_lock);
      return "SIGSEGV";
    }
    const fault = yield* handle_mm_fault(t, vma, addr, flags | FAULT_FLAG_VMA_LOCK, value);
    yield* up_read(t, vma.vm_lock);
    if (!(fault & VM_FAULT_RETRY)) return fault_result(fault);
  }
  yield* down_read(t, mm.mmap_lock);
  const v = mm.mm_mt.find_vma(addr);
  if (!v || v.vm_start > addr || access_error(write, v)) {
    yield* up_read(t, mm.mmap_lock);
    return "SIGSEGV";
  }
  const fault = yield* handle_mm_fault(t, v, addr, flags, value);
  yield* up_read(t, mm.mmap_lock);
  return fault_result(fault);
}

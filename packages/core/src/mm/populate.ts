/**
 * Populating page tables without user accesses (mm/gup.c: __mm_populate,
 * populate_vma_page_range, faultin_page_range, __get_user_pages, faultin_page;
 * mm/util.c: vm_mmap_pgoff; mm/madvise.c: madvise_populate): each page of the
 * range that the hardware walk would not translate for the access is faulted
 * in with handle_mm_fault(), as GUP does, under the mmap read lock.
 *
 *   - mmap(MAP_POPULATE) (without MAP_NONBLOCK) and mmap(MAP_LOCKED): after the
 *     mapping is made and the lock dropped, mm_populate() the range, ignoring
 *     errors. Private writable VMAs are faulted for writing (breaking COW),
 *     others for reading; PROT_NONE VMAs are skipped.
 *   - madvise(MADV_POPULATE_READ / MADV_POPULATE_WRITE): the same faults, with
 *     madvise's errors: -ENOMEM at a hole, -EINVAL for a VMA that does not
 *     allow the access, -EFAULT when a fault fails.
 *
 * Model differences: VM_LOCKED, VmLck and mlock accounting are not modelled
 * (MAP_LOCKED only populates); no FOLL_UNSHARE (a read fault maps the zero page
 * as it would); a GUP write fault stores no user data (the page reads as zero).
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_read, up_read } from "../sync/rwsem.js";
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE } from "../pgtable/arch.js";
import { walk_pmd, walk_pte } from "../pgtable/walk.js";
import { EFAULT, EINVAL, ENOMEM } from "./errno.js";
import { is_ulong, page_align_ulong, ulong_of_aligned, ULONG_WRAP } from "./ulong.js";
import { FAULT_FLAG_WRITE, VM_FAULT_ERROR, VM_FAULT_OOM } from "./fault_flags.js";
import { sys_madvise } from "./madvise.js";
import { handle_mm_fault } from "./memory.js";
import { MAP_POPULATE, sys_mmap } from "./mmap.js";
import type { MmStruct } from "./mm_struct.js";
import type { Vma } from "./vma.js";

export const MAP_LOCKED = 0x2000;
export const MAP_NONBLOCK = 0x10000;
export const MADV_POPULATE_READ = 22;
export const MADV_POPULATE_WRITE = 23;

const PAGE_SIZE = 4096;

/** follow_page_mask() as a test: does the hardware walk translate `addr` for this access (a present entry, writable for a write)? */
function follow_page(t: Task, mm: MmStruct, addr: number, write: boolean): boolean {
  const k = t.k;
  const a = k.arch;
  const pmdp = walk_pmd(k, mm, addr);
  if (pmdp < 0) return false;
  const pmd = k.pt.get(pmdp);
  if (a.pxd_none(pmd)) return false;
  // A huge entry pmdp_invalidate() left (a split under way) does not translate: the fault
  // waits for the splitter's PMD lock (huge_pmd_set_accessed()), as follow_pmd_mask() does.
  if (a.pmd_trans_huge(pmd)) return ((pmd >>> 0) & 1) !== 0 && (!write || a.pmd_write(pmd));
  const ptep = walk_pte(k, mm, addr);
  if (ptep < 0) return false;
  const pte = k.pt.get(ptep);
  return a.pte_present(pte) && (!write || a.pte_write(pte));
}

/** faultin_page(): 0, or -EFAULT / -ENOMEM when the fault failed. */
function* faultin_page(t: Task, vma: Vma, addr: number, write: boolean): KPath<number> {
  const ret = yield* handle_mm_fault(t, vma, addr, write ? FAULT_FLAG_WRITE : 0);
  if (ret & VM_FAULT_OOM) return -ENOMEM;
  if (ret & VM_FAULT_ERROR) return -EFAULT;
  return 0;
}

/** __get_user_pages() for one VMA's part [start, end): the pages done, or -errno at the first failing fault. */
function* get_user_pages_vma(t: Task, mm: MmStruct, vma: Vma, start: number, end: number, write: boolean): KPath<number> {
  let addr = start;
  for (; addr < end; addr += PAGE_SIZE) {
    if (follow_page(t, mm, addr, write)) continue;
    const r = yield* faultin_page(t, vma, addr, write);
    if (r) return addr > start ? (addr - start) / PAGE_SIZE : r;
  }
  return (addr - start) / PAGE_SIZE;
}

/** vma_is_accessible() */
const vma_is_accessible = (vma: Vma) => (vma.vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) !== 0;

/**
 * populate_vma_page_range(): write faults for private writable VMAs (to break
 * COW), read faults otherwise; a PROT_NONE VMA is not populated.
 */
export function* populate_vma_page_range(t: Task, vma: Vma, start: number, end: number): KPath<number> {
  if (!vma_is_accessible(vma)) return -EFAULT; // check_vma_flags() without FOLL_FORCE
  const write = (vma.vm_flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  return yield* get_user_pages_vma(t, vma.vm_mm!, vma, start, end, write);
}

/** __mm_populate(start, len, ignore_errors): takes the mmap read lock. */
export function* __mm_populate(t: Task, start: number, len: number, ignore_errors: boolean): KPath<number> {
  const mm = t.mm!;
  const end = start + len;
  let ret = 0;
  yield* down_read(t, mm.mmap_lock);
  for (let nstart = start, nend = start; nstart < end; nstart = nend) {
    const vma = mm.mm_mt.find_vma_intersection(nstart, end);
    if (!vma) break;
    nend = Math.min(end, vma.vm_end);
    if (nstart < vma.vm_start) nstart = vma.vm_start;
    // Populate [nstart, nend); a fault that fails midway ends this round there, and the next one reports it.
    ret = yield* populate_vma_page_range(t, vma, nstart, nend);
    if (ret < 0) {
      if (ignore_errors) {
        ret = 0;
        continue;
      }
      break;
    }
    nend = nstart + ret * PAGE_SIZE;
    ret = 0;
  }
  yield* up_read(t, mm.mmap_lock);
  return ret;
}

/** mm_populate(addr, len) */
export function* mm_populate(t: Task, addr: number, len: number): KPath {
  yield* __mm_populate(t, addr, len, true);
}

/**
 * vm_mmap_pgoff(): the mapping (sys_mmap: do_mmap under the mmap write lock),
 * then mm_populate() after the lock is dropped for MAP_POPULATE without
 * MAP_NONBLOCK, and for MAP_LOCKED.
 */
export function* vm_mmap_pgoff(t: Task, addr: number, len: number, prot: number, flags: number, off = 0): KPath<number> {
  const ret = yield* sys_mmap(t, addr, len, prot, flags, off);
  const populate = (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE || (flags & MAP_LOCKED) !== 0;
  if (ret >= 0 && populate) yield* mm_populate(t, ret, Math.ceil(len / PAGE_SIZE) * PAGE_SIZE);
  return ret;
}

/**
 * madvise_populate() (MADV_POPULATE_READ / _WRITE): fault in [start, end) VMA
 * by VMA under the mmap read lock; a failing fault ends a round, and the next
 * round, starting at that page, reports it.
 */
export function* madvise_populate(t: Task, start: number, end: number, write: boolean): KPath<number> {
  const mm = t.mm!;
  let ret = 0;
  yield* down_read(t, mm.mmap_lock);
  while (start < end) {
    // __get_user_pages() with FOLL_MADV_POPULATE: vma_lookup(), then check_vma_flags() without FOLL_FORCE.
    const vma = mm.mm_mt.vma_lookup(start);
    if (!vma) {
      ret = -ENOMEM;
      break;
    }
    if (write ? !(vma.vm_flags & VM_WRITE) : !(vma.vm_flags & VM_READ)) {
      ret = -EINVAL;
      break;
    }
    const pages = yield* get_user_pages_vma(t, mm, vma, start, Math.min(end, vma.vm_end), write);
    if (pages < 0) {
      ret = pages;
      break;
    }
    start += pages * PAGE_SIZE;
  }
  yield* up_read(t, mm.mmap_lock);
  return ret;
}

/**
 * do_madvise(): madvise's argument checks, then MADV_POPULATE_READ/WRITE go to
 * madvise_populate() and every other advice to sys_madvise() (mm/madvise.ts).
 */
export function* do_madvise(t: Task, start: number, len_in: number, behavior: number): KPath<number> {
  if (behavior !== MADV_POPULATE_READ && behavior !== MADV_POPULATE_WRITE) return yield* sys_madvise(t, start, len_in, behavior);
  // sys_madvise()'s checks, on the unsigned longs the arguments stand for (mm/ulong.ts)
  if (!is_ulong(start) || !is_ulong(len_in) || start % PAGE_SIZE) return -EINVAL;
  start = ulong_of_aligned(start);
  const len = page_align_ulong(len_in);
  if (len_in && !len) return -EINVAL;
  if (start + len >= ULONG_WRAP) return -EINVAL;
  if (len === 0) return 0;
  return yield* madvise_populate(t, start, start + len, behavior === MADV_POPULATE_WRITE);
}

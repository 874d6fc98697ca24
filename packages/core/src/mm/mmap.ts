/**
 * mmap and munmap of anonymous memory (mm/mmap.c, mm/vma.c, arch/x86): argument
 * checks and errno as Linux returns them, top-down placement below mmap_base with
 * THP alignment of PMD-multiple anonymous mappings, MAP_FIXED(_NOREPLACE), VMA
 * merging, and munmap's split / unmap_region / free_pgtables with the neighbours'
 * ends as floor and ceiling.
 */
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_write, up_read } from "../sync/rwsem.js";
import { mmap_write_downgrade, mmap_write_unlock, vma_start_write } from "./mmap_lock.js";
import { VM_ACCOUNT, VM_MAYEXEC, VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_NORESERVE, VM_SHARED } from "../pgtable/arch.js";
import { tlb_finish_mmu, tlb_gather_mmu, tlb_gather_mmu_fullmm } from "../tlb/mmu_gather.js";
import { EEXIST, EINVAL, ENOMEM, EBADF } from "./errno.js";
import { is_ulong, page_align_ulong, ULONG_WRAP } from "./ulong.js";
import type { MmStruct } from "./mm_struct.js";
import { free_pgtables } from "./free_pgtables.js";
import { update_hiwater_rss, update_hiwater_vm, vm_stat_account } from "./mm.js";
import { OVERCOMMIT_NEVER, security_vm_enough_memory_mm, vm_acct_memory, vm_unacct_memory } from "./overcommit.js";
import { __split_vma, can_merge, vma_close, vma_merge_pair } from "./vma_modify.js";
import { ShmemFile, Vma } from "./vma.js";
import { unmap_vmas } from "./zap.js";

export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
/** PROT_SEM: accepted by mprotect() (arch_validate_prot) and ignored, as Linux does. */
export const PROT_SEM = 0x8;
/** mprotect() only: extend the change to the start of a VM_GROWSDOWN VMA / the end of a VM_GROWSUP one. */
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_FIXED_NOREPLACE = 0x100000;

/** /proc/sys/vm/mmap_min_addr and max_map_count defaults. */
export const MMAP_MIN_ADDR = 65536;
export const DEFAULT_MAX_MAP_COUNT = 65530;

const PAGE_SIZE = 4096;
const page_align = (x: number) => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

/** calc_vm_prot_bits() */
export function calc_vm_prot_bits(prot: number): number {
  return prot & (PROT_READ | PROT_WRITE | PROT_EXEC); // VM_READ/WRITE/EXEC share the bits
}

/**
 * unmapped_area_topdown(): the highest gap of `length` + alignment in
 * [low_limit, high_limit), returning the aligned start (or -ENOMEM).
 */
export function unmapped_area_topdown(mm: MmStruct, length: number, low_limit: number, high_limit: number, align_mask = 0, align_offset = 0): number {
  const need = length + align_mask;
  if (low_limit < MMAP_MIN_ADDR) low_limit = MMAP_MIN_ADDR;
  const l = mm.mm_mt.list;
  // Walk gaps from the top: the gap below VMA i is [l[i-1].vm_end, l[i].vm_start).
  for (let i = mm.mm_mt.index_after(high_limit - 1); i >= 0; i--) {
    const gap_end = Math.min(i < l.length ? l[i].vm_start : high_limit, high_limit);
    const gap_start = Math.max(i > 0 ? l[i - 1].vm_end : 0, low_limit);
    if (gap_end <= gap_start || gap_end - gap_start < need) continue;
    let gap = gap_end - length;
    gap -= ((gap - align_offset) % (align_mask + 1) + (align_mask + 1)) % (align_mask + 1);
    if (gap >= gap_start) return gap;
  }
  return -ENOMEM;
}

/** DEFAULT_MAP_WINDOW: 47 bits on x86_64 for both 4- and 5-level paging. */
const DEFAULT_MAP_WINDOW = 2 ** 47 - PAGE_SIZE;

/** mmap_address_hint_valid(): a hint may not straddle the default map window. */
function mmap_address_hint_valid(k: Kernel, addr: number, len: number): boolean {
  if (k.arch.TASK_SIZE - len < addr) return false;
  return addr > DEFAULT_MAP_WINDOW === addr + len > DEFAULT_MAP_WINDOW;
}

/**
 * arch_get_unmapped_area_topdown() (x86): hint first, then the top-down search;
 * generic_get_unmapped_area_topdown() (mm/mmap.c) for an arch without its own
 * (arm64: Arch.generic_unmapped_area_topdown). No stack guard gaps: the model
 * maps no VM_GROWSDOWN VMA.
 */
function arch_get_unmapped_area_topdown(k: Kernel, mm: MmStruct, addr: number, len: number, flags: number): number {
  if (k.arch.generic_unmapped_area_topdown === true) {
    const mmap_end = k.arch.TASK_SIZE; // arch_get_mmap_end(): TASK_SIZE with 48-bit VAs
    if (len > mmap_end - MMAP_MIN_ADDR) return -ENOMEM;
    if (flags & MAP_FIXED) return addr;
    if (addr) {
      addr = page_align(addr);
      const vma = mm.mm_mt.find_vma(addr);
      if (mmap_end - len >= addr && addr >= MMAP_MIN_ADDR && (!vma || addr + len <= vma.vm_start)) return addr;
    }
    return unmapped_area_topdown(mm, len, PAGE_SIZE, mm.mmap_base);
  }
  if (len > k.arch.TASK_SIZE) return -ENOMEM;
  if (flags & MAP_FIXED) return addr;
  if (addr) {
    addr = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
    if (mmap_address_hint_valid(k, addr, len)) {
      const vma = mm.mm_mt.find_vma(addr);
      if (!vma || addr + len <= vma.vm_start) return addr;
    }
  }
  return unmapped_area_topdown(mm, len, PAGE_SIZE, mm.mmap_base);
}

/** __thp_get_unmapped_area() for anonymous memory (off = 0, size = PMD_SIZE). */
function thp_get_unmapped_area(k: Kernel, mm: MmStruct, addr: number, len: number, flags: number): number {
  const size = k.PMD_SIZE;
  if (len >= size) {
    const ret = arch_get_unmapped_area_topdown(k, mm, addr, len + size, flags);
    if (ret >= 0) {
      if (ret === addr) return addr;
      const off_sub = (((0 - ret) % size) + size) % size;
      if (!off_sub) return ret + size; // MMF_TOPDOWN
      return ret + off_sub;
    }
  }
  return arch_get_unmapped_area_topdown(k, mm, addr, len, flags);
}

/** __get_unmapped_area() */
export function get_unmapped_area(k: Kernel, mm: MmStruct, addr: number, len: number, flags: number): number {
  if (len > k.arch.TASK_SIZE) return -ENOMEM;
  let a: number;
  if (flags & MAP_SHARED) a = arch_get_unmapped_area_topdown(k, mm, addr, len, flags); // shmem_get_unmapped_area, huge=never
  else if (!addr && len % k.PMD_SIZE === 0) a = thp_get_unmapped_area(k, mm, addr, len, flags);
  else a = arch_get_unmapped_area_topdown(k, mm, addr, len, flags);
  if (a < 0) return a;
  if (a > k.arch.TASK_SIZE - len) return -ENOMEM;
  if (a % PAGE_SIZE) return -EINVAL;
  return a;
}

/**
 * do_vmi_munmap() body with the mmap write lock held: split at the ends, detach,
 * downgrade to the read lock, unmap_region (unmap_vmas + free_pgtables with
 * prev->vm_end / next->vm_start as floor / ceiling). Returns with the lock
 * released.
 */
export function* do_vmi_align_munmap(t: Task, mm: MmStruct, start: number, end: number): KPath<number> {
  const k = t.k;
  let first = mm.mm_mt.find_vma(start)!;
  if (first.vm_start < start) {
    if (mm.map_count >= DEFAULT_MAX_MAP_COUNT) return -ENOMEM;
    first = yield* __split_vma(t, mm, first, start);
  }
  const detach: Vma[] = [];
  for (let v: Vma | null = first; v && v.vm_start < end; v = mm.mm_mt.next_of(v)) {
    if (v.vm_end > end) yield* __split_vma(t, mm, v, end);
    detach.push(v);
  }
  const prev = mm.mm_mt.prev_of(detach[0]);
  const next = mm.mm_mt.next_of(detach[detach.length - 1]);
  for (const v of detach) yield* vma_start_write(t, mm, v);
  for (const v of detach) mm.mm_mt.remove(v);
  /* vms_complete_munmap_vmas(): downgrade, then clear PTEs and free tables */
  yield* mmap_write_downgrade(t, mm);
  const tlb = tlb_gather_mmu(k, mm);
  update_hiwater_rss(mm);
  yield* unmap_vmas(t, tlb, detach, start, end);
  yield* free_pgtables(t, tlb, detach, prev ? prev.vm_end : 0, next ? next.vm_start : 0);
  yield* tlb_finish_mmu(t, tlb);
  update_hiwater_vm(mm);
  for (const v of detach) vm_stat_account(mm, v.vm_flags, -v.pages);
  vm_unacct_memory(k, nr_accounted(detach)); // vms_complete_munmap_vmas()
  for (const v of detach) vma_close(k, v);
  yield* up_read(t, mm.mmap_lock);
  return 0;
}

/** The pages of the VM_ACCOUNT VMAs among `vmas` (vms_gather_munmap_vmas / exit_mmap's nr_accounted). */
export function nr_accounted(vmas: readonly Vma[]): number {
  let n = 0;
  for (const v of vmas) if (v.vm_flags & VM_ACCOUNT) n += v.pages;
  return n;
}

/** The pages of [start, end) that VM_ACCOUNT VMAs map (count_vma_pages_range() over the accountable ones). */
function accounted_pages_in(mm: MmStruct, start: number, end: number): number {
  let n = 0;
  for (let v = mm.mm_mt.find_vma(start); v && v.vm_start < end; v = mm.mm_mt.next_of(v))
    if (v.vm_flags & VM_ACCOUNT) n += (Math.min(v.vm_end, end) - Math.max(v.vm_start, start)) / PAGE_SIZE;
  return n;
}

/** munmap(addr, len) */
export function* sys_munmap(t: Task, start: number, len: number): KPath<number> {
  const mm = t.mm!;
  const k = t.k;
  // A negative start or len stands for an unsigned long above TASK_SIZE (mm/ulong.ts): -EINVAL here too.
  if (!is_ulong(start) || !is_ulong(len) || start < 0 || len < 0) return -EINVAL;
  if (start % PAGE_SIZE || start > k.arch.TASK_SIZE || len > k.arch.TASK_SIZE - start) return -EINVAL;
  len = page_align(len);
  if (len === 0) return -EINVAL;
  const end = start + len;
  yield* down_write(t, mm.mmap_lock);
  if (!mm.mm_mt.find_vma_intersection(start, end)) {
    yield* mmap_write_unlock(t, mm);
    return 0;
  }
  return yield* do_vmi_align_munmap(t, mm, start, end);
}

/**
 * mmap_region(): place a new anonymous VMA at [addr, addr + len), merging where
 * Linux would. Accounting as __mmap_setup(): an accountable mapping is charged
 * its pages less those the mappings it replaces had charged, before anything is
 * unmapped (a refused charge leaves them in place); their charge passes to it.
 * A shared one charges its shmem object (shmem_acct_size) unless VM_NORESERVE.
 * Model difference: Linux unmaps the replaced range after that charge but creates
 * the shmem object after the unmap; here both charges come first.
 */
function* mmap_region(t: Task, mm: MmStruct, addr: number, len: number, vm_flags: number, pgoff: number): KPath<number> {
  const k = t.k;
  const end = addr + len;
  const pglen = len / PAGE_SIZE;
  const shared = (vm_flags & VM_SHARED) !== 0;
  const overlap = mm.mm_mt.find_vma_intersection(addr, end) !== null;
  const transferred = overlap && vm_flags & VM_ACCOUNT ? accounted_pages_in(mm, addr, end) : 0;
  const charged = vm_flags & VM_ACCOUNT ? pglen - transferred : 0;
  if (charged && security_vm_enough_memory_mm(k, mm, charged)) return -ENOMEM;
  const shmem_acct = shared && !(vm_flags & VM_NORESERVE) ? pglen : 0;
  if (shmem_acct && security_vm_enough_memory_mm(k, mm, shmem_acct)) {
    vm_unacct_memory(k, charged);
    return -ENOMEM;
  }
  if (overlap) {
    // MAP_FIXED over existing mappings: unmap them first (write lock is retaken).
    const r = yield* do_vmi_align_munmap(t, mm, addr, end);
    if (r) {
      vm_unacct_memory(k, charged + shmem_acct);
      return r;
    }
    vm_acct_memory(k, transferred); // the unmap uncharged them: vms->nr_accounted = 0 in Linux
    yield* down_write(t, mm.mmap_lock);
  }
  if (mm.map_count >= DEFAULT_MAX_MAP_COUNT) {
    vm_unacct_memory(k, charged + transferred + shmem_acct);
    return -ENOMEM;
  }
  const file = shared ? new ShmemFile(k.new_file_id(), pglen) : null; // shmem_zero_setup()
  if (file) {
    file.mappers++;
    file.acct_pages = shmem_acct;
  }
  let vma = new Vma(addr, end, vm_flags, k.arch.vm_get_page_prot(vm_flags), pgoff, 0, file);
  mm.mm_mt.insert(vma);
  /* vma_merge_new_range() */
  const prev = mm.mm_mt.prev_of(vma);
  if (!shared && prev && can_merge(prev, vma)) vma = vma_merge_pair(k, mm, prev, vma);
  const next = mm.mm_mt.next_of(vma);
  if (!shared && next && can_merge(vma, next)) vma = vma_merge_pair(k, mm, vma, next);
  vm_stat_account(mm, vm_flags, len / PAGE_SIZE);
  return addr;
}

/** do_mmap() for anonymous memory, with the mmap write lock held. */
function* do_mmap(t: Task, mm: MmStruct, addr: number, len: number, prot: number, flags: number): KPath<number> {
  const k = t.k;
  if (!len) return -EINVAL;
  if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
  if (!(flags & MAP_FIXED) && addr && addr < MMAP_MIN_ADDR) addr = page_align(MMAP_MIN_ADDR); // round_hint_to_min()
  len = page_align_ulong(len); // PAGE_ALIGN((unsigned long)len): 0 for -1 .. -4095
  if (!len || !Number.isSafeInteger(len)) return -ENOMEM;
  if (mm.map_count > DEFAULT_MAX_MAP_COUNT) return -ENOMEM;
  let vm_flags = calc_vm_prot_bits(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  addr = get_unmapped_area(k, mm, addr, len, flags);
  if (addr < 0) return addr;
  if (flags & MAP_FIXED_NOREPLACE && mm.mm_mt.find_vma_intersection(addr, addr + len)) return -EEXIST;
  let pgoff: number;
  switch (flags & MAP_TYPE) {
    case MAP_SHARED: // MAP_SHARED_VALIDATE is for files: anonymous, it is -EINVAL (the default case), as in do_mmap()
      pgoff = 0;
      vm_flags |= VM_SHARED | VM_MAYSHARE;
      break;
    case MAP_PRIVATE:
      pgoff = addr / PAGE_SIZE;
      break;
    default:
      return -EINVAL;
  }
  // MAP_NORESERVE is honoured only if allowed to overcommit.
  if (flags & MAP_NORESERVE && k.vm_commit.overcommit_memory !== OVERCOMMIT_NEVER) vm_flags |= VM_NORESERVE;
  /* accountable_mapping(): private writable memory is charged (VM_ACCOUNT) */
  if (!(vm_flags & (VM_SHARED | VM_NORESERVE)) && vm_flags & 0x2) vm_flags |= VM_ACCOUNT;
  return yield* mmap_region(t, mm, addr, len, vm_flags, pgoff);
}

/** mmap(addr, len, prot, flags, fd, off) for MAP_ANONYMOUS (fd -1): the address or -errno. */
export function* sys_mmap(t: Task, addr: number, len: number, prot: number, flags: number, off = 0): KPath<number> {
  const mm = t.mm!;
  // Each argument is the unsigned long it stands for (mm/ulong.ts); a JS value that is none is -EINVAL.
  if (!is_ulong(addr) || !is_ulong(len) || !is_ulong(prot) || !is_ulong(flags) || !is_ulong(off)) return -EINVAL;
  if (off % PAGE_SIZE) return -EINVAL;
  if (!(flags & MAP_ANONYMOUS)) return -EBADF; // no files in the model: fd -1 is not open
  // No check of prot: Linux's mmap ignores bits other than PROT_READ/WRITE/EXEC
  // (calc_vm_prot_bits); only mprotect() validates them (arch_validate_prot).
  // A negative address is the unsigned long above 2^63 it stands for: a hint
  // there is ignored, MAP_FIXED there is -ENOMEM (__get_unmapped_area).
  if (addr < 0) addr = ULONG_WRAP + addr;
  // pgoff + (len >> PAGE_SHIFT) cannot wrap on 64 bits (-EOVERFLOW is for 32-bit
  // kernels), and pgoff of an anonymous mapping is not off's: off is not used further.
  yield* down_write(t, mm.mmap_lock);
  const r = yield* do_mmap(t, mm, addr, len, prot, flags);
  // do_vmi_align_munmap inside a MAP_FIXED replacement drops and retakes the lock.
  if (mm.mmap_lock.writer === t) yield* mmap_write_unlock(t, mm);
  return r;
}

/** exit_mmap(): unmap everything with a fullmm gather, free every table, then the PGD. */
export function* exit_mmap(t: Task, mm: MmStruct): KPath {
  const k = t.k;
  // __mmput(): khugepaged_exit(mm) and the like before exit_mmap(): the plugin drops the mm from its lists.
  if (k.hooks.exit_mmap !== null) yield* k.hooks.exit_mmap(t, mm);
  yield* down_write(t, mm.mmap_lock);
  const vmas = [...mm.mm_mt.list];
  if (vmas.length) {
    const tlb = tlb_gather_mmu_fullmm(k, mm);
    update_hiwater_rss(mm);
    yield* unmap_vmas(t, tlb, vmas, 0, k.arch.TASK_SIZE);
    yield* free_pgtables(t, tlb, vmas, 0, 0);
    yield* tlb_finish_mmu(t, tlb);
  }
  for (const v of vmas) {
    mm.mm_mt.remove(v);
    vm_stat_account(mm, v.vm_flags, -v.pages);
    vma_close(k, v);
  }
  vm_unacct_memory(k, nr_accounted(vmas));
  mm.exited = true;
  yield* mmap_write_unlock(t, mm);
}

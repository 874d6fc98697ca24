/**
 * The program break (mm/mmap.c: sys_brk, check_brk_limits; mm/vma.c:
 * do_brk_flags): the heap is one anonymous private read-write VMA from
 * mm->start_brk, grown by expanding the VMA that ends at the old break (or by a
 * new one there) and shrunk by unmapping. brk() returns the new break, or the
 * old one when the request fails (below start_brk, a mapping in the way, no
 * memory).
 *
 * The model loads no ELF files: set_brk() stands for what load_elf_binary()
 * does at exec (mm->start_brk = mm->brk = the page-aligned end of the bss,
 * randomized); until it runs, start_brk is 0 and any growth fails as it would
 * below mmap_min_addr.
 *
 * Model differences: no RLIMIT_DATA check and no stack guard gap (no
 * VM_GROWSDOWN VMAs); VM_SOFTDIRTY and mm->def_flags (mlockall) are not
 * modelled; the shrinking unmap drops the mmap lock as munmap does.
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_write } from "../sync/rwsem.js";
import { VM_ACCOUNT, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE } from "../pgtable/arch.js";
import { ENOMEM } from "./errno.js";
import { vm_stat_account } from "./mm.js";
import { security_vm_enough_memory_mm } from "./overcommit.js";
import { DEFAULT_MAX_MAP_COUNT, do_vmi_align_munmap, get_unmapped_area, MAP_FIXED, MMAP_MIN_ADDR } from "./mmap.js";
import { mmap_write_unlock, vma_start_write } from "./mmap_lock.js";
import type { MmStruct } from "./mm_struct.js";
import { can_merge } from "./vma_modify.js";
import { Vma } from "./vma.js";

const PAGE_SIZE = 4096;
const page_align = (x: number) => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

/** VM_DATA_DEFAULT_FLAGS on x86_64 (no READ_IMPLIES_EXEC personality) | VM_ACCOUNT. */
export const VM_BRK_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;

/** The ELF loader's part: mm->start_brk and mm->brk (both page-aligned at exec; `brk` may be given apart to resume a traced process). */
export function set_brk(mm: MmStruct, start_brk: number, brk = start_brk): void {
  mm.start_brk = page_align(start_brk);
  mm.brk = brk;
}

/** check_brk_limits(): the range must be a valid place for a mapping. */
function check_brk_limits(t: Task, mm: MmStruct, addr: number, len: number): number {
  if (addr < MMAP_MIN_ADDR) return -ENOMEM; // security_mmap_addr(): -EPERM in Linux, and brk() fails either way
  const mapped = get_unmapped_area(t.k, mm, addr, len, MAP_FIXED);
  return mapped < 0 ? mapped : 0;
}

/**
 * do_brk_flags(vmi, vma, addr, len, flags): expand `vma` (the VMA ending at addr
 * in the heap) when it can merge, else insert a new anonymous VMA.
 */
export function* do_brk_flags(t: Task, mm: MmStruct, vma: Vma | null, addr: number, len: number): KPath<number> {
  const k = t.k;
  const flags = VM_BRK_FLAGS;
  if (mm.map_count > DEFAULT_MAX_MAP_COUNT) return -ENOMEM;
  if (security_vm_enough_memory_mm(k, mm, len / PAGE_SIZE)) return -ENOMEM;
  const nv = new Vma(addr, addr + len, flags, k.arch.vm_get_page_prot(flags), addr / PAGE_SIZE, 0, null);
  if (vma && vma.vm_end === addr && can_merge(vma, nv)) {
    // vma_merge_new_range() with just_expand: the heap's VMA grows.
    yield* vma_start_write(t, mm, vma);
    vma.vm_end = addr + len;
  } else {
    mm.mm_mt.insert(nv);
    yield* vma_start_write(t, mm, nv);
  }
  vm_stat_account(mm, flags, len / PAGE_SIZE);
  return 0;
}

/** brk(brk): the new break, or the unchanged one on failure. */
export function* sys_brk(t: Task, brk: number): KPath<number> {
  const mm = t.mm!;
  yield* down_write(t, mm.mmap_lock);
  const origbrk = mm.brk;
  const min_brk = mm.start_brk;
  if (!Number.isSafeInteger(brk) || brk < min_brk || brk > t.k.arch.TASK_SIZE) {
    yield* mmap_write_unlock(t, mm);
    return origbrk;
  }
  const newbrk = page_align(brk);
  const oldbrk = page_align(mm.brk);
  if (oldbrk === newbrk) {
    mm.brk = brk;
    yield* mmap_write_unlock(t, mm);
    return brk;
  }
  // Always allow shrinking brk.
  if (brk <= mm.brk) {
    // Search one past newbrk: the mapping there must be the heap's.
    const brkvma = mm.mm_mt.find_vma_intersection(newbrk, oldbrk);
    if (!brkvma) {
      yield* mmap_write_unlock(t, mm);
      return origbrk;
    }
    mm.brk = brk;
    // do_vmi_align_munmap() drops the lock on success.
    if (yield* do_vmi_align_munmap(t, mm, newbrk, oldbrk)) {
      mm.brk = origbrk;
      yield* mmap_write_unlock(t, mm);
      return origbrk;
    }
    return brk;
  }
  if (check_brk_limits(t, mm, oldbrk, newbrk - oldbrk)) {
    yield* mmap_write_unlock(t, mm);
    return origbrk;
  }
  // Check against existing mmap mappings: one page must stay free after the new break.
  const next = mm.mm_mt.find_vma(oldbrk);
  if (next && newbrk + PAGE_SIZE > next.vm_start) {
    yield* mmap_write_unlock(t, mm);
    return origbrk;
  }
  // brkvma = vma_prev_limit(&vmi, mm->start_brk): the VMA holding the byte below the old break, if it reaches into the heap.
  const below = oldbrk > 0 ? mm.mm_mt.vma_lookup(oldbrk - 1) : null;
  const brkvma = below && below.vm_end > mm.start_brk ? below : null;
  if ((yield* do_brk_flags(t, mm, brkvma, oldbrk, newbrk - oldbrk)) < 0) {
    yield* mmap_write_unlock(t, mm);
    return origbrk;
  }
  mm.brk = brk;
  yield* mmap_write_unlock(t, mm);
  return brk;
}

/**
 * mremap() (mm/mremap.c): shrink in place, expand in place (vma_expandable),
 * or move (move_vma: copy_vma, move_page_tables, then unmap the old range
 * unless MREMAP_DONTUNMAP). The page tables move as Linux moves them: a whole
 * PMD table when the extent is a full, aligned 2 MiB on both sides and the
 * destination entry is none (move_normal_pmd), a whole PUD-level table for an
 * aligned 1 GiB (move_normal_pud), a huge PMD with its deposit
 * (move_huge_pmd), otherwise entry by entry into a destination PTE table
 * (move_ptes). The destination gets its upper tables wherever the source has a
 * non-none entry, so VmPTE follows Linux's.
 *
 * Model differences: the mmap write lock is dropped and retaken around each
 * unmap inside the call (do_vmi_align_munmap() returns with it released, as
 * mmap_region() does for MAP_FIXED); no VM_LOCKED/uffd/pfnmap handling; the
 * moved anon pages' folio index is set to their new address (the model's
 * rmap keeps the address, Linux keeps the page offset and adjusts vm_pgoff).
 */
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { down_write } from "../sync/rwsem.js";
import { spin_lock_nested, spin_unlock } from "../sync/spinlock.js";
import { VM_ACCOUNT, VM_MAYSHARE, VM_SHARED } from "../pgtable/arch.js";
import { pmd_clear, pmd_populate, pmdp_huge_get_and_clear, ptep_get, ptep_get_and_clear, pxd_clear, pxd_populate, pxdp_get, set_pmd_at, set_pte_at } from "../pgtable/ops.js";
import { pmd_lock, pmd_lockptr, pte_alloc_get, pte_put } from "../pgtable/pgalloc.js";
import { pte_lockptr, pte_offset_map_lock, pte_offset_map_rw_nolock, pte_unmap, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { walk_pmd, walk_pud } from "../pgtable/walk.js";
import { flush_tlb_range } from "../tlb/flush.js";
import { EAGAIN, EFAULT, EINVAL, ENOMEM } from "./errno.js";
import { is_ulong, page_align_ulong, ulong_of_aligned } from "./ulong.js";
import { page_folio, vm_normal_page } from "./folio.js";
import { __split_huge_pmd } from "./huge_memory.js";
import { vm_stat_account } from "./mm.js";
import { security_vm_enough_memory_mm, vm_unacct_memory } from "./overcommit.js";
import { do_vmi_align_munmap, get_unmapped_area, MAP_FIXED, MAP_SHARED } from "./mmap.js";
import { mmap_write_unlock, vma_start_write } from "./mmap_lock.js";
import type { MmStruct } from "./mm_struct.js";
import { PG_ANON } from "./page_alloc.js";
import { alloc_new_pmd, alloc_new_pud } from "./pgtable_alloc.js";
import { vma_merge_neighbours } from "./vma_modify.js";
import { Vma } from "./vma.js";

export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const MREMAP_DONTUNMAP = 4;

const PAGE_SIZE = 4096;

/** The model's rmap: an anon folio moved to `addr` is found there (PageFrames.index holds the address). */
function moved_anon_index(t: Task, pfn: number, addr: number): void {
  const k = t.k;
  const page = vm_normal_page(k, pfn);
  if (page >= 0 && page_folio(k, page) === page && k.frames.get_type(page) === PG_ANON) k.frames.set_index(page, addr);
}

/** Unmap [start, end) with the mmap write lock held and keep holding it (the model drops and retakes it). */
function* munmap_locked(t: Task, mm: MmStruct, start: number, end: number): KPath<number> {
  if (end > t.k.arch.TASK_SIZE) return -EINVAL; // do_vmi_munmap(): len > TASK_SIZE - start
  if (end <= start || !mm.mm_mt.find_vma_intersection(start, end)) return 0;
  const r = yield* do_vmi_align_munmap(t, mm, start, end);
  if (r === 0) yield* down_write(t, mm.mmap_lock);
  return r;
}

/**
 * get_extent(): the part of [old_addr, old_end) up to the next `size` boundary
 * of the old address and of the new one.
 */
function get_extent(size: number, old_addr: number, old_end: number, new_addr: number): number {
  let extent = (Math.floor(old_addr / size) + 1) * size - old_addr;
  if (extent > old_end - old_addr) extent = old_end - old_addr;
  const next = (Math.floor(new_addr / size) + 1) * size - new_addr;
  if (extent > next) extent = next;
  return extent;
}

/** move_ptes(): each non-none PTE of the extent is cleared in the old table and set in the new one. */
function* move_ptes(t: Task, vma: Vma, old_pmdp: number, old_addr: number, old_end: number, new_pmdp: number, new_addr: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const mm = vma.vm_mm!;
  const old_pte = yield* pte_offset_map_lock(t, mm, old_pmdp, old_addr);
  if (old_pte < 0) return -EAGAIN;
  const old_ptl = t.ptl!;
  const new_pte = yield* pte_offset_map_rw_nolock(t, mm, new_pmdp, new_addr);
  if (new_pte < 0) {
    yield* pte_unmap_unlock(t, old_pte, old_ptl);
    return -EAGAIN;
  }
  const new_ptl = pte_lockptr(k, t.pmdval);
  if (new_ptl !== old_ptl) yield* spin_lock_nested(t, new_ptl);
  let force_flush = false;
  const len = old_end - old_addr;
  for (let i = 0; old_addr + i * PAGE_SIZE < old_end; i++) {
    if (a.pte_none(yield* ptep_get(t, old_pte + i))) continue;
    const pte = yield* ptep_get_and_clear(t, mm, old_addr + i * PAGE_SIZE, old_pte + i);
    if (a.pte_present(pte)) {
      force_flush = true;
      moved_anon_index(t, a.pte_pfn(pte), new_addr + i * PAGE_SIZE);
    }
    yield* set_pte_at(t, mm, new_addr + i * PAGE_SIZE, new_pte + i, pte);
  }
  if (force_flush) yield* flush_tlb_range(t, vma, old_addr, old_addr + len);
  if (new_ptl !== old_ptl) yield* spin_unlock(t, new_ptl);
  yield* pte_unmap(t, new_pte);
  yield* pte_unmap_unlock(t, old_pte, old_ptl);
  return 0;
}

/** move_normal_pmd(): the whole PTE table changes PMD entry. False when the destination entry is not none (a shared table). */
function* move_normal_pmd(t: Task, vma: Vma, old_addr: number, old_pmdp: number, new_pmdp: number): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  if (!a.pxd_none(k.pt.get(new_pmdp))) return false;
  const old_ptl = yield* pmd_lock(t, old_pmdp);
  const new_ptl = pmd_lockptr(k, new_pmdp);
  if (new_ptl !== old_ptl) yield* spin_lock_nested(t, new_ptl);
  const pmd = yield* pxdp_get(t, old_pmdp);
  let moved = false;
  // Racing with collapse?
  if (a.pxd_present(pmd) && !a.pmd_leaf(pmd)) {
    yield* pmd_clear(t, old_pmdp);
    yield* pmd_populate(t, new_pmdp, a.pxd_table_pfn(pmd));
    moved = true;
  }
  if (new_ptl !== old_ptl) yield* spin_unlock(t, new_ptl);
  yield* spin_unlock(t, old_ptl);
  if (moved) yield* flush_tlb_range(t, vma, old_addr, old_addr + k.PMD_SIZE);
  return moved;
}

/** move_normal_pud(): the whole PMD table changes PUD entry (CONFIG_HAVE_MOVE_PUD, x86). */
function* move_normal_pud(t: Task, vma: Vma, old_addr: number, old_pudp: number, new_pudp: number): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  const mm = vma.vm_mm!;
  if (!a.pxd_none(k.pt.get(new_pudp))) return false;
  yield* spin_lock_nested(t, mm.page_table_lock); // pud_lock(): mm->page_table_lock on x86
  const pud = yield* pxdp_get(t, old_pudp);
  let moved = false;
  if (a.pxd_present(pud)) {
    yield* pxd_clear(t, old_pudp);
    yield* pxd_populate(t, new_pudp, a.pxd_table_pfn(pud));
    moved = true;
  }
  yield* spin_unlock(t, mm.page_table_lock);
  if (moved) yield* flush_tlb_range(t, vma, old_addr, old_addr + k.PUD_SIZE);
  return moved;
}

/** move_huge_pmd(): a huge PMD (a THP or the huge zero page) moves with its deposited table. */
function* move_huge_pmd(t: Task, vma: Vma, old_addr: number, new_addr: number, old_pmdp: number, new_pmdp: number): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  if (!a.pxd_none(k.pt.get(new_pmdp))) return false;
  const old_ptl = yield* pmd_lock(t, old_pmdp);
  const new_ptl = pmd_lockptr(k, new_pmdp);
  if (new_ptl !== old_ptl) yield* spin_lock_nested(t, new_ptl);
  const pmd = yield* pmdp_huge_get_and_clear(t, old_pmdp);
  // pgtable_trans_huge_withdraw() + _deposit(): the model keys deposits by PMD entry, so it always moves.
  const pgtable = k.deposit.get(old_pmdp);
  if (pgtable !== undefined) {
    k.deposit.delete(old_pmdp);
    k.deposit.set(new_pmdp, pgtable);
  }
  if (a.pxd_pfn(pmd) !== k.frames.huge_zero_pfn) moved_anon_index(t, a.pxd_pfn(pmd), new_addr);
  yield* set_pmd_at(t, new_pmdp, pmd);
  if (new_ptl !== old_ptl) yield* spin_unlock(t, new_ptl);
  yield* spin_unlock(t, old_ptl);
  yield* flush_tlb_range(t, vma, old_addr, old_addr + k.PMD_SIZE);
  return true;
}

/**
 * move_page_tables(vma, old_addr, new_vma, new_addr, len): returns the length
 * moved (len, or less when a table could not be allocated).
 */
export function* move_page_tables(t: Task, vma: Vma, old_addr: number, new_vma: Vma, new_addr: number, len: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const mm = vma.vm_mm!;
  const old_end = old_addr + len;
  const start = old_addr;
  let extent = 0;
  for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
    extent = get_extent(k.PUD_SIZE, old_addr, old_end, new_addr);
    const old_pudp = walk_pud(k, mm, old_addr); // get_old_pud()
    if (old_pudp < 0 || a.pxd_none(k.pt.get(old_pudp))) continue;
    const new_pudp = yield* alloc_new_pud(t, new_vma.vm_mm!, new_addr);
    if (new_pudp < 0) break;
    if (extent === k.PUD_SIZE && (yield* move_normal_pud(t, vma, old_addr, old_pudp, new_pudp))) continue;

    extent = get_extent(k.PMD_SIZE, old_addr, old_end, new_addr);
    const old_pmdp = walk_pmd(k, mm, old_addr); // get_old_pmd()
    if (old_pmdp < 0 || a.pxd_none(k.pt.get(old_pmdp))) continue;
    const new_pmdp = yield* alloc_new_pmd(t, new_vma.vm_mm!, new_addr);
    if (new_pmdp < 0) break;
    for (;;) {
      const pmd = k.pt.get(old_pmdp);
      if (!a.pxd_none(pmd) && a.pmd_trans_huge(pmd)) {
        if (extent === k.PMD_SIZE && (yield* move_huge_pmd(t, vma, old_addr, new_addr, old_pmdp, new_pmdp))) break;
        yield* __split_huge_pmd(t, vma, old_pmdp, old_addr);
      } else if (extent === k.PMD_SIZE) {
        if (yield* move_normal_pmd(t, vma, old_addr, old_pmdp, new_pmdp)) break;
      }
      if (a.pxd_none(k.pt.get(old_pmdp))) break;
      // 2021 pte_refcount (v2 6/9): pte_alloc_get(), the reference put after move_ptes().
      const held = yield* pte_alloc_get(t, new_vma.vm_mm!, new_pmdp);
      const moved = yield* move_ptes(t, vma, old_pmdp, old_addr, old_addr + extent, new_pmdp, new_addr);
      if (held) yield* pte_put(t, new_vma.vm_mm!, new_pmdp, new_addr);
      if (moved === 0) break;
      // again: the PMD changed under us
    }
  }
  return Math.min(old_addr, old_end) - start;
}

/**
 * move_vma(): charge what the move adds (vrm_calc_charge: the growth, or the
 * whole new length with MREMAP_DONTUNMAP), copy_vma() (same flags, protection,
 * anon_vma and page offset at the new address), move_page_tables(), account the
 * new range, then unmap the old one unless MREMAP_DONTUNMAP (keeping hiwater_vm
 * as it was before the move, as Linux does; with VM_ACCOUNT cleared for the
 * unmap, as unmap_source_vma() does, so that the old pages' charge passes to the
 * new VMA). Returns the new address; the mmap lock stays held.
 */
function* move_vma(t: Task, mm: MmStruct, vma: Vma, old_addr: number, old_len: number, new_len: number, new_addr: number, flags: number): KPath<number> {
  let charged = 0;
  if (vma.vm_flags & VM_ACCOUNT) {
    charged = (flags & MREMAP_DONTUNMAP ? new_len : Math.max(0, new_len - old_len)) / PAGE_SIZE;
    if (charged && security_vm_enough_memory_mm(t.k, mm, charged)) return -ENOMEM;
  }
  const new_pgoff = vma.vm_pgoff + (old_addr - vma.vm_start) / PAGE_SIZE;
  const new_vma = new Vma(new_addr, new_addr + new_len, vma.vm_flags, vma.vm_page_prot, new_pgoff, vma.anon_vma, vma.vm_file);
  if (new_vma.vm_file) new_vma.vm_file.mappers++;
  mm.mm_mt.insert(new_vma);
  yield* vma_start_write(t, mm, new_vma);
  yield* vma_start_write(t, mm, vma);
  const moved = yield* move_page_tables(t, vma, old_addr, new_vma, new_addr, old_len);
  if (moved < old_len) {
    vm_unacct_memory(t.k, charged);
    return -ENOMEM; // the model never fails a table allocation
  }
  vm_stat_account(mm, vma.vm_flags, new_len / PAGE_SIZE);
  if (!(flags & MREMAP_DONTUNMAP) && old_len) {
    const hiwater_vm = mm.hiwater_vm;
    const accountable_move = (vma.vm_flags & VM_ACCOUNT) !== 0;
    const { vm_start, vm_end } = vma;
    if (accountable_move) vma.vm_flags &= ~VM_ACCOUNT;
    const old_end = old_addr + old_len;
    const r = yield* munmap_locked(t, mm, old_addr, old_end);
    if (accountable_move) {
      // Reinstate VM_ACCOUNT on what remains of the old VMA on either side.
      const prev = vm_start < old_addr ? mm.mm_mt.vma_lookup(old_addr - 1) : null;
      const next = vm_end > old_end ? mm.mm_mt.vma_lookup(old_end) : null;
      if (prev) prev.vm_flags |= VM_ACCOUNT;
      if (next) next.vm_flags |= VM_ACCOUNT;
      if (r) vma.vm_flags |= VM_ACCOUNT;
    }
    if (r) return r;
    mm.hiwater_vm = hiwater_vm;
  }
  const still = mm.mm_mt.vma_lookup(new_addr);
  if (still) vma_merge_neighbours(t.k, mm, still);
  return new_addr;
}

/** vma_expandable(): nothing mapped in [vm_end, vm_end + delta), and the result is a valid range. */
function vma_expandable(t: Task, mm: MmStruct, vma: Vma, delta: number): boolean {
  const end = vma.vm_end + delta;
  if (end < vma.vm_end) return false;
  if (mm.mm_mt.find_vma_intersection(vma.vm_end, end)) return false;
  return get_unmapped_area(t.k, mm, vma.vm_start, end - vma.vm_start, MAP_FIXED) >= 0;
}

const map_flags = (vma: Vma) => (vma.vm_flags & (VM_SHARED | VM_MAYSHARE) ? MAP_SHARED : 0);

/** mremap_to(): MREMAP_FIXED (unmap the destination first) and/or MREMAP_DONTUNMAP. */
function* mremap_to(t: Task, mm: MmStruct, addr: number, old_len: number, new_addr: number, new_len: number, flags: number): KPath<number> {
  const k = t.k;
  if (flags & MREMAP_FIXED) {
    if (new_addr % PAGE_SIZE) return -EINVAL;
    if (new_len > k.arch.TASK_SIZE || new_addr > k.arch.TASK_SIZE - new_len) return -EINVAL;
    // Ensure the old/new locations do not overlap.
    if (addr + old_len > new_addr && new_addr + new_len > addr) return -EINVAL;
    const r = yield* munmap_locked(t, mm, new_addr, new_addr + new_len);
    if (r) return r;
  }
  if (old_len > new_len) {
    const r = yield* munmap_locked(t, mm, addr + new_len, addr + old_len);
    if (r) return r;
    old_len = new_len;
  }
  const vma = mm.mm_mt.vma_lookup(addr);
  if (!vma) return -EFAULT;
  if (old_len > vma.vm_end - addr) return -EFAULT;
  const target = get_unmapped_area(k, mm, flags & MREMAP_FIXED ? new_addr : 0, new_len, map_flags(vma) | (flags & MREMAP_FIXED ? MAP_FIXED : 0));
  if (target < 0) return target;
  return yield* move_vma(t, mm, vma, addr, old_len, new_len, target, flags);
}

function* do_mremap(t: Task, mm: MmStruct, addr: number, old_len: number, new_len: number, flags: number, new_addr: number): KPath<number> {
  const k = t.k;
  let vma = mm.mm_mt.vma_lookup(addr);
  if (!vma) return -EFAULT;
  // Duplicating a mapping (old_len 0) is only for shared ones.
  if (old_len === 0 && !(vma.vm_flags & (VM_SHARED | VM_MAYSHARE))) return -EINVAL;
  if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) return yield* mremap_to(t, mm, addr, old_len, new_addr, new_len, flags);
  // Always allow a shrinking remap: that just unmaps the unnecessary pages.
  if (old_len >= new_len) {
    const r = yield* munmap_locked(t, mm, addr + new_len, addr + old_len);
    return r || addr;
  }
  // vma_to_resize()
  vma = mm.mm_mt.vma_lookup(addr);
  if (!vma) return -EFAULT;
  if (old_len > vma.vm_end - addr) return -EFAULT;
  const delta = new_len - old_len;
  // Old range ends at the VMA's end and there is room after it: expand in place (vma_merge_extend).
  if (old_len === vma.vm_end - addr && vma_expandable(t, mm, vma, delta)) {
    if (vma.vm_flags & VM_ACCOUNT && security_vm_enough_memory_mm(k, mm, delta / PAGE_SIZE)) return -ENOMEM; // vrm_charge()
    yield* vma_start_write(t, mm, vma);
    vma.vm_end += delta;
    vm_stat_account(mm, vma.vm_flags, delta / PAGE_SIZE);
    vma_merge_neighbours(k, mm, vma);
    return addr;
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  const target = get_unmapped_area(k, mm, 0, new_len, map_flags(vma));
  if (target < 0) return target;
  return yield* move_vma(t, mm, vma, addr, old_len, new_len, target, flags);
}

/** mremap(addr, old_len, new_len, flags, new_addr): the new address or -errno. */
export function* sys_mremap(t: Task, addr: number, old_len: number, new_len: number, flags: number, new_addr = 0): KPath<number> {
  const mm = t.mm!;
  const k = t.k;
  // Each argument is the unsigned long it stands for (mm/ulong.ts); a JS value that is none is -EINVAL.
  if (!is_ulong(addr) || !is_ulong(old_len) || !is_ulong(new_len) || !is_ulong(flags) || !is_ulong(new_addr)) return -EINVAL;
  // check_mremap_params()
  if (flags < 0 || flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) return -EINVAL;
  if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
  if (flags & MREMAP_DONTUNMAP && (!(flags & MREMAP_MAYMOVE) || old_len !== new_len)) return -EINVAL;
  if (addr % PAGE_SIZE) return -EINVAL;
  addr = ulong_of_aligned(addr);
  if (new_addr < 0 && new_addr % PAGE_SIZE === 0) new_addr = ulong_of_aligned(new_addr); // an unaligned one stays: -EINVAL with MREMAP_FIXED
  old_len = page_align_ulong(old_len);
  new_len = page_align_ulong(new_len);
  if (!new_len) return -EINVAL;
  if (new_len > k.arch.TASK_SIZE) return -EINVAL; // "Is the new length silly?"
  // An addr past TASK_SIZE has no VMA: -EFAULT (do_mremap); an old_len past it is refused
  // by the shrink's munmap (munmap_locked), else it exceeds the VMA: -EFAULT.
  yield* down_write(t, mm.mmap_lock);
  const r = yield* do_mremap(t, mm, addr, old_len, new_len, flags, new_addr);
  if (mm.mmap_lock.writer === t) yield* mmap_write_unlock(t, mm);
  return r;
}

/**
 * The page-fault path for anonymous memory (mm/memory.c): __handle_mm_fault →
 * handle_pte_fault → do_anonymous_page / do_fault / do_wp_page, with the upper
 * levels allocated on the way down. do_fault() is the file path, taken by shared
 * anonymous (shmem-backed) VMAs: read faults first map the surrounding pages
 * already in the page cache (do_fault_around, 64 KiB window), then the page
 * shmem_get_folio() finds or allocates is mapped by finish_fault().
 */
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { spin_lock } from "../sync/spinlock.js";
import { flush_tlb_mm_range } from "../tlb/flush.js";
import { VM_SHARED, VM_WRITE } from "../pgtable/arch.js";
import { p4d_offset, pgd_offset, pmd_offset, pud_offset, round_down } from "../pgtable/offset.js";
import { ptep_get, ptep_get_lockless, ptep_modify, pmdp_get_lockless, set_pte_at, ptep_get_and_clear } from "../pgtable/ops.js";
import { __p4d_alloc, __pmd_alloc, __pud_alloc, pte_alloc_get, pte_put } from "../pgtable/pgalloc.js";
import { pte_offset_map_lock, pte_offset_map_rw_nolock, pte_unmap, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { pmd_offset_map, pmd_unmap } from "../pgtable/upper_map.js";
import {
  FAULT_FLAG_WRITE,
  VM_FAULT_FALLBACK,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from "./fault_flags.js";
import { folio_get, folio_put, folio_test_anon, folio_test_large, page_folio, vm_normal_page } from "./folio.js";
import { folio_remove_rmap_ptes_deferred } from "./deferred_split.js";
import { do_huge_pmd_anonymous_page, do_huge_pmd_wp_page, huge_pmd_set_accessed, thp_vma_allowable_pmd } from "./huge_memory.js";
import type { MmStruct } from "./mm_struct.js";
import { add_mm_counter, MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS, vma_is_anonymous } from "./mm.js";
import { PF_DIRTY, PG_ANON } from "./page_alloc.js";
import { anon_vma_prepare } from "./rmap.js";
import { is_pte_marker, pte_marker_get, PTE_MARKER_GUARD } from "./pte_marker.js";
import { shmem_get_folio } from "./shmem.js";
import { swap_free } from "./swapfile.js";
import type { VmFault } from "../types/mm_types.js";
import type { Vma } from "./vma.js";

/** mk_pte(page, vma->vm_page_prot), then maybe_mkwrite(pte_mkdirty()) for a writable VMA. */
export function anon_pte(k: Kernel, vma: Vma, pfn: number): number {
  const a = k.arch;
  let entry = a.pfn_pte(pfn, vma.vm_page_prot);
  if (vma.vm_flags & VM_WRITE) entry = a.pte_mkwrite(a.pte_mkdirty(entry));
  return entry;
}

/** alloc_anon_folio(): an order-0 anon folio (anon mTHP orders are off by default). */
export function alloc_anon_folio(k: Kernel, mm: MmStruct, addr: number, value: number): number {
  const pfn = k.frames.alloc(0, PG_ANON);
  k.frames.set_owner(pfn, mm.id);
  k.frames.set_index(pfn, addr);
  k.frames.set_data(pfn, value);
  return pfn;
}

/**
 * do_anonymous_page(). With a plugin that keeps table references (the 2021
 * pte_refcount, v2 6/9) pte_alloc_get() returns holding one, dropped at the
 * `put:` label after every exit of the body (pte_put()).
 */
function* do_anonymous_page(t: Task, vmf: VmFault): KPath<number> {
  if (vmf.vma.vm_flags & VM_SHARED) return VM_FAULT_SIGBUS;
  const held = yield* pte_alloc_get(t, t.mm!, vmf.pmdp);
  const ret = yield* do_anonymous_page_setpte(t, vmf);
  // put:
  if (held) yield* pte_put(t, t.mm!, vmf.pmdp, vmf.address);
  return ret;
}

/** do_anonymous_page() after pte_alloc(): map the zero page or a new folio under the PTE lock. */
function* do_anonymous_page_setpte(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  const vma = vmf.vma;
  const mm = t.mm!;
  const a = k.arch;

  /* Use the zero-page for reads */
  if (!(vmf.flags & FAULT_FLAG_WRITE)) {
    const entry = a.pte_mkspecial(a.pfn_pte(k.frames.zero_pfn, vma.vm_page_prot));
    vmf.pte = yield* pte_offset_map_lock(t, mm, vmf.pmdp, vmf.address);
    if (vmf.pte < 0) return 0;
    const ptl = t.ptl!;
    if (!a.pte_none(yield* ptep_get(t, vmf.pte))) {
      // vmf_pte_changed(): someone else populated it; retry the access.
      yield* pte_unmap_unlock(t, vmf.pte, ptl);
      return 0;
    }
    yield* set_pte_at(t, mm, vmf.address, vmf.pte, entry);
    mm.counters.zero_page_faults++;
    yield* pte_unmap_unlock(t, vmf.pte, ptl);
    return 0;
  }

  anon_vma_prepare(k, mm, vma);
  const pfn = alloc_anon_folio(k, mm, vmf.address, vmf.value);
  vmf.pte = yield* pte_offset_map_lock(t, mm, vmf.pmdp, vmf.address);
  if (vmf.pte < 0) {
    folio_put(k, pfn);
    return 0;
  }
  const ptl = t.ptl!;
  if (!a.pte_none(yield* ptep_get(t, vmf.pte))) {
    yield* pte_unmap_unlock(t, vmf.pte, ptl);
    folio_put(k, pfn);
    return 0;
  }
  // map_anon_folio_pte_pf(): folio_add_new_anon_rmap, add_mm_counter, set_ptes
  k.frames.set_mapcount(pfn, 1);
  add_mm_counter(mm, MM_ANONPAGES, 1);
  yield* set_pte_at(t, mm, vmf.address, vmf.pte, anon_pte(k, vma, pfn));
  yield* pte_unmap_unlock(t, vmf.pte, ptl);
  return 0;
}

/**
 * do_wp_page(): a write to a present, non-writable PTE. An exclusive anon page is
 * reused (wp_page_reuse); the zero page, or a shared one, is copied (wp_page_copy).
 * Called with the PTE lock held (t.ptl); releases it.
 */
function* do_wp_page(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  const vma = vmf.vma;
  const ptl = vmf.ptl!;
  const pfn = a.pte_pfn(vmf.orig_pte);
  const page = vm_normal_page(k, pfn);
  if (vma.vm_flags & VM_SHARED) {
    // wp_page_shared(): shmem has no page_mkwrite; make it writable and dirty.
    yield* ptep_modify(t, vmf.pte, a.pte_mkdirty(a.pte_mkwrite(vmf.orig_pte)));
    k.frames.set_data(pfn, vmf.value);
    yield* pte_unmap_unlock(t, vmf.pte, ptl);
    return 0;
  }
  if (page >= 0 && k.frames.get_type(page_folio(k, page)) === PG_ANON && k.frames.get_refcount(page_folio(k, page)) === 1) {
    // wp_can_reuse_anon_folio() → wp_page_reuse()
    yield* ptep_modify(t, vmf.pte, a.pte_mkdirty(a.pte_mkwrite(vmf.orig_pte)));
    yield* pte_unmap_unlock(t, vmf.pte, ptl);
    return 0;
  }
  // wp_page_copy(): drop the lock, allocate, retake it and recheck.
  yield* pte_unmap_unlock(t, vmf.pte, ptl);
  anon_vma_prepare(k, mm, vma);
  const npfn = alloc_anon_folio(k, mm, vmf.address, vmf.value);
  vmf.pte = yield* pte_offset_map_lock(t, mm, vmf.pmdp, vmf.address);
  if (vmf.pte < 0) {
    folio_put(k, npfn);
    return 0;
  }
  const ptl2 = t.ptl!;
  if ((yield* ptep_get(t, vmf.pte)) !== vmf.orig_pte) {
    yield* pte_unmap_unlock(t, vmf.pte, ptl2);
    folio_put(k, npfn);
    return 0;
  }
  if (page < 0) add_mm_counter(mm, MM_ANONPAGES, 1);
  k.frames.set_mapcount(npfn, 1);
  // ptep_clear_flush() + set_pte_at(): the old translation goes before the new one.
  yield* ptep_get_and_clear(t, mm, vmf.address, vmf.pte);
  yield* flush_tlb_mm_range(t, mm, vmf.address, vmf.address + 4096, 12, false);
  yield* set_pte_at(t, mm, vmf.address, vmf.pte, anon_pte(k, vma, npfn));
  yield* pte_unmap_unlock(t, vmf.pte, ptl2);
  if (page >= 0) {
    const head = page_folio(k, page);
    k.frames.add_mapcount(page, -1); // folio_remove_rmap_pte()
    if (folio_test_large(k, head) && folio_test_anon(k, head)) folio_remove_rmap_ptes_deferred(k, head, page, 1);
    add_mm_counter(mm, MM_ANONPAGES, -1);
    folio_put(k, head);
  }
  return 0;
}

/**
 * do_swap_page(): a fault on a swap PTE. The model has no swap cache
 * (swapfile.ts), so swap_cache_get_folio() always misses and the slot is read
 * into a new folio (swapin_readahead() of one page: a major fault); then, as
 * Linux does, the PTE is rechecked under the lock (another thread may have
 * swapped it in or zapped it), the slot's reference is dropped (swap_free_nr),
 * MM_SWAPENTS moves back to MM_ANONPAGES, and the page is mapped writable at
 * once if the entry was exclusive and the VMA writable (dirty too on a write
 * fault, which then needs no do_wp_page()).
 */
export function* do_swap_page(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  const vma = vmf.vma;
  // pte_unmap_same(): x86-64's pte_t fits a long, so no recheck under the lock here.
  yield* pte_unmap(t, vmf.pte);
  vmf.pte = -1;
  // non_swap_entry(): a PTE marker → handle_pte_marker(): a guard marker raises SIGSEGV.
  if (is_pte_marker(k, vmf.orig_pte)) return pte_marker_get(k, vmf.orig_pte) & PTE_MARKER_GUARD ? VM_FAULT_SIGSEGV : VM_FAULT_SIGBUS;
  const si = k.swap_info;
  if (si === null || !a.is_swap_pte(vmf.orig_pte) || a.pte_to_swp_type(vmf.orig_pte) !== si.type) {
    // non_swap_entry(): migration and device entries do not exist in the model.
    return VM_FAULT_SIGBUS;
  }
  const offset = a.pte_to_swp_offset(vmf.orig_pte);
  // swapin_readahead() → swap_read_folio(): a new folio with the slot's contents.
  const pfn = alloc_anon_folio(k, mm, vmf.address, si.data(offset));
  si.pswpin++;
  vmf.pte = yield* pte_offset_map_lock(t, mm, vmf.pmdp, vmf.address);
  if (vmf.pte < 0) {
    folio_put(k, pfn);
    return 0;
  }
  const ptl = t.ptl!;
  if ((yield* ptep_get(t, vmf.pte)) !== vmf.orig_pte) {
    // out_nomap: somebody else already faulted in (or zapped) this PTE.
    yield* pte_unmap_unlock(t, vmf.pte, ptl);
    folio_put(k, pfn);
    return 0;
  }
  const exclusive = si.exclusive(offset); // pte_swp_exclusive(vmf->orig_pte)
  swap_free(k, offset);
  add_mm_counter(mm, MM_ANONPAGES, 1);
  add_mm_counter(mm, MM_SWAPENTS, -1);
  let pte = a.pfn_pte(pfn, vma.vm_page_prot);
  if (exclusive && vma.vm_flags & VM_WRITE) {
    pte = a.pte_mkwrite(pte);
    if (vmf.flags & FAULT_FLAG_WRITE) {
      pte = a.pte_mkdirty(pte);
      vmf.flags &= ~FAULT_FLAG_WRITE;
    }
  }
  k.frames.set_mapcount(pfn, 1); // folio_add_anon_rmap_ptes() (RMAP_EXCLUSIVE when exclusive)
  yield* set_pte_at(t, mm, vmf.address, vmf.pte, pte);
  if (vmf.flags & FAULT_FLAG_WRITE) {
    // The page was mapped read-only (not exclusive, or a read-only VMA): COW it now.
    vmf.orig_pte = pte;
    vmf.ptl = ptl;
    return yield* do_wp_page(t, vmf);
  }
  yield* pte_unmap_unlock(t, vmf.pte, ptl);
  return 0;
}

/** fault_around_bytes (default 64 KiB) in pages. */
export const FAULT_AROUND_PAGES = 16;

/** Map one page-cache page at addr with the PTE lock held (set_pte_range). */
function* map_shmem_pte(t: Task, vma: Vma, ptep: number, addr: number, pfn: number, write: boolean): KPath {
  const k = t.k;
  const a = k.arch;
  let entry = a.pfn_pte(pfn, vma.vm_page_prot);
  if (write) entry = a.pte_mkdirty(entry);
  if (write && vma.vm_flags & VM_WRITE) entry = a.pte_mkwrite(entry);
  folio_get(k, pfn);
  k.frames.add_mapcount(pfn, 1);
  add_mm_counter(t.mm!, MM_SHMEMPAGES, 1);
  yield* set_pte_at(t, t.mm!, addr, ptep, entry);
}

/** finish_fault() */
function* finish_fault(t: Task, vmf: VmFault, pfn: number): KPath<number> {
  const k = t.k;
  const mm = t.mm!;
  // 2021 v2 6/9: pmd_install_get() / pte_alloc_get(), pte_put() after the unlock.
  const held = yield* pte_alloc_get(t, mm, vmf.pmdp);
  const ptep = yield* pte_offset_map_lock(t, mm, vmf.pmdp, vmf.address);
  if (ptep >= 0) {
    const ptl = t.ptl!;
    if (k.arch.pte_none(yield* ptep_get(t, ptep))) {
      const write = (vmf.flags & FAULT_FLAG_WRITE) !== 0;
      if (write) k.frames.set_data(pfn, vmf.value);
      yield* map_shmem_pte(t, vmf.vma, ptep, vmf.address, pfn, write);
    }
    yield* pte_unmap_unlock(t, ptep, ptl);
  }
  if (held) yield* pte_put(t, mm, vmf.pmdp, vmf.address);
  return VM_FAULT_NOPAGE;
}

/**
 * do_fault_around() → filemap_map_pages(): map the pages of [from, to] already in
 * the page cache. Returns VM_FAULT_NOPAGE when the faulting page itself was mapped.
 */
function* do_fault_around(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  const vma = vmf.vma;
  const file = vma.vm_file!;
  const nr_pages = FAULT_AROUND_PAGES;
  const pte_off = Math.floor(vmf.address / 4096) % 512;
  const vma_off = vmf.pgoff - vma.vm_pgoff;
  const from_pte = Math.max(Math.floor(pte_off / nr_pages) * nr_pages, pte_off - Math.min(pte_off, vma_off));
  const to_pte = Math.min(from_pte + nr_pages, 512, pte_off + vma.pages - vma_off) - 1;
  const first = vmf.pgoff + from_pte - pte_off;
  const last = vmf.pgoff + to_pte - pte_off;
  let any = false;
  for (let p = first; p <= last && !any; p++) any = file.pages.has(p);
  if (!any) return 0; // next_uptodate_folio() found nothing: the preallocated table is freed.
  const mm = t.mm!;
  // filemap_map_pmd() installs prealloc_pte (2021 v2 6/9: pmd_install_get(), pte_put() at the end)
  const held = yield* pte_alloc_get(t, mm, vmf.pmdp);
  const base_addr = vmf.address - (pte_off - from_pte) * 4096;
  const ptep0 = yield* pte_offset_map_lock(t, mm, vmf.pmdp, base_addr);
  if (ptep0 < 0) {
    if (held) yield* pte_put(t, mm, vmf.pmdp, base_addr);
    return 0;
  }
  const ptl = t.ptl!;
  let ret = 0;
  for (let i = 0; i <= to_pte - from_pte; i++) {
    const pfn = file.pages.get(first + i);
    if (pfn === undefined) continue;
    if (!k.arch.pte_none(yield* ptep_get(t, ptep0 + i))) continue;
    yield* map_shmem_pte(t, vma, ptep0 + i, base_addr + i * 4096, pfn, false);
    if (from_pte + i === pte_off) ret = VM_FAULT_NOPAGE;
  }
  yield* pte_unmap_unlock(t, ptep0, ptl);
  if (held) yield* pte_put(t, mm, vmf.pmdp, base_addr);
  return ret;
}

/** do_fault(): do_read_fault() or do_shared_fault() for a shmem-backed VMA. */
export function* do_fault(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  if (!(vmf.flags & FAULT_FLAG_WRITE)) {
    const ret = yield* do_fault_around(t, vmf);
    if (ret) return ret & VM_FAULT_OOM ? ret : 0;
  }
  const pfn = shmem_get_folio(k, vmf.vma.vm_file!, vmf.pgoff);
  const ret = yield* finish_fault(t, vmf, pfn);
  return ret & VM_FAULT_OOM ? ret : 0;
}

/** handle_pte_fault() */
function* handle_pte_fault(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  if (a.pxd_none(k.pt.get(vmf.pmdp))) {
    vmf.pte = -1;
  } else {
    vmf.pte = yield* pte_offset_map_rw_nolock(t, mm, vmf.pmdp, vmf.address);
    if (vmf.pte < 0) return 0;
    vmf.ptl = t.ptl;
    vmf.orig_pte = yield* ptep_get_lockless(t, vmf.pte);
    if (a.pte_none(vmf.orig_pte)) {
      yield* pte_unmap(t, vmf.pte);
      vmf.pte = -1;
    }
  }
  if (vmf.pte < 0) {
    // do_pte_missing()
    if (vma_is_anonymous(vmf.vma)) return yield* do_anonymous_page(t, vmf);
    return yield* do_fault(t, vmf);
  }
  if (!a.pte_present(vmf.orig_pte)) return yield* do_swap_page(t, vmf);
  const ptl = vmf.ptl!;
  yield* spin_lock(t, ptl);
  let entry = vmf.orig_pte;
  if ((yield* ptep_get(t, vmf.pte)) !== entry) {
    yield* pte_unmap_unlock(t, vmf.pte, ptl);
    return 0;
  }
  if (vmf.flags & FAULT_FLAG_WRITE) {
    if (!a.pte_write(entry)) return yield* do_wp_page(t, vmf);
    entry = a.pte_mkdirty(entry);
  }
  entry = a.pte_mkyoung(entry);
  if (entry !== vmf.orig_pte) yield* ptep_modify(t, vmf.pte, entry); // ptep_set_access_flags
  yield* pte_unmap_unlock(t, vmf.pte, ptl);
  return 0;
}

/** p4d_alloc(), pud_alloc(), pmd_alloc(): the entry pointer, or -1 on -ENOMEM. */
function* p4d_alloc(t: Task, mm: MmStruct, pgdp: number, addr: number): KPath<number> {
  const k = t.k;
  if (!k.arch.p4d_folded && k.arch.pxd_none(k.pt.get(pgdp)) && (yield* __p4d_alloc(t, mm, pgdp))) return -1;
  return p4d_offset(k, pgdp, addr);
}
function* pud_alloc(t: Task, mm: MmStruct, p4dp: number, addr: number): KPath<number> {
  const k = t.k;
  if (k.arch.pxd_none(k.pt.get(p4dp)) && (yield* __pud_alloc(t, mm, p4dp))) return -1;
  return pud_offset(k, p4dp, addr);
}
function* pmd_alloc(t: Task, mm: MmStruct, pudp: number, addr: number): KPath<number> {
  const k = t.k;
  if (k.arch.pxd_none(k.pt.get(pudp)) && (yield* __pmd_alloc(t, mm, pudp))) return -1;
  return pmd_offset(k, pudp, addr);
}

/** __handle_mm_fault() */
function* __handle_mm_fault(t: Task, vma: Vma, address: number, flags: number, value: number): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  // struct vm_fault lives on the kernel stack: one per task, reset for each fault.
  const vmf: VmFault = t.vmf ?? (t.vmf = { vma, address: 0, flags: 0, pgoff: 0, pudp: -1, pmdp: -1, pte: -1, orig_pte: 0, orig_pmd: 0, ptl: null, value: 0 });
  vmf.vma = vma;
  vmf.address = round_down(address, 4096);
  vmf.flags = flags;
  vmf.pgoff = Math.floor((address - vma.vm_start) / 4096) + vma.vm_pgoff;
  vmf.pudp = vmf.pmdp = vmf.pte = -1;
  vmf.orig_pte = vmf.orig_pmd = 0;
  vmf.ptl = null;
  vmf.value = value;
  const pgdp = pgd_offset(k, mm, address);
  // VM_FAULT_OOM is the same in every kernel era here: before v5.16 the arch handler's
  // pagefault_out_of_memory() ran out_of_memory(), since "mm, oom: do not trigger
  // out_of_memory from the #PF" (v5.16) the access just faults again; but the model
  // never fails an allocation, so these returns are unreachable and the era cannot show.
  const p4dp = yield* p4d_alloc(t, mm, pgdp, address);
  if (p4dp < 0) return VM_FAULT_OOM;
  vmf.pudp = yield* pud_alloc(t, mm, p4dp, address);
  if (vmf.pudp < 0) return VM_FAULT_OOM;
  if (k.rcu_upper) {
    // Seed 001's plan: allocate the PMD table if none (no RCU held: it may sleep in
    // Linux), then map it under RCU, held to the end; a PMD table freed in between
    // fails the map and the fault is retried, as a failed pte_offset_map() makes it.
    if (a.pxd_none(k.pt.get(vmf.pudp)) && (yield* __pmd_alloc(t, mm, vmf.pudp))) return VM_FAULT_OOM;
    vmf.pmdp = yield* pmd_offset_map(t, vmf.pudp, address);
    if (vmf.pmdp < 0) return 0;
  } else {
    vmf.pmdp = yield* pmd_alloc(t, mm, vmf.pudp, address);
    if (vmf.pmdp < 0) return VM_FAULT_OOM;
  }

  let ret: number;
  out: {
    if (a.pxd_none(k.pt.get(vmf.pmdp)) && thp_vma_allowable_pmd(k, vma)) {
      ret = yield* do_huge_pmd_anonymous_page(t, vmf);
      if (!(ret & VM_FAULT_FALLBACK)) break out;
    } else {
      vmf.orig_pmd = yield* pmdp_get_lockless(t, vmf.pmdp);
      if (!a.pxd_none(vmf.orig_pmd) && a.pmd_trans_huge(vmf.orig_pmd)) {
        if (flags & FAULT_FLAG_WRITE && !a.pmd_write(vmf.orig_pmd)) {
          ret = yield* do_huge_pmd_wp_page(t, vmf);
          if (!(ret & VM_FAULT_FALLBACK)) break out;
        } else {
          // huge_pmd_set_accessed(): under the PMD lock; the retried access's hardware walk
          // succeeds (or, after a split, meets the PTE table).
          yield* huge_pmd_set_accessed(t, vmf);
          ret = 0;
          break out;
        }
      }
    }
    ret = yield* handle_pte_fault(t, vmf);
  }
  if (k.rcu_upper) yield* pmd_unmap(t);
  return ret;
}

/** handle_mm_fault(vma, address, flags, regs): counts the fault, then __handle_mm_fault. */
export function* handle_mm_fault(t: Task, vma: Vma, address: number, flags: number, value = 0): KPath<number> {
  t.mm!.counters.pgfault++;
  return yield* __handle_mm_fault(t, vma, address, flags, value);
}

/** Record a user write in the data oracle of the page `pte` maps (hardware store). */
export function user_store(k: Kernel, pte: number, value: number): void {
  const pfn = k.arch.pte_pfn(pte);
  k.frames.set_data(pfn, value);
  k.frames.set_flag_bits(pfn, PF_DIRTY);
}


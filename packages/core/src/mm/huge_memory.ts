/**
 * Anonymous THP at PMD level (mm/huge_memory.c): fault (a new folio, or the huge
 * zero page on a read), each with a deposited PTE table counted in nr_ptes; write
 * to the huge zero PMD; zap; split back to a PTE table (the deposit becomes it).
 */
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { spin_unlock } from "../sync/spinlock.js";
import { VM_HUGEPAGE, VM_NOHUGEPAGE, VM_WRITE } from "../pgtable/arch.js";
import { round_down } from "../pgtable/offset.js";
import { pmd_populate, pmdp_establish_invalid, pmdp_get, pmdp_huge_get_and_clear, ptep_get, set_pmd_at, set_pte_at } from "../pgtable/ops.js";
import { pmd_lock, pte_alloc_one, pte_free } from "../pgtable/pgalloc.js";
import { pmd_table_pud_same } from "../pgtable/upper_map.js";
import { tlb_flush_mmu, tlb_flush_pmd_range, __tlb_remove_folio_pages, type MmuGather } from "../tlb/mmu_gather.js";
import { walk_pmd } from "../pgtable/walk.js";
import { flush_tlb_mm_range } from "../tlb/flush.js";
import { FAULT_FLAG_WRITE, VM_FAULT_FALLBACK } from "./fault_flags.js";
import { folio_put } from "./folio.js";
import type { MmStruct } from "./mm_struct.js";
import { add_mm_counter, MM_ANONPAGES, mm_dec_nr_ptes, mm_inc_nr_ptes, vma_is_anonymous } from "./mm.js";
import { HPAGE_PMD_NR, PF_DIRTY, PF_LAZYFREE, PG_ANON } from "./page_alloc.js";
import type { VmFault } from "../types/mm_types.js";
import type { Vma } from "./vma.js";
import { anon_vma_prepare } from "./rmap.js";

/**
 * thp_vma_allowable_order(vma, vm_flags, TVA_PAGEFAULT, PMD_ORDER) for anonymous
 * VMAs: in `madvise` mode (what our machines run) only VM_HUGEPAGE ones.
 */
export function thp_vma_allowable_pmd(k: Kernel, vma: Vma): boolean {
  const f = vma.vm_flags;
  if (!vma_is_anonymous(vma) || (f & VM_NOHUGEPAGE) !== 0) return false;
  return k.thp.enabled === "always" || (k.thp.enabled === "madvise" && (f & VM_HUGEPAGE) !== 0);
}

/** thp_vma_suitable_order(vma, haddr, PMD_ORDER): the aligned 2 MiB lies inside the VMA. */
export function thp_vma_suitable_pmd(k: Kernel, vma: Vma, addr: number): boolean {
  const haddr = round_down(addr, k.PMD_SIZE);
  // linear_page_index alignment: (vm_start >> PAGE_SHIFT) - vm_pgoff must be 512-aligned.
  if ((vma.vm_start / 4096 - vma.vm_pgoff) % 512 !== 0) return false;
  return haddr >= vma.vm_start && haddr + k.PMD_SIZE <= vma.vm_end;
}

export function is_huge_zero_pmd(k: Kernel, pmd: number): boolean {
  return k.arch.pmd_trans_huge(pmd) && k.arch.pxd_pfn(pmd) === k.frames.huge_zero_pfn;
}

/** pgtable_trans_huge_deposit() */
function pgtable_trans_huge_deposit(k: Kernel, pmdp: number, pgtable: number): void {
  k.deposit.set(pmdp, pgtable);
  k.pt.set_parent(pgtable, -1); // a deposit is invisible to walkers
}

/** pgtable_trans_huge_withdraw() */
function pgtable_trans_huge_withdraw(k: Kernel, pmdp: number): number {
  const p = k.deposit.get(pmdp);
  if (p === undefined) throw new Error(`pgtable_trans_huge_withdraw: no deposit at pmd ${pmdp}`);
  k.deposit.delete(pmdp);
  return p;
}

/** zap_deposited_table(): the deposit was never visible to walkers, so it goes at once. */
function zap_deposited_table(k: Kernel, mm: MmStruct, pmdp: number): void {
  pte_free(k, mm, pgtable_trans_huge_withdraw(k, pmdp));
  mm_dec_nr_ptes(mm);
}

/** folio_mk_pmd() + maybe_pmd_mkwrite(pmd_mkdirty()): x86 PMD leaves use the PTE bit positions. */
function mk_huge_pmd(k: Kernel, vma: Vma, pfn: number): number {
  const a = k.arch;
  let e = a.pmd_mkhuge(pfn, vma.vm_page_prot);
  if (vma.vm_flags & VM_WRITE) e = a.pte_mkwrite(a.pte_mkdirty(e));
  return e;
}

function alloc_thp(k: Kernel, mm: MmStruct, haddr: number): number {
  const pfn = k.frames.alloc(9, PG_ANON);
  k.frames.set_owner(pfn, mm.id);
  k.frames.set_index(pfn, haddr);
  mm.counters.thp_fault_alloc++;
  return pfn;
}

/** do_huge_pmd_anonymous_page() and __do_huge_pmd_anonymous_page() */
export function* do_huge_pmd_anonymous_page(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  const mm = t.mm!;
  const vma = vmf.vma;
  const haddr = round_down(vmf.address, k.PMD_SIZE);
  if (!thp_vma_suitable_pmd(k, vma, haddr)) return VM_FAULT_FALLBACK;
  anon_vma_prepare(k, mm, vma);
  if (!(vmf.flags & FAULT_FLAG_WRITE) && k.thp.use_zero_page) {
    const pgtable = pte_alloc_one(k, mm);
    const ptl = yield* pmd_lock(t, vmf.pmdp);
    // Kernel.rcu_upper: the PMD table may have been unlinked since pmd_offset_map(); pud_same() under pmd_lock.
    if (k.arch.pxd_none(yield* pmdp_get(t, vmf.pmdp)) && (!k.rcu_upper || (yield* pmd_table_pud_same(t, vmf.pmdp)))) {
      // set_huge_zero_folio()
      pgtable_trans_huge_deposit(k, vmf.pmdp, pgtable);
      const a = k.arch;
      yield* set_pmd_at(t, vmf.pmdp, a.pmd_wrprotect(a.pmd_mkhuge(k.frames.huge_zero_pfn, vma.vm_page_prot)));
      mm_inc_nr_ptes(mm);
      yield* spin_unlock(t, ptl);
    } else {
      yield* spin_unlock(t, ptl);
      pte_free(k, mm, pgtable);
    }
    return 0;
  }
  const folio = alloc_thp(k, mm, haddr);
  const pgtable = pte_alloc_one(k, mm);
  const ptl = yield* pmd_lock(t, vmf.pmdp);
  if (!k.arch.pxd_none(yield* pmdp_get(t, vmf.pmdp)) || (k.rcu_upper && !(yield* pmd_table_pud_same(t, vmf.pmdp)))) {
    yield* spin_unlock(t, ptl);
    pte_free(k, mm, pgtable);
    folio_put(k, folio);
    return 0;
  }
  pgtable_trans_huge_deposit(k, vmf.pmdp, pgtable);
  // map_anon_folio_pmd_pf()
  k.frames.set_mapcount(folio, 1);
  k.frames.set_data(folio + (vmf.address - haddr) / 4096, vmf.value);
  yield* set_pmd_at(t, vmf.pmdp, mk_huge_pmd(k, vma, folio));
  add_mm_counter(mm, MM_ANONPAGES, HPAGE_PMD_NR);
  mm_inc_nr_ptes(mm);
  yield* spin_unlock(t, ptl);
  return 0;
}

/**
 * do_huge_pmd_wp_page(): write to a read-only huge PMD. The huge zero page gets a
 * new THP (do_huge_zero_wp_pmd); an exclusive anon THP is made writable; anything
 * else is split and the fault falls back to the PTE level.
 */
export function* do_huge_pmd_wp_page(t: Task, vmf: VmFault): KPath<number> {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  const vma = vmf.vma;
  const haddr = round_down(vmf.address, k.PMD_SIZE);
  if (is_huge_zero_pmd(k, vmf.orig_pmd)) {
    const folio = alloc_thp(k, mm, haddr);
    const ptl = yield* pmd_lock(t, vmf.pmdp);
    if ((yield* pmdp_get(t, vmf.pmdp)) !== vmf.orig_pmd) {
      folio_put(k, folio);
      yield* spin_unlock(t, ptl);
      return 0;
    }
    // pmdp_huge_clear_flush() then map_anon_folio_pmd_pf(); the deposit stays.
    yield* pmdp_huge_get_and_clear(t, vmf.pmdp);
    yield* flush_tlb_mm_range(t, mm, haddr, haddr + k.PMD_SIZE, 21, false);
    k.frames.set_mapcount(folio, 1);
    k.frames.set_data(folio + (vmf.address - haddr) / 4096, vmf.value);
    yield* set_pmd_at(t, vmf.pmdp, mk_huge_pmd(k, vma, folio));
    add_mm_counter(mm, MM_ANONPAGES, HPAGE_PMD_NR);
    yield* spin_unlock(t, ptl);
    return 0;
  }
  const ptl = yield* pmd_lock(t, vmf.pmdp);
  const cur = yield* pmdp_get(t, vmf.pmdp);
  if (cur !== vmf.orig_pmd) {
    yield* spin_unlock(t, ptl);
    return 0;
  }
  if (vma.vm_flags & VM_WRITE && k.frames.get_refcount(a.pxd_pfn(cur)) === 1) {
    yield* set_pmd_at(t, vmf.pmdp, a.pte_mkdirty(a.pte_mkwrite(cur)));
    yield* spin_unlock(t, ptl);
    return 0;
  }
  yield* spin_unlock(t, ptl);
  yield* __split_huge_pmd(t, vma, vmf.pmdp, vmf.address);
  return VM_FAULT_FALLBACK;
}

/**
 * huge_pmd_set_accessed(): a fault on a huge PMD that needs no copy takes the
 * PMD lock (a split under way holds it: the fault waits for it, then finds a
 * PTE table on its retry) and, if the PMD is unchanged, marks it young (and
 * dirty for a write: touch_pmd()). Model difference: the A/D bits are left to
 * the retried access's hardware walk, as everywhere in the model.
 */
export function* huge_pmd_set_accessed(t: Task, vmf: VmFault): KPath {
  const ptl = yield* pmd_lock(t, vmf.pmdp);
  yield* spin_unlock(t, ptl);
}

/**
 * pmdp_invalidate(vma, address, pmdp): the huge entry made not present to the
 * MMU (pmd_mkinvalid(): still pmd_present() and pmd_trans_huge() to software),
 * then the TLB flush; returns the old entry. Lockless readers (zap_pmd_range(),
 * a fault, GUP-fast, pte_offset_map()) meet a huge PMD until pmd_populate(),
 * and wait for the PMD lock the splitter holds, as in Linux.
 */
function* pmdp_invalidate(t: Task, mm: MmStruct, haddr: number, pmdp: number): KPath<number> {
  const old = yield* pmdp_establish_invalid(t, pmdp);
  yield* flush_tlb_mm_range(t, mm, haddr, haddr + t.k.PMD_SIZE, 21, false);
  return old;
}

/** __split_huge_pmd_locked(): the deposited table becomes the PMD's PTE table. */
function* __split_huge_pmd_locked(t: Task, vma: Vma, pmdp: number, haddr: number): KPath {
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  // The huge zero page: __split_huge_zero_page_pmd() leaves the PMD none until the PTEs
  // are filled (pmdp_huge_clear_flush()). A THP: pmdp_invalidate(), not present to the MMU
  // (and flushed) before the PTEs are made visible, huge to software until pmd_populate()
  // puts the table in.
  const zero = is_huge_zero_pmd(k, k.pt.get(pmdp)); // *pmd under the PMD lock
  let old: number;
  if (zero) {
    old = yield* pmdp_huge_get_and_clear(t, pmdp);
    yield* flush_tlb_mm_range(t, mm, haddr, haddr + k.PMD_SIZE, 21, false);
  } else old = yield* pmdp_invalidate(t, mm, haddr, pmdp);
  const pgtable = pgtable_trans_huge_withdraw(k, pmdp);
  const base = k.pt.entry(pgtable, 0);
  const folio = a.pxd_pfn(old);
  const write = a.pmd_write(old);
  const dirty = a.pte_dirty(old); // pmd_dirty(): the same bit on x86
  for (let i = 0; i < 512; i++) {
    let e: number;
    if (zero) e = a.pte_mkspecial(a.pfn_pte(k.frames.zero_pfn, vma.vm_page_prot));
    else {
      e = a.pfn_pte(folio + i, vma.vm_page_prot);
      e = write ? a.pte_mkwrite(e) : a.pte_wrprotect(e);
      if (dirty) e = a.pte_mkdirty(e); // the PMD's dirty bit goes to every PTE
      k.frames.set_mapcount(folio + i, 1);
    }
    yield* set_pte_at(t, mm, haddr + i * 4096, base + i, e);
  }
  if (!zero) {
    // One reference per PTE mapping now (folio_ref_add(folio, HPAGE_PMD_NR - 1)).
    k.frames.add_refcount(folio, HPAGE_PMD_NR - 1);
    k.frames.set_mapcount(folio, 1);
  }
  yield* pmd_populate(t, pmdp, pgtable);
}

/** __split_huge_pmd(vma, pmd, address) */
export function* __split_huge_pmd(t: Task, vma: Vma, pmdp: number, address: number): KPath {
  const k = t.k;
  const ptl = yield* pmd_lock(t, pmdp);
  const pmd = yield* pmdp_get(t, pmdp);
  if (!k.arch.pxd_none(pmd) && k.arch.pmd_trans_huge(pmd)) yield* __split_huge_pmd_locked(t, vma, pmdp, round_down(address, k.PMD_SIZE));
  yield* spin_unlock(t, ptl);
}

/** zap_huge_pmd(): returns true when the whole huge PMD was zapped. */
export function* zap_huge_pmd(t: Task, tlb: MmuGather, _vma: Vma, pmdp: number, addr: number): KPath<boolean> {
  const k = t.k;
  const mm = tlb.mm;
  const ptl = yield* pmd_lock(t, pmdp);
  const cur = k.pt.get(pmdp);
  if (k.arch.pxd_none(cur) || !k.arch.pmd_trans_huge(cur)) {
    yield* spin_unlock(t, ptl);
    return false;
  }
  const orig = yield* pmdp_huge_get_and_clear(t, pmdp);
  tlb_flush_pmd_range(tlb, addr, k.PMD_SIZE); // tlb_remove_pmd_tlb_entry
  const zero = is_huge_zero_pmd(k, orig);
  const folio = k.arch.pxd_pfn(orig);
  if (!zero) {
    k.frames.set_mapcount(folio, 0);
    add_mm_counter(mm, MM_ANONPAGES, -HPAGE_PMD_NR);
  }
  zap_deposited_table(k, mm, pmdp);
  yield* spin_unlock(t, ptl);
  // tlb_remove_page_size() flushes when the batch is full.
  if (!zero && __tlb_remove_folio_pages(tlb, folio, 1)) yield* tlb_flush_mmu(t, tlb);
  return true;
}

/** split_huge_pmd_address(): split a huge PMD straddling `address` (vma_adjust_trans_huge). */
export function* split_huge_pmd_address(t: Task, vma: Vma, mm: MmStruct, address: number): KPath {
  const k = t.k;
  if (address % k.PMD_SIZE === 0) return;
  const pmdp = walk_pmd(k, mm, address);
  if (pmdp < 0) return;
  const pmd = k.pt.get(pmdp);
  if (!k.arch.pxd_none(pmd) && k.arch.pmd_trans_huge(pmd)) yield* __split_huge_pmd(t, vma, pmdp, address);
}

/**
 * split_folio() of a PTE-mapped anonymous THP (split_huge_page_to_list_to_order):
 * every subpage becomes an order-0 folio, and remap_page(..., RMP_USE_SHARED_ZEROPAGE)
 * (Linux 6.12+, try_to_map_unused_to_zeropage) maps each mapped subpage whose
 * contents are all zero to the shared zero page and frees it; unmapped subpages
 * are freed. `base` is the PTE pointer that maps the folio's first subpage;
 * `vma_at(addr)` the VMA mapping a subpage (default: `vma`).
 * Returns false (-EAGAIN) when the folio has references beyond its mappings.
 *
 * Model difference: the kernel unmaps the folio behind migration entries with the
 * PTE lock dropped; the model splits it in place with the PTE lock held.
 */
export function* split_folio(t: Task, vma: Vma, head: number, base: number, haddr: number, vma_at: (addr: number) => Vma = () => vma): KPath<boolean> {
  const k = t.k;
  const a = k.arch;
  const f = k.frames;
  const mm = t.mm!;
  const mapped: boolean[] = [];
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const pte = yield* ptep_get(t, base + i);
    mapped.push(a.pte_present(pte) && a.pte_pfn(pte) === head + i);
  }
  if (f.get_refcount(head) !== mapped.filter(Boolean).length) return false;
  const lazy = f.get_flags(head) & (PF_LAZYFREE | PF_DIRTY);
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const pfn = head + i;
    f.set_type(pfn, PG_ANON);
    f.set_flags(pfn, lazy);
    f.set_owner(pfn, f.get_owner(head));
    // __split_folio_to_order(): each new folio's index is the head's plus its offset (the model's
    // rmap: frames.index is the address), so reclaim's rmap walk finds a lazily freed subpage.
    f.set_index(pfn, f.get_index(head) + i * 4096);
    f.set_refcount(pfn, 1);
    f.set_mapcount(pfn, mapped[i] ? 1 : 0);
    if (mapped[i] && f.get_data(pfn) === 0) {
      // try_to_map_unused_to_zeropage(): pvmw->vma's vm_page_prot (a folio may span VMAs: the deferred split).
      const zero = a.pte_mkspecial(a.pfn_pte(f.zero_pfn, vma_at(haddr + i * 4096).vm_page_prot));
      yield* set_pte_at(t, mm, haddr + i * 4096, base + i, zero);
      add_mm_counter(mm, MM_ANONPAGES, -1);
      f.set_mapcount(pfn, 0);
    }
    if (!f.get_mapcount(pfn)) folio_put(k, pfn);
  }
  yield* flush_tlb_mm_range(t, mm, haddr, haddr + k.PMD_SIZE, 12, false);
  return true;
}

/**
 * The madvise walkers' rule for a PTE-mapped large folio (madvise_free_pte_range,
 * madvise_cold_or_pageout_pte_range): if [va, end) covers it only partly, split it.
 * `page` is the subpage the PTE `p` at `va` maps. Returns "whole" when the range
 * covers the folio (or it cannot be split here), "split" when the caller should look
 * at the same PTE again, "busy" when the split failed (the kernel skips the PTE).
 */
export function* split_folio_if_partial(t: Task, vma: Vma, folio: number, page: number, p: number, va: number, end: number): KPath<"whole" | "split" | "busy"> {
  const k = t.k;
  const first = page - folio;
  const haddr = va - first * 4096;
  const nr = Math.min(HPAGE_PMD_NR - first, (end - va) / 4096);
  const inTable = haddr % k.PMD_SIZE === 0 && Math.floor(haddr / k.PMD_SIZE) === Math.floor(va / k.PMD_SIZE);
  if (nr === HPAGE_PMD_NR || !inTable) return "whole";
  return (yield* split_folio(t, vma, folio, p - first, haddr)) ? "split" : "busy";
}

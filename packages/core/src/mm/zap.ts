/**
 * Zapping user mappings (mm/memory.c): __zap_vma_range (unmap_page_range in older
 * trees) → zap_p4d_range → zap_pud_range → zap_pmd_range → zap_pte_range, with an
 * mmu_gather collecting TLB ranges, pages and tables. zap_pte_range() carries the
 * reclaim hooks of CONFIG_PT_RECLAIM at the places the merged patch put its code.
 *
 * Model difference: need_resched() is always false (there is no timer), so the
 * PTE lock is dropped midway only when the mmu_gather batches are full
 * (force_break), exactly as Linux does in that case.
 */
import type { Kernel } from "../types/kernel.js";
import type { ZapDetails, ZapPteState } from "@mmsim/spec";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { addr_end, p4d_offset, pgd_offset, pmd_offset, pud_offset } from "../pgtable/offset.js";
import { ptep_get, ptep_get_and_clear } from "../pgtable/ops.js";
import { pte_map_rcu_era, pte_offset_map_lock, pte_unmap_unlock } from "../pgtable/pte_map.js";
import { pmd_offset_map, pmd_unmap } from "../pgtable/upper_map.js";
import {
  tlb_end_vma,
  tlb_flush_mmu,
  tlb_flush_mmu_tlbonly,
  tlb_remove_tlb_entry,
  tlb_start_vma,
  __tlb_remove_folio_pages,
  type MmuGather,
} from "../tlb/mmu_gather.js";
import { set_put_gather } from "../tlb/put_gather.js";
import { folio_test_anon, folio_test_large, page_folio, vm_normal_page } from "./folio.js";
import { folio_remove_rmap_ptes_deferred } from "./deferred_split.js";
import { MM_ANONPAGES, mm_counter, MM_SHMEMPAGES, MM_SWAPENTS, update_hiwater_rss } from "./mm.js";
import { __split_huge_pmd, zap_huge_pmd } from "./huge_memory.js";
import type { MmStruct } from "./mm_struct.js";
import { HPAGE_PMD_NR } from "./page_alloc.js";
import { is_pte_marker } from "./pte_marker.js";
import { free_swap_and_cache } from "./swapfile.js";
import { range_batch_allowed, range_batch_enabled, range_batch_mutant } from "./range_batch.js";
import { run_to_completion } from "../sched/runner.js";
import type { SpinLock } from "../sync/spinlock.js";
import { zap_present_ptes_batch } from "./zap_present_ptes_batch.js";
import type { Vma } from "./vma.js";

/** should_zap_folio(details, folio) */
function should_zap_folio(k: Kernel, details: ZapDetails | null, folio: number): boolean {
  if (!details || !details.skip_cows) return true;
  return !folio_test_anon(k, folio);
}

/** folio_pte_batch(): how many of the next PTEs map consecutive pages of the same large folio. */
function folio_pte_batch(k: Kernel, ptep: number, pte: number, max_nr: number): number {
  const a = k.arch;
  const pt = k.pt;
  const pfn = a.pte_pfn(pte);
  const head = page_folio(k, pfn);
  const last = head + HPAGE_PMD_NR - 1;
  let nr = 1;
  while (nr < max_nr) {
    const e = pt.get(ptep + nr);
    if (!a.pte_present(e) || a.pte_pfn(e) !== pfn + nr || pfn + nr > last) break;
    nr++;
  }
  return nr;
}

export interface ZapLocals {
  /** Runs of present PTEs may go through zap_present_ptes_batch() (range_batch.ts). */
  batch: boolean;
  rss_anon: number;
  rss_shmem: number;
  rss_swap: number;
  force_flush: boolean;
  force_break: boolean;
  any_skipped: boolean;
}

/** zap_present_ptes() + zap_present_folio_ptes(): returns how many PTEs it handled. */
function* zap_present_ptes(
  t: Task,
  tlb: MmuGather,
  ptep: number,
  ptent: number,
  max_nr: number,
  addr: number,
  details: ZapDetails | null,
  z: ZapLocals,
): KPath<number> {
  const k = t.k;
  const mm = tlb.mm;
  const pfn = k.arch.pte_pfn(ptent);
  const page = vm_normal_page(k, pfn);
  if (page < 0) {
    /* We don't need up-to-date accessed/dirty bits. */
    yield* ptep_get_and_clear(t, mm, addr, ptep);
    tlb_remove_tlb_entry(tlb, addr);
    return 1;
  }
  const folio = page_folio(k, page);
  if (!should_zap_folio(k, details, folio)) {
    z.any_skipped = true;
    return 1;
  }
  /* batch PTEs mapping the same large folio */
  const large = folio_test_large(k, folio);
  const nr = large && max_nr !== 1 ? folio_pte_batch(k, ptep, ptent, max_nr) : 1;
  for (let i = 0; i < nr; i++) {
    yield* ptep_get_and_clear(t, mm, addr + i * 4096, ptep + i);
    tlb_remove_tlb_entry(tlb, addr + i * 4096);
    k.frames.add_mapcount(page + i, -1); // folio_remove_rmap_ptes()
  }
  // __folio_remove_rmap(): a THP left partially mapped goes on the deferred split queue.
  if (large && folio_test_anon(k, folio)) folio_remove_rmap_ptes_deferred(k, folio, page, nr);
  if (mm_counter(k, folio) === MM_SHMEMPAGES) z.rss_shmem -= nr;
  else z.rss_anon -= nr;
  // Each PTE mapping holds one folio reference; they are dropped after the flush.
  if (__tlb_remove_folio_pages(tlb, folio, nr)) {
    z.force_flush = true;
    z.force_break = true;
  }
  return nr;
}

/** should_zap_cows(details): zap private anon pages too (always for MADV_DONTNEED's reclaim_pt). */
function should_zap_cows(details: ZapDetails | null): boolean {
  if (!details || details.reclaim_pt) return true;
  return !details.skip_cows;
}

/** swap_pte_batch(): how many of the next PTEs hold swap entries with consecutive offsets. */
function swap_pte_batch(k: Kernel, ptep: number, max_nr: number, pte: number): number {
  const a = k.arch;
  const type = a.pte_to_swp_type(pte);
  const offset = a.pte_to_swp_offset(pte);
  let nr = 1;
  while (nr < max_nr) {
    const e = k.pt.get(ptep + nr);
    if (a.pte_present(e) || !a.is_swap_pte(e) || a.pte_to_swp_type(e) !== type || a.pte_to_swp_offset(e) !== offset + nr) break;
    nr++;
  }
  return nr;
}

/** zap_drop_markers(details): only unmap_vmas() (munmap, exit) removes PTE markers (ZAP_FLAG_DROP_MARKER). */
function zap_drop_markers(details: ZapDetails | null): boolean {
  return details !== null && details.unmap;
}

/**
 * zap_nonpresent_ptes(): genuine swap entries (private anon pages) are zapped
 * and their slots released (free_swap_and_cache_nr), MM_SWAPENTS going down;
 * a guard marker (mm/pte_marker.ts) is removed only by munmap and exit: any
 * other zap skips it, so the table is not empty for pt-reclaim. Migration,
 * device and uffd-wp entries do not exist in the model.
 */
function* zap_nonpresent_ptes(t: Task, tlb: MmuGather, ptep: number, ptent: number, max_nr: number, addr: number, details: ZapDetails | null, z: ZapLocals): KPath<number> {
  const k = t.k;
  z.any_skipped = true;
  if (is_pte_marker(k, ptent)) {
    // Ordinary zapping should not remove guard PTE markers.
    if (!zap_drop_markers(details)) return 1;
    yield* ptep_get_and_clear(t, tlb.mm, addr, ptep); // clear_not_present_full_ptes()
    z.any_skipped = false;
    return 1;
  }
  if (!should_zap_cows(details)) return 1;
  const nr = swap_pte_batch(k, ptep, max_nr, ptent);
  const offset = k.arch.pte_to_swp_offset(ptent);
  z.rss_swap -= nr;
  for (let i = 0; i < nr; i++) free_swap_and_cache(k, offset + i);
  // clear_not_present_full_ptes()
  for (let i = 0; i < nr; i++) yield* ptep_get_and_clear(t, tlb.mm, addr + i * 4096, ptep + i);
  z.any_skipped = false; // zap_install_uffd_wp_if_needed(): no uffd-wp in the model
  return nr;
}

/** do_zap_pte_range(): skip a run of none PTEs, then zap one present/non-present batch. */
function* do_zap_pte_range(
  t: Task,
  tlb: MmuGather,
  ptep: number,
  addr: number,
  end: number,
  details: ZapDetails | null,
  z: ZapLocals,
): KPath<number> {
  const a = t.k.arch;
  let ptent = yield* ptep_get(t, ptep);
  let max_nr = (end - addr) / 4096;
  let nr = 0;
  if (a.pte_none(ptent)) {
    // Bulk runs (z.batch: no stepping, sanitizer or per-entry hook observes the reads):
    // a table whose occupancy count is 0 holds only none entries, so the loop below
    // would read all max_nr and return them; skip it (issue #10 §1: sparse tables).
    if (z.batch && (t.k.pt.nr_used(t.k.pt.table_of(ptep)) === 0 || range_batch_mutant(t.k) === "zap-skip-occupied")) return max_nr;
    for (nr = 1; nr < max_nr; nr++) {
      ptent = yield* ptep_get(t, ptep + nr);
      if (!a.pte_none(ptent)) break;
    }
    max_nr -= nr;
    if (!max_nr) return nr;
    ptep += nr;
    addr += nr * 4096;
  }
  if (a.pte_present(ptent)) {
    const b = z.batch ? zap_present_ptes_batch(t, tlb, ptep, ptent, max_nr, addr, details, z) : 0;
    nr += b > 0 ? b : yield* zap_present_ptes(t, tlb, ptep, ptent, max_nr, addr, details, z);
  }
  else nr += yield* zap_nonpresent_ptes(t, tlb, ptep, ptent, max_nr, addr, details, z);
  return nr;
}

/** add_mm_rss_vec() */
function add_mm_rss_vec(mm: MmStruct, z: ZapLocals): void {
  mm.rss_stat[MM_ANONPAGES] += z.rss_anon;
  mm.rss_stat[MM_SHMEMPAGES] += z.rss_shmem;
  mm.rss_stat[MM_SWAPENTS] += z.rss_swap;
}

/*
 * zap_pte_range()'s three hooks, each a kernel path of this file with a
 * hand-written bulk twin: the generator is the plugin's hook (stepped by the
 * explorer); the twin calls the hook's own bulk twin (spec's BulkTwin) where
 * range batches may run (no sanitizer, `batch` not off: mm/range_batch.ts), and
 * runs the generator to completion otherwise, so the digest test compares the two.
 */
function* zap_pte_range_locked_hook(t: Task, mm: MmStruct, pmdp: number, ptl: SpinLock, st: ZapPteState): KPath {
  yield* t.k.hooks.zap_pte_range_locked!(t, mm, pmdp, ptl, st);
}
export function zap_pte_range_locked_hook$sync(t: Task, mm: MmStruct, pmdp: number, ptl: SpinLock, st: ZapPteState): void {
  const h = t.k.hooks;
  if (h.zap_pte_range_locked_sync !== null && range_batch_enabled(t.k)) h.zap_pte_range_locked_sync(t, mm, pmdp, ptl, st);
  else run_to_completion(h.zap_pte_range_locked!(t, mm, pmdp, ptl, st));
}

function* zap_pte_range_end_hook(t: Task, tlb: MmuGather, mm: MmStruct, pmdp: number, start: number, st: ZapPteState): KPath {
  yield* t.k.hooks.zap_pte_range_end!(t, tlb, mm, pmdp, start, st);
}
export function zap_pte_range_end_hook$sync(t: Task, tlb: MmuGather, mm: MmStruct, pmdp: number, start: number, st: ZapPteState): void {
  const k = t.k;
  const h = k.hooks;
  if (h.zap_pte_range_end_sync !== null && range_batch_enabled(k)) {
    if (range_batch_mutant(k) === "hook-twin-slow-path") st.direct_reclaim = false;
    h.zap_pte_range_end_sync(t, tlb, mm, pmdp, start, st);
  } else run_to_completion(h.zap_pte_range_end!(t, tlb, mm, pmdp, start, st));
}

function* zap_pte_range_done_hook(t: Task, tlb: MmuGather, mm: MmStruct, pmdp: number, start: number, details: ZapDetails | null): KPath {
  yield* t.k.hooks.zap_pte_range_done!(t, tlb, mm, pmdp, start, details);
}
export function zap_pte_range_done_hook$sync(t: Task, tlb: MmuGather, mm: MmStruct, pmdp: number, start: number, details: ZapDetails | null): void {
  const h = t.k.hooks;
  if (h.zap_pte_range_done_sync !== null && range_batch_enabled(t.k)) h.zap_pte_range_done_sync(t, tlb, mm, pmdp, start, details);
  else run_to_completion(h.zap_pte_range_done!(t, tlb, mm, pmdp, start, details));
}

/**
 * zap_pte_range()'s locals (on its stack in Linux): the state the reclaim hooks
 * read and write, and the zap's own. Model difference: host objects, which a
 * call takes from spare_frames and gives back when it returns (issue #10: no
 * two objects per PTE table zapped); each call sets every field first. A call
 * that does not return (an exception, an abandoned stepped task) keeps its
 * frame: the next call makes another. Hooks must not keep `st` past their call
 * (it is a local of zap_pte_range()).
 */
interface ZapFrame {
  readonly st: ZapPteState;
  readonly z: ZapLocals;
}
const spare_frames: ZapFrame[] = [];

function new_zap_frame(): ZapFrame {
  return {
    st: { can_reclaim_pt: false, direct_reclaim: true, addr: 0, pmdval: 0 },
    z: { batch: false, rss_anon: 0, rss_shmem: 0, rss_swap: 0, force_flush: false, force_break: false, any_skipped: false },
  };
}

/** zap_pte_range(): returns the address reached. */
export function* zap_pte_range(
  t: Task,
  tlb: MmuGather,
  _vma: Vma,
  pmdp: number,
  addr: number,
  end: number,
  details: ZapDetails | null,
): KPath<number> {
  const k = t.k;
  const hooks = k.hooks;
  const mm = tlb.mm;
  const frame = spare_frames.pop() ?? new_zap_frame();
  const st = frame.st;
  st.can_reclaim_pt = hooks.reclaim_pt_is_enabled !== null && hooks.reclaim_pt_is_enabled(k, addr, end, details);
  st.direct_reclaim = true;
  st.addr = addr;
  st.pmdval = 0;
  const start = addr;
  const z = frame.z;
  z.batch = range_batch_allowed(t);
  z.force_flush = z.force_break = z.any_skipped = false;
  for (;;) {
    // retry:
    z.rss_anon = z.rss_shmem = z.rss_swap = 0;
    const start_pte = yield* pte_offset_map_lock(t, mm, pmdp, addr);
    if (start_pte < 0) {
      spare_frames.push(frame);
      return addr;
    }
    const ptl = t.ptl!;
    let pte = start_pte;
    let nr: number;
    do {
      z.any_skipped = false;
      nr = yield* do_zap_pte_range(t, tlb, pte, addr, end, details, z);
      if (z.any_skipped) st.can_reclaim_pt = false;
      if (z.force_break) {
        addr += nr * 4096;
        st.direct_reclaim = false;
        break;
      }
    } while (((pte += nr), (addr += 4096 * nr), addr !== end));
    st.addr = addr;

    /* Fast path: try to hold the pmd lock and unmap the PTE page. */
    if (st.can_reclaim_pt && st.direct_reclaim && addr === end && hooks.zap_pte_range_locked !== null)
      yield* zap_pte_range_locked_hook(t, mm, pmdp, ptl, st);

    add_mm_rss_vec(mm, z);
    /* Do the actual TLB flush before dropping ptl */
    if (z.force_flush) yield* tlb_flush_mmu_tlbonly(t, tlb);
    // 2021 v2 9/9: the table reference is put with pte_put_tlb(tlb, ...). Only a pte_unmap
    // hook reads put_gather() (the only plugin code pte_unmap_unlock() runs): without one, unset.
    if (hooks.pte_unmap !== null) set_put_gather(t, tlb);
    yield* pte_unmap_unlock(t, start_pte, ptl);
    if (hooks.pte_unmap !== null) set_put_gather(t, null);
    if (z.force_flush) yield* tlb_flush_mmu(t, tlb);
    if (addr === end) break;
    z.force_flush = z.force_break = false;
  }
  if (st.can_reclaim_pt && hooks.zap_pte_range_end !== null) yield* zap_pte_range_end_hook(t, tlb, mm, pmdp, start, st);
  // Ungated: after every zap_pte_range() that mapped its table (2022: `if (free_pte) try_to_free_user_pte(...)`).
  if (hooks.zap_pte_range_done !== null) yield* zap_pte_range_done_hook(t, tlb, mm, pmdp, start, details);
  spare_frames.push(frame);
  return addr;
}

/** zap_pmd_range(); `pmdp0`: the first PMD pointer when the caller mapped it (pmd_offset_map), else -1. */
function* zap_pmd_range(t: Task, tlb: MmuGather, vma: Vma, pudp: number, addr: number, end: number, details: ZapDetails | null, pmdp0 = -1): KPath<number> {
  const k = t.k;
  const a = k.arch;
  let pmdp = pmdp0 >= 0 ? pmdp0 : pmd_offset(k, pudp, addr);
  do {
    const next = addr_end(addr, end, k.PMD_SIZE);
    const pmd = k.pt.get(pmdp);
    if (!a.pxd_none(pmd) && a.pmd_trans_huge(pmd)) {
      if (next - addr !== k.PMD_SIZE) yield* __split_huge_pmd(t, vma, pmdp, addr);
      else if (yield* zap_huge_pmd(t, tlb, vma, pmdp, addr)) {
        addr = next;
        pmdp++;
        continue;
      }
      /* fall through */
    }
    if (a.pxd_none(k.pt.get(pmdp))) {
      addr = next;
      pmdp++;
      continue;
    }
    addr = yield* zap_pte_range(t, tlb, vma, pmdp, addr, next, details);
    if (addr !== next) {
      // 6.5+ ("mm/memory: allow pte_offset_map[_lock]() to fail"): the PMD changed, retry it.
      // Before 6.5 the map cannot fail and there is no retry; a plugin's tryget (2021:
      // pte_try_get()) fails only on a table going away, which zap_pmd_range() skips (`goto next`).
      if (pte_map_rcu_era(k.era)) pmdp--;
      else addr = next;
    }
    pmdp++;
  } while (addr !== end);
  return addr;
}

function* zap_pud_range(t: Task, tlb: MmuGather, vma: Vma, p4dp: number, addr: number, end: number, details: ZapDetails | null): KPath<number> {
  const k = t.k;
  let pudp = pud_offset(k, p4dp, addr);
  do {
    let next = addr_end(addr, end, k.PUD_SIZE);
    if (k.rcu_upper) {
      // Seed 001's plan: the PMD table may be freed under us (another zap's PMD-table
      // reclaim): map it under RCU; a failed map means nothing is left to zap here.
      const pmdp0 = yield* pmd_offset_map(t, pudp, addr);
      if (pmdp0 >= 0) {
        const s = addr;
        next = yield* zap_pmd_range(t, tlb, vma, pudp, addr, next, details, pmdp0);
        yield* pmd_unmap(t);
        if (k.hooks.zap_pmd_range_done !== null) yield* k.hooks.zap_pmd_range_done(t, tlb, vma, pudp, s, next, details);
      }
    } else if (!k.arch.pxd_none(k.pt.get(pudp))) next = yield* zap_pmd_range(t, tlb, vma, pudp, addr, next, details);
    pudp++;
    addr = next;
  } while (addr !== end);
  return addr;
}

function* zap_p4d_range(t: Task, tlb: MmuGather, vma: Vma, pgdp: number, addr: number, end: number, details: ZapDetails | null): KPath<number> {
  const k = t.k;
  if (k.arch.p4d_folded) return yield* zap_pud_range(t, tlb, vma, pgdp, addr, end, details);
  let p4dp = p4d_offset(k, pgdp, addr);
  do {
    let next = addr_end(addr, end, k.P4D_SIZE);
    if (!k.arch.pxd_none(k.pt.get(p4dp))) next = yield* zap_pud_range(t, tlb, vma, p4dp, addr, next, details);
    p4dp++;
    addr = next;
  } while (addr !== end);
  return addr;
}

/** __zap_vma_range() (unmap_page_range + tlb_start_vma/tlb_end_vma in older trees) */
export function* __zap_vma_range(t: Task, tlb: MmuGather, vma: Vma, start: number, end: number, details: ZapDetails | null): KPath {
  const k = t.k;
  let addr = start;
  tlb_start_vma(tlb, vma);
  let pgdp = pgd_offset(k, tlb.mm, addr);
  do {
    let next = addr_end(addr, end, k.PGDIR_SIZE);
    if (!k.arch.pxd_none(k.pt.get(pgdp))) next = yield* zap_p4d_range(t, tlb, vma, pgdp, addr, next, details);
    pgdp++;
    addr = next;
  } while (addr !== end);
  yield* tlb_end_vma(t, tlb, vma);
}

/** unmap_vmas(): zap [start, end) in every VMA of `vmas` (ZAP_FLAG_DROP_MARKER | ZAP_FLAG_UNMAP). */
export function* unmap_vmas(t: Task, tlb: MmuGather, vmas: readonly Vma[], start: number, end: number): KPath {
  const details: ZapDetails = { skip_cows: false, reclaim_pt: false, unmap: true };
  for (const vma of vmas) {
    const s = Math.max(vma.vm_start, start);
    const e = Math.min(vma.vm_end, end);
    if (s < e) yield* __zap_vma_range(t, tlb, vma, s, e, details);
  }
}

/** zap_vma_range_batched() (zap_page_range_single_batched in 6.18) */
export function* zap_vma_range_batched(t: Task, tlb: MmuGather, vma: Vma, address: number, size: number, details: ZapDetails | null): KPath {
  if (!size) return;
  update_hiwater_rss(tlb.mm);
  yield* __zap_vma_range(t, tlb, vma, address, address + size, details);
}

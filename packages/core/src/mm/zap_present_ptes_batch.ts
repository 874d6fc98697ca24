/**
 * zap_present_ptes() over a run of present PTEs (issue #10 §1): what
 * zap_pte_range()'s loop does one do_zap_pte_range() call per PTE, done for the
 * whole run under the PTE lock it already holds, when nothing observes the single
 * steps (range_batch.ts). Since 6.9 Linux's zap_present_ptes() batches the PTEs
 * of one large folio (folio_pte_batch(), zap.ts keeps that); this batches a run
 * of order-0 folios and zero-page mappings, with the same per-page results in the
 * same order: each PTE cleared (ptep_get_and_clear), the flush range widened
 * (tlb_remove_tlb_entry: once for the run, the same start and end), the mapcount dropped (folio_remove_rmap_ptes), the RSS
 * delta counted in zap_pte_range()'s rss[] (added to the mm at the same point,
 * add_mm_rss_vec), and one folio reference queued in the mmu_gather per page
 * (__tlb_remove_folio_pages). The run ends before the first PTE that is not
 * present, maps a large folio or is skipped (should_zap_folio() false), and right
 * after the page whose queueing filled the gather's batches (force_flush +
 * force_break, where zap_pte_range() drops the PTE lock to flush).
 *
 * Model difference from Linux: Linux takes each order-0 folio as its own
 * zap_present_ptes() call; the result is the same, the simulator just does not
 * return to zap_pte_range()'s loop between them.
 */
import type { ZapDetails } from "@mmsim/spec";
import type { Task } from "../sched/task.js";
import { tlb_flush_pte_range, __tlb_remove_folio_pages, type MmuGather } from "../tlb/mmu_gather.js";
import { folio_test_anon, folio_test_large, page_folio, vm_normal_page } from "./folio.js";
import { mm_counter, MM_SHMEMPAGES } from "./mm.js";
import { range_batch_mutant } from "./range_batch.js";
import type { ZapLocals } from "./zap.js";

/** The batch's read-ahead of the table. */
const cur = new Float64Array(512);

/**
 * The PTEs handled from `ptep` on (`ptent` is *ptep, present), at most `max_nr`;
 * 0 when the first one is not for this batch (a large folio, or skipped): the
 * caller's zap_present_ptes() takes it.
 */
export function zap_present_ptes_batch(
  t: Task,
  tlb: MmuGather,
  ptep: number,
  ptent: number,
  max_nr: number,
  addr: number,
  details: ZapDetails | null,
  z: ZapLocals,
): number {
  const k = t.k;
  const a = k.arch;
  const pt = k.pt;
  const mapcount = k.frames.mapcount;
  const skip_cows = details !== null && details.skip_cows;
  let i = 0;
  const mutant = range_batch_mutant(k) === "zap-free-order";
  // The PTEs are read ahead into `cur` (chunks that double) and the ones handled are
  // cleared at the end with one PtStore.fill() (O(1) on a RUN): nothing reads them in
  // between (the batch runs under the PTE lock, no observer).
  let have = 1;
  for (; i < max_nr; i++) {
    if (i >= have) {
      const c = Math.min(max_nr - have, Math.max(16, have));
      pt.read(ptep + have, c, cur, have);
      have += c;
    }
    const e = i === 0 ? ptent : cur[i];
    if (!a.pte_present(e)) break;
    const page = vm_normal_page(k, a.pte_pfn(e));
    if (page < 0) {
      /* We don't need up-to-date accessed/dirty bits. */
      continue;
    }
    const folio = page_folio(k, page);
    // should_zap_folio() false, or a large folio (folio_pte_batch): zap_present_ptes()'s.
    if (folio_test_large(k, folio) || (skip_cows && folio_test_anon(k, folio))) break;
    mapcount[page]--; // folio_remove_rmap_ptes()
    if (mm_counter(k, folio) === MM_SHMEMPAGES) z.rss_shmem--;
    else z.rss_anon--;
    const full = __tlb_remove_folio_pages(tlb, folio, 1);
    if (mutant && i === 1) {
      const b = tlb.batches[tlb.active];
      if (b.nr >= 2) [b.pages[b.nr - 1], b.pages[b.nr - 2]] = [b.pages[b.nr - 2], b.pages[b.nr - 1]];
    }
    if (full) {
      z.force_flush = true;
      z.force_break = true;
      i++;
      break;
    }
  }
  // Each PTE handled cleared (ptep_get_and_clear, "we don't need up-to-date accessed/dirty bits").
  pt.fill(ptep, i, 0);
  // tlb_remove_tlb_entry() of each page cleared: the flush range grows to cover them all.
  if (i > 0) tlb_flush_pte_range(tlb, addr, i * 4096);
  return i;
}

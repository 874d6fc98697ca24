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
import type { Kernel } from "../types/kernel.js";
import { tlb_flush_pte_range, __tlb_remove_folio_pages, __tlb_remove_page_run, type MmuGather } from "../tlb/mmu_gather.js";
import { frame_chunk, frame_off, frames_in_chunk, PF_HEAD, PG_ANON } from "./page_alloc.js";
import { folio_test_anon, folio_test_large, page_folio, vm_normal_page } from "./folio.js";
import { mm_counter, MM_SHMEMPAGES } from "./mm.js";
import { range_batch_mutant } from "./range_batch.js";
import { rmap_words } from "./frame_words.js";
import type { ZapLocals } from "./zap.js";

/** The batch's read-ahead of the table. */
const cur = new Float64Array(512);

/**
 * The PTEs handled from `ptep` on (`ptent` is *ptep, present), at most `max_nr`;
 * 0 when the first one is not for this batch (a large folio, or skipped): the
 * caller's zap_present_ptes() takes it.
 *
 * A run of entries that step by one PFN each way (consecutive order-0 anon
 * folios with the same flags: what a fault batch maps) is handled at once: the
 * mapcounts dropped in one loop, the RSS delta added once, the pages queued with
 * __tlb_remove_page_run() (a batch's worth at a time, stopping where the gather
 * fills, as page by page).
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
  const f = k.frames;
  const skip_cows = details !== null && details.skip_cows;
  let i = 0;
  const m = range_batch_mutant(k);
  const mutant = m === "zap-free-order";
  const reverse = m === "zap-run-order";
  // The PTEs are read ahead into `cur` (chunks that double) and the ones handled are
  // cleared at the end with one PtStore.fill() (O(1) on a RUN): nothing reads them in
  // between (the batch runs under the PTE lock, no observer).
  cur[0] = ptent;
  let have = 1;
  while (i < max_nr) {
    if (i + 1 < max_nr && !skip_cows && !(mutant && i < 2)) {
      // A run: entries e + r * s whose PFNs step by d = +-1, every folio order-0 anon. On a
      // RUN table the store says where its run goes (O(1)), on a DENSE32 one it compares the
      // int32 offsets (no entry rebuilt); else compare the entries read.
      let r = pt.run_at(ptep + i, max_nr - i, rs);
      let e = rs.first;
      let s = rs.step;
      if (r === 1) {
        // The last entry of a RUN table's run (a sparse table's one page): no run here.
        if (have <= i) {
          cur[i] = e;
          have = i + 1;
        }
      } else if (r < 2) {
        // Entry i is none (the run ends before it): nothing to read ahead.
        if (have <= i && pt.zeros_at(ptep + i, 1) === 1) break;
        // Read ahead: all of it from a table with more than 32 entries used, else 32 entries,
        // then as far again each time the progression reaches the end of what was read.
        let from = Math.max(have, i);
        let to = pt.nr_used(pt.table_of(ptep)) > 32 ? max_nr : Math.min(max_nr, i + 32);
        if (from < to) pt.read(ptep + from, to - from, cur, from);
        have = Math.max(have, to);
        e = cur[i];
        s = cur[i + 1] - e;
        r = s !== 0 ? progression_length(i, 1, have, e, s) : 1;
        while (s !== 0 && i + r === have && have < max_nr) {
          from = have;
          to = Math.min(max_nr, from + (from - i));
          pt.read(ptep + from, to - from, cur, from);
          have = to;
          r = progression_length(i, r, have, e, s);
        }
      }
      if (r > 1 && s !== 0 && a.pte_present(e)) {
        const pfn = a.pte_pfn(e);
        const d = a.pte_pfn(e + s) - pfn;
        const last = e + (r - 1) * s;
        if ((d === 1 || d === -1) && a.pte_present(last) && a.pte_pfn(last) === pfn + (r - 1) * d) {
          // folio_remove_rmap_ptes() of each while it is an order-0 anon folio (vm_normal_page, MM_ANONPAGES).
          r = rmap_run(f, pfn, d, r);
          // The run's frames are in pfn's chunk (rmap_run() stops at its end).
          const mapcount = f.mapcount_dir[frame_chunk(pfn)];
          const off = frame_off(pfn);
          if (r > 1) {
            const queued = reverse ? __tlb_remove_page_run(tlb, pfn + (r - 1) * d, -d, r) : __tlb_remove_page_run(tlb, pfn, d, r);
            const done = queued < 0 ? -queued : queued;
            // Pages after the one that filled the gather stay mapped: their mapcounts back.
            for (let j = done, q = off + done * d; j < r; j++, q += d) mapcount[q]++;
            z.rss_anon -= done;
            i += done;
            if (queued < 0) {
              z.force_flush = true;
              z.force_break = true;
              break;
            }
            continue;
          }
          for (let j = 0, q = off; j < r; j++, q += d) mapcount[q]++; // one page: the ordinary way below
        }
      }
    }
    if (i >= have) {
      // From i on (a run may have gone past `have` without reading).
      const c = Math.min(max_nr - i, Math.max(16, i));
      pt.read(ptep + i, c, cur, i);
      have = i + c;
    }
    const e = cur[i];
    if (!a.pte_present(e)) break;
    const pfn = a.pte_pfn(e);
    const page = vm_normal_page(k, pfn);
    if (page < 0) {
      /* We don't need up-to-date accessed/dirty bits. */
      i++;
      continue;
    }
    const folio = page_folio(k, page);
    // should_zap_folio() false, or a large folio (folio_pte_batch): zap_present_ptes()'s.
    if (folio_test_large(k, folio) || (skip_cows && folio_test_anon(k, folio))) break;
    if (page < f.flat_n) f.flat_mapcount[page]--; // folio_remove_rmap_ptes() (the flat fast path: see folio.ts)
    else f.add_mapcount(page, -1);
    if (mm_counter(k, folio) === MM_SHMEMPAGES) z.rss_shmem--;
    else z.rss_anon--;
    const full = __tlb_remove_folio_pages(tlb, folio, 1);
    if (mutant && i === 1) {
      const b = tlb.batches[tlb.active];
      if (b.nr >= 2) [b.pages[b.nr - 1], b.pages[b.nr - 2]] = [b.pages[b.nr - 2], b.pages[b.nr - 1]];
    }
    i++;
    if (full) {
      z.force_flush = true;
      z.force_break = true;
      break;
    }
  }
  // Each PTE handled cleared (ptep_get_and_clear, "we don't need up-to-date accessed/dirty bits").
  pt.fill(ptep, i, 0);
  // tlb_remove_tlb_entry() of each page cleared: the flush range grows to cover them all.
  if (i > 0) tlb_flush_pte_range(tlb, addr, i * 4096);
  return i;
}

/**
 * How many entries of cur from i on (before `have`) are e, e + s, ..., knowing the
 * first `r` are (a function of its own: the running entry stays an unboxed
 * double, no allocation per entry).
 */
function progression_length(i: number, r: number, have: number, e: number, s: number): number {
  for (let v = e + r * s; i + r < have && cur[i + r] === v; r++) v += s;
  return r;
}

/** run_at()'s out-parameters. */
const rs = { first: 0, step: 0 };

/**
 * folio_remove_rmap_ptes() on the frames pfn, pfn + d, ... (at most r, and only
 * those in pfn's descriptor chunk: a run crossing a chunk's end stops there) while
 * each is an order-0 anon folio (vm_normal_page, not large, MM_ANONPAGES):
 * returns how many (their mapcounts dropped). One pass over the range when all are:
 * word-wide when each is mapped once (frame_words.ts: 4 frames a word, then one
 * fill of the mapcounts), else frame by frame.
 */
function rmap_run(f: Kernel["frames"], pfn: number, d: number, r: number): number {
  r = frames_in_chunk(pfn, d, r);
  const c = frame_chunk(pfn);
  const type = f.type_dir[c];
  const flags = f.flags_dir[c];
  const mapcount = f.mapcount_dir[c];
  const o = frame_off(pfn);
  const lo = d > 0 ? o : o - r + 1;
  const hi = lo + r;
  if (r >= 16 && rmap_words(f.words_dir[c], mapcount, flags, type, lo, hi, PG_ANON, PF_HEAD)) return r;
  let bad = 0;
  // Chunk offsets: int32 indexes (twice as fast as doubles) for any PFN. The constants in
  // locals: an imported binding is a module cell the loop would load on every frame.
  const anon = PG_ANON;
  const head = PF_HEAD;
  for (let q = lo; q < hi; q++) {
    bad |= (type[q] ^ anon) | (flags[q] & head);
    mapcount[q]--;
  }
  if (bad === 0) return r;
  // Some frame is not: back out, then up to the first that is not, in the run's order.
  for (let q = lo; q < hi; q++) mapcount[q]++;
  let j = 0;
  for (let q = o; j < r && type[q] === PG_ANON && (flags[q] & PF_HEAD) === 0; j++, q += d) mapcount[q]--;
  return j;
}

/**
 * struct mmu_gather (mm/mmu_gather.c, include/asm-generic/tlb.h) with
 * MMU_GATHER_RCU_TABLE_FREE as x86_64 has it since v6.15: pages are freed after
 * the TLB flush; page-table pages are freed after the TLB flush *and* an RCU grace
 * period (tlb_table_flush: tlb_table_invalidate + call_rcu(tlb_remove_table_rcu)).
 *
 * Model differences: batch pages never fail to allocate (so __tlb_remove_table_one
 * is never taken), and there is no mmu_notifier.
 */
import type { Kernel } from "../types/kernel.js";
import type { KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import { flush_tlb_mm_range } from "./flush.js";
import { folio_put } from "../mm/folio.js";
import { FRAME_CHUNK, frame_chunk, frame_off, PF_HEAD } from "../mm/page_alloc.js";
import type { PageFrames } from "../types/mm_types.js";
import type { MmStruct, Vma } from "../types/mm_types.js";
import { PMD_LEVEL, PUD_LEVEL } from "../pgtable/store.js";
import type { TableFreeTarget, mmu_gather } from "@mmsim/spec";

/** MMU_GATHER_BUNDLE, MAX_GATHER_BATCH, MAX_GATHER_BATCH_COUNT, MAX_TABLE_BATCH for 4 KiB pages. */
export const MMU_GATHER_BUNDLE = 8;
export const MAX_GATHER_BATCH = 510;
export const MAX_GATHER_BATCH_COUNT = Math.floor(10000 / MAX_GATHER_BATCH);
export const MAX_TABLE_BATCH = 509;

interface PageBatch {
  nr: number;
  readonly max: number;
  /** Queued entries 0 .. nr - 1 (PFNs, a page count after a head queued with nr_pages > 1), preallocated to `max`. */
  readonly pages: number[];
  /**
   * Entries queued by __tlb_remove_page_run() as runs, not written to `pages`:
   * (index, count, first PFN, step) quadruples in index order; pages[index ..
   * index + count) stand for first, first + step, ... (issue #10 §4: the seed
   * loop's zap queues each run once, and the flush frees it without reading
   * it back page by page). The first `nruns` words are in use: emptied with
   * the batch, the array keeping its capacity (no allocation per gather).
   */
  readonly runs: number[];
  nruns: number;
}

function page_batch(max: number): PageBatch {
  return { nr: 0, max, pages: new Array<number>(max).fill(0), runs: [], nruns: 0 };
}

export class MmuGather implements mmu_gather {
  start = 0;
  end = 0;
  fullmm = false;
  need_flush_all = false;
  freed_tables = false;
  cleared_ptes = false;
  cleared_pmds = false;
  cleared_puds = false;
  cleared_p4ds = false;
  vma_exec = false;
  /**
   * Page-table pages waiting for the flush + grace period (tlb->batch): entries
   * 0 .. nr_tables - 1 (none: tlb->batch is NULL). The array keeps its length
   * and capacity when the batch is emptied (issue #10: emptying it with
   * `length = 0` dropped its backing store, and the next table grew a new one:
   * ~125 bytes per madvise() of the seed loop).
   */
  readonly table_batch: number[] = [];
  nr_tables = 0;
  readonly batches: PageBatch[] = [page_batch(MMU_GATHER_BUNDLE)];
  active = 0;
  /** The mm this gather is on (set by __tlb_gather_mmu(): a spare gather is reused on any mm of its kernel). */
  mm: MmStruct;
  /** In its kernel's spare_gathers (tlb_finish_mmu() ran): no second push when it runs twice. */
  spare = false;

  constructor(
    readonly k: Kernel,
    mm: MmStruct,
    fullmm: boolean,
  ) {
    this.mm = mm;
    __tlb_gather_mmu(this, mm, fullmm);
  }

  /** The target table_free_target() hands out (not simulated state), the mm it was made for, and the task it is for now. */
  private target: TableFreeTarget | null = null;
  private target_mm: MmStruct | null = null;
  private target_task: Task | null = null;

  /** What the arch's __pte_free_tlb() drives: this gather's table batch, on behalf of `t`. */
  table_free_target(t: Task): TableFreeTarget {
    this.target_task = t;
    // Made once per gather and mm (its call_rcu / pte_free_now are the kernel's for that mm): a spare
    // gather reused on the same mm (the seed loop's madvise) keeps it, no closures per gather.
    if (this.target_mm !== this.mm) {
      const target = this.k.table_free_target(this.mm);
      target.tlb_remove_table = (pfn) => __tlb_remove_table_batch(this.target_task!, this, pfn);
      this.target = target;
      this.target_mm = this.mm;
    }
    return this.target!;
  }

  /** tlb_finish_mmu() is done with it: forget the task (the gather may wait in spare_gathers). */
  release(): void {
    this.target_task = null;
  }
}

/**
 * __tlb_gather_mmu(): a gather starts on `mm` with an empty flush range and
 * nothing queued (its batches and table batch are empty: new, or emptied by
 * the tlb_finish_mmu() that made it spare).
 */
function __tlb_gather_mmu(tlb: MmuGather, mm: MmStruct, fullmm: boolean): void {
  tlb.mm = mm;
  tlb.fullmm = fullmm;
  tlb.need_flush_all = false;
  tlb.vma_exec = false;
  tlb.active = 0;
  __tlb_reset_range(tlb);
}

/**
 * Gathers a finished tlb_finish_mmu() left, reused by the next tlb_gather_mmu()
 * on the same kernel. Model difference: Linux's struct mmu_gather lives on the
 * caller's stack; the model's is a host object (with its batches and its table
 * free target), and reusing it spares the host ~1 KB of allocation per
 * madvise()/munmap() (issue #10: the seed loop's GC). Not simulated state:
 * __tlb_gather_mmu() sets every field a gather starts with, and a gather is
 * spare only after tlb_finish_mmu() emptied it. A gather a path left unfinished
 * (an exception, an abandoned stepped task) is simply never reused.
 */
const spare_gathers = new WeakMap<Kernel, MmuGather[]>();

function gather_mmu(k: Kernel, mm: MmStruct, fullmm: boolean): MmuGather {
  const tlb = spare_gathers.get(k)?.pop();
  if (tlb === undefined) return new MmuGather(k, mm, fullmm);
  tlb.spare = false;
  __tlb_gather_mmu(tlb, mm, fullmm);
  return tlb;
}

export function tlb_gather_mmu(k: Kernel, mm: MmStruct): MmuGather {
  return gather_mmu(k, mm, false);
}

export function tlb_gather_mmu_fullmm(k: Kernel, mm: MmStruct): MmuGather {
  return gather_mmu(k, mm, true);
}

function __tlb_reset_range(tlb: MmuGather): void {
  if (tlb.fullmm) {
    tlb.start = tlb.end = Infinity;
  } else {
    tlb.start = tlb.k.arch.TASK_SIZE;
    tlb.end = 0;
  }
  tlb.freed_tables = tlb.cleared_ptes = tlb.cleared_pmds = tlb.cleared_puds = tlb.cleared_p4ds = false;
}

function __tlb_adjust_range(tlb: MmuGather, address: number, size: number): void {
  if (address < tlb.start) tlb.start = address;
  if (address + size > tlb.end) tlb.end = address + size;
}

export function tlb_flush_pte_range(tlb: MmuGather, address: number, size: number): void {
  __tlb_adjust_range(tlb, address, size);
  tlb.cleared_ptes = true;
}
export function tlb_flush_pmd_range(tlb: MmuGather, address: number, size: number): void {
  __tlb_adjust_range(tlb, address, size);
  tlb.cleared_pmds = true;
}
export function tlb_flush_pud_range(tlb: MmuGather, address: number, size: number): void {
  __tlb_adjust_range(tlb, address, size);
  tlb.cleared_puds = true;
}
export function tlb_flush_p4d_range(tlb: MmuGather, address: number, size: number): void {
  __tlb_adjust_range(tlb, address, size);
  tlb.cleared_p4ds = true;
}

/** tlb_remove_tlb_entry(): note a cleared PTE for the flush range. */
export const tlb_remove_tlb_entry = (tlb: MmuGather, addr: number) => tlb_flush_pte_range(tlb, addr, 4096);

/** tlb_get_unmap_shift(): the smallest level whose entries were cleared. */
function tlb_get_unmap_shift(tlb: MmuGather): number {
  const a = tlb.k.arch;
  if (tlb.cleared_ptes) return a.PAGE_SHIFT;
  if (tlb.cleared_pmds) return a.PMD_SHIFT;
  if (tlb.cleared_puds) return a.PUD_SHIFT;
  if (tlb.cleared_p4ds) return a.P4D_SHIFT;
  return a.PAGE_SHIFT;
}

/** x86 tlb_flush(): flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables). */
function* tlb_flush(t: Task, tlb: MmuGather): KPath {
  let start = 0;
  let end = Infinity;
  if (!tlb.fullmm && !tlb.need_flush_all) {
    start = tlb.start;
    end = tlb.end;
  }
  yield* flush_tlb_mm_range(t, tlb.mm, start, end, tlb_get_unmap_shift(tlb), tlb.freed_tables);
}

export function* tlb_flush_mmu_tlbonly(t: Task, tlb: MmuGather): KPath {
  if (!(tlb.freed_tables || tlb.cleared_ptes || tlb.cleared_pmds || tlb.cleared_puds || tlb.cleared_p4ds)) return;
  yield* tlb_flush(t, tlb);
  __tlb_reset_range(tlb);
}

/** tlb_table_flush(): invalidate, then free the batched tables after a grace period. */
export function* tlb_table_flush(t: Task, tlb: MmuGather): KPath {
  const n = tlb.nr_tables;
  if (n === 0) return;
  yield* tlb_flush_mmu_tlbonly(t, tlb); // tlb_table_invalidate()
  const k = tlb.k;
  k.counters.rcu_table_batches++;
  // call_rcu(&batch->rcu, tlb_remove_table_rcu): __tlb_remove_table() of each page, in order,
  // after the grace period; the PFNs wait in RCU's typed-array queue (no closure or array per batch).
  k.rcu.call_rcu_tables(k, tlb.mm, tlb.table_batch, n);
  tlb.nr_tables = 0; // tlb->batch = NULL
}

/** tlb_remove_table(tlb, table): batch a table (MMU_GATHER_RCU_TABLE_FREE). */
function __tlb_remove_table_batch(t: Task, tlb: MmuGather, pfn: number): void {
  tlb.table_batch[tlb.nr_tables++] = pfn;
  tlb.k.counters.tables_deferred++;
  tlb.k.sanitizer?.table_unlinked(t, pfn);
}

/** tlb_remove_table(tlb, table) */
export function* tlb_remove_table(t: Task, tlb: MmuGather, pfn: number): KPath {
  __tlb_remove_table_batch(t, tlb, pfn);
  if (tlb.nr_tables === MAX_TABLE_BATCH) yield* tlb_table_flush(t, tlb);
}

/**
 * pte_free_tlb(tlb, pte, address) (include/asm-generic/tlb.h): widen the flush,
 * set tlb->freed_tables, then the arch's __pte_free_tlb() hands the page over
 * (x86: paravirt_tlb_remove_table → tlb_remove_table).
 */
export function* pte_free_tlb(t: Task, tlb: MmuGather, pfn: number, address: number): KPath {
  if (pte_free_tlb_queue(t, tlb, pfn, address)) yield* tlb_table_flush(t, tlb);
}

/**
 * pte_free_tlb() up to the hand-over (no preemption point): returns whether the
 * table batch is now full, when pte_free_tlb() goes on with tlb_table_flush().
 * The plugin API's pte_free_tlb (plugin/kernel.ts) makes a generator only then.
 */
export function pte_free_tlb_queue(t: Task, tlb: MmuGather, pfn: number, address: number): boolean {
  tlb_flush_pmd_range(tlb, address, 4096);
  tlb.freed_tables = true;
  tlb.mm.counters.pgtables_freed[0]++;
  // pagetable_dtor() runs when the page is really freed, in the RCU callback
  // (Kernel.__tlb_remove_table), as Linux >= 6.14 does; not here at hand-over.
  tlb.k.arch.__pte_free_tlb(tlb.table_free_target(t), pfn);
  return tlb.nr_tables === MAX_TABLE_BATCH;
}

/** pmd_free_tlb / pud_free_tlb / p4d_free_tlb */
export function* pxd_free_tlb(t: Task, tlb: MmuGather, pfn: number, address: number, level: number): KPath {
  if (level === PMD_LEVEL) tlb_flush_pud_range(tlb, address, 4096);
  else if (level === PUD_LEVEL) tlb_flush_p4d_range(tlb, address, 4096);
  else __tlb_adjust_range(tlb, address, 4096); // p4d_free_tlb
  tlb.freed_tables = true;
  tlb.mm.counters.pgtables_freed[level - 1]++;
  yield* tlb_remove_table(t, tlb, pfn);
}

/**
 * Batches a finished gather left (tlb_batch_list_free()), reused by the next
 * tlb_next_batch() on the same kernel. Model difference: Linux frees the batch
 * pages and allocates new ones (__get_free_page(GFP_NOWAIT)); the model's batches
 * are host arrays, not simulated memory, and reusing them spares the host
 * re-growing a 510-element array per gather (issue #10 §1). Not simulated state.
 */
const spare_batches = new WeakMap<Kernel, PageBatch[]>();

/** tlb_next_batch() */
function tlb_next_batch(tlb: MmuGather): boolean {
  if (tlb.active + 1 < tlb.batches.length) {
    tlb.active++;
    return true;
  }
  if (tlb.batches.length - 1 === MAX_GATHER_BATCH_COUNT) return false;
  tlb.batches.push(spare_batches.get(tlb.k)?.pop() ?? page_batch(MAX_GATHER_BATCH));
  tlb.active++;
  return true;
}

/**
 * __tlb_remove_folio_pages(): queue `nr_pages` references on a folio to drop after
 * the flush (a second slot encodes nr_pages > 1, as ENCODED_PAGE_BIT_NR_PAGES_NEXT).
 * Returns true when the batches are full and the caller must flush (force_flush).
 */
export function __tlb_remove_folio_pages(tlb: MmuGather, head_pfn: number, nr_pages: number): boolean {
  const b = tlb.batches[tlb.active];
  b.pages[b.nr++] = head_pfn;
  if (nr_pages > 1) b.pages[b.nr++] = -nr_pages;
  if (b.nr >= b.max - 1) {
    if (!tlb_next_batch(tlb)) return true;
  }
  return false;
}

/**
 * `n` __tlb_remove_folio_pages(tlb, first + i * step, 1) calls for i < n (order-0
 * folios, step +1 or -1), in that order, a batch's worth at a time (the range
 * batches, issue #10 §1). Stops right after the page whose queueing filled the
 * gather, as the caller of __tlb_remove_folio_pages() does when it returns true.
 * Returns how many were queued, negated when the gather is full (force_flush).
 * Where tlb_batch_pages_flush() frees runs (flush_runs()), each batch's share is
 * recorded as one run (PageBatch.runs: O(1)) instead of written page by page;
 * the batches fill (nr) exactly as they would.
 */
export function __tlb_remove_page_run(tlb: MmuGather, first: number, step: number, n: number): number {
  const record = flush_runs(tlb.k) !== 0;
  let done = 0;
  while (done < n) {
    const b = tlb.batches[tlb.active];
    // Pages until b.nr reaches max - 1 (at least one: each is queued before the check).
    const c = Math.max(1, Math.min(b.max - 1 - b.nr, n - done));
    let nr = b.nr;
    if (record && c > 1) {
      const runs = b.runs;
      const w = b.nruns;
      runs[w] = nr;
      runs[w + 1] = c;
      runs[w + 2] = first + done * step;
      runs[w + 3] = step;
      b.nruns = w + 4;
      nr += c;
    } else {
      const pages = b.pages;
      for (let i = 0, p = first + done * step; i < c; i++, p += step) pages[nr++] = p;
    }
    b.nr = nr;
    done += c;
    if (nr >= b.max - 1 && !tlb_next_batch(tlb)) return -done;
  }
  return done;
}

/**
 * May tlb_batch_pages_flush() free runs of pages at once on `k`: 0 no, 1 yes, 2 and 3
 * yes but wrongly (the digest test's "flush-run-reverse" and "gather-run-short"
 * mutants). The mm layer decides (mm/range_batch.ts sets it: batches on, no
 * sanitizer); until it does, no.
 */
let flush_runs: (k: Kernel) => 0 | 1 | 2 | 3 = () => 0;

/** Set the policy tlb_batch_pages_flush() asks (mm/range_batch.ts, at load). */
export function set_flush_runs_policy(f: (k: Kernel) => 0 | 1 | 2 | 3): void {
  flush_runs = f;
}

/** tlb_batch_pages_flush(): drop the queued references (free_pages_and_swap_cache). */
function tlb_batch_pages_flush(tlb: MmuGather): void {
  const k = tlb.k;
  // Runs of single pages whose put is the last (free_run_length()) are freed at once (no sanitizer, batches on).
  const policy = flush_runs(k);
  const runs = policy !== 0;
  const reverse = policy === 2;
  for (let i = 0; i <= tlb.active; i++) {
    const b = tlb.batches[i];
    const pages = b.pages;
    const nr = b.nr;
    const recs = b.runs;
    // The next run recorded by __tlb_remove_page_run() starts at entry `next` (nr: none left).
    let ri = 0;
    const nrecs = b.nruns;
    let next = nrecs > 0 ? recs[0] : nr;
    for (let j = 0; j < nr; j++) {
      if (j === next) {
        const n = recs[ri + 1];
        // ("gather-run-short": the run's last page is never put.)
        put_page_run(k, recs[ri + 2], recs[ri + 3], policy === 3 ? n - 1 : n, runs, reverse);
        ri += 4;
        next = ri < nrecs ? recs[ri] : nr;
        j += n - 1;
        continue;
      }
      const p = pages[j];
      if (runs && j + 1 < next) {
        const r = free_run_length(k.frames, pages, j, next);
        if (r > 1) {
          const d = pages[j + 1] - p;
          if (reverse) k.frames.free_run(p + (r - 1) * d, r, -d);
          else k.frames.free_run(p, r, d);
          j += r - 1;
          continue;
        }
      }
      const n = j + 1 < next && pages[j + 1] < 0 ? -pages[++j] : 1;
      for (let r = 0; r < n; r++) folio_put(k, p);
    }
    b.nr = 0;
    b.nruns = 0;
  }
  tlb.active = 0;
}

/**
 * folio_put() of first + i * step for i < n, in that order (a run __tlb_remove_page_run()
 * recorded: single references on order-0 folios): with `runs`, each stretch of pages
 * whose put is the last (refcount 1, not a large folio's head, as free_run_length()
 * checks) is freed at once with PageFrames.free_last_puts() (check and free in one
 * pass; the "flush-run-reverse" mutant: last_put_length() and a reversed free_run()),
 * the others put one by one.
 */
function put_page_run(k: Kernel, first: number, step: number, n: number, runs: boolean, reverse: boolean): void {
  const f = k.frames;
  let done = 0;
  while (done < n) {
    const p = first + done * step;
    if (runs && !reverse) {
      // The check and the free in one pass (PageFrames.free_last_puts()).
      const r = f.free_last_puts(p, n - done, step);
      if (r > 1) {
        done += r;
        continue;
      }
    }
    const r = runs && reverse ? last_put_length(f, p, step, n - done) : 0;
    if (r > 1) {
      f.free_run(p + (r - 1) * step, r, -step);
      done += r;
    } else {
      folio_put(k, p);
      done++;
    }
  }
}

/**
 * How many of the `n` frames p, p + step, ... (step +1 or -1) have refcount 1 and are
 * not a large folio's head, in the first frame region's flat arrays or in p's
 * descriptor chunk (a run crossing its end stops there: put_page_run() goes on from
 * the next one).
 */
function last_put_length(f: PageFrames, p: number, step: number, n: number): number {
  const flat = p < f.flat_n;
  const c = flat ? 0 : frame_chunk(p);
  const refcount = flat ? f.flat_refcount : f.refcount_dir[c];
  const flags = flat ? f.flat_flags : f.flags_dir[c];
  const end = flat ? f.flat_n : FRAME_CHUNK;
  const o = flat ? p : frame_off(p);
  // At most the frames before the region's (chunk's) end in the run's direction: the loop tests nothing else.
  const room = step > 0 ? end - o : o + 1;
  const lim = room < n ? room : n;
  let r = 0;
  for (let q = o; r < lim && refcount[q] === 1 && (flags[q] & PF_HEAD) === 0; r++, q += step);
  return r;
}

/**
 * How many entries of `pages` from `j` on (before `nr`) are single references on order-0 folios
 * in one descriptor chunk at PFNs a constant non-zero difference apart (+1 or -1; +2 or -2 for every other
 * frame, as a sparse workload's data pages between its page tables), whose folio_put() frees them:
 * each has refcount 1 (so it is not the zero page, a tail or free) and is not a
 * large folio's head, and has no page count after it. 0 or 1: no run.
 */
function free_run_length(f: PageFrames, pages: number[], j: number, nr: number): number {
  const p = pages[j];
  const d = pages[j + 1] - p;
  // A negative entry is a page count, not a PFN; free_run() takes an int32 step.
  if (d === 0 || p < 0 || pages[j + 1] < 0 || d > 0x7fffffff || d < -0x7fffffff) return 0;
  // In the first frame region's flat arrays, or in p's descriptor chunk only (a run crossing its end stops
  // there; the next run starts in the next chunk).
  const flat = p < f.flat_n;
  const c = flat ? 0 : frame_chunk(p);
  const refcount = flat ? f.flat_refcount : f.refcount_dir[c];
  const flags = flat ? f.flat_flags : f.flags_dir[c];
  const end = flat ? f.flat_n : FRAME_CHUNK;
  let r = 0;
  for (let q = p, o = flat ? p : frame_off(p); j + r < nr && o >= 0 && o < end && pages[j + r] === q && refcount[o] === 1 && (flags[o] & PF_HEAD) === 0; r++, q += d, o += d);
  // A page count (< 0) after the last: that folio has nr_pages references queued.
  if (j + r < nr && pages[j + r] < 0) r--;
  return r;
}

export function* tlb_flush_mmu_free(t: Task, tlb: MmuGather): KPath {
  yield* tlb_table_flush(t, tlb);
  tlb_batch_pages_flush(tlb);
}

export function* tlb_flush_mmu(t: Task, tlb: MmuGather): KPath {
  yield* tlb_flush_mmu_tlbonly(t, tlb);
  yield* tlb_flush_mmu_free(t, tlb);
}

export function tlb_start_vma(tlb: MmuGather, vma: Vma): void {
  if (tlb.fullmm) return;
  tlb.vma_exec = (vma.vm_flags & 4) !== 0;
}

/** tlb_end_vma(): x86 has no MMU_GATHER_MERGE_VMAS, so every VMA ends with a flush. */
export function* tlb_end_vma(t: Task, tlb: MmuGather, _vma: Vma): KPath {
  if (tlb.fullmm) return;
  yield* tlb_flush_mmu_tlbonly(t, tlb);
}

export function* tlb_finish_mmu(t: Task, tlb: MmuGather): KPath {
  yield* tlb_flush_mmu(t, tlb);
  // tlb_batch_list_free(): the batches past the local one, emptied by the flush, go to the spares.
  const b = tlb.batches;
  if (b.length > 1) {
    let spare = spare_batches.get(tlb.k);
    if (spare === undefined) spare_batches.set(tlb.k, (spare = []));
    for (let i = b.length - 1; i >= 1; i--) spare.push(b[i]);
    b.length = 1;
    tlb.active = 0;
  }
  // The gather itself (on the caller's stack in Linux) waits for the next tlb_gather_mmu().
  if (!tlb.spare) {
    tlb.release();
    tlb.spare = true;
    let gathers = spare_gathers.get(tlb.k);
    if (gathers === undefined) spare_gathers.set(tlb.k, (gathers = []));
    gathers.push(tlb);
  }
}

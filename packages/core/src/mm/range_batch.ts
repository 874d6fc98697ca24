/**
 * When a bulk run may take a range fast path (issue #10 §1): a `touch` faulting in
 * a run of pages of one PTE table as one batch (do_anonymous_page_batch.ts), and
 * zap_pte_range() clearing a run of present PTEs as one batch
 * (zap_present_ptes_batch.ts). Both leave exactly the state the step-by-step path
 * leaves (every entry, frame, counter, clock and RCU count: the bench's digest
 * test compares the two on every corpus script and design), and are taken only
 * where nothing observes the single steps:
 *
 *   - the task is not stepping (no scheduler interleaves another CPU between them);
 *   - no sanitizer (it checks each entry access);
 *   - no TLB-entry tracking (the hardware walker would fill per-CPU entries);
 *   - no per-entry plugin hook: track_pte_set/clear, pte_offset_map/pte_unmap,
 *     pmd_install_get/pte_put (the 2021 and 2022 designs' table references);
 *   - the Engine was not built with `batch: false` (set_range_batch()).
 *
 * Scheduler ticks, RCU callbacks and task_work are not observers of that kind:
 * they run where they fall (the fault batch stops right after the return to user
 * that ran one, see do_anonymous_page_batch.ts).
 *
 * Model difference from Linux: none in what is computed; Linux has no such switch
 * (it batches only what its own data structures batch: folio_pte_batch(),
 * set_ptes(), mTHP faults). This is the simulator doing per table what it would
 * otherwise do per page, because nobody can see the difference.
 */
import type { Kernel } from "../types/kernel.js";
import type { Task } from "../sched/task.js";
import { set_flush_runs_policy } from "../tlb/mmu_gather.js";

const disabled = new WeakSet<Kernel>();

/**
 * Deliberately wrong batches, for the digest test's mutant check (each must make
 * the fast path's state differ from the step path's):
 *   - "fault-rss": each fault batch counts one page too many in MM_ANONPAGES;
 *   - "fault-rcu-exits": each fault batch loses one RCU read-section exit (seen
 *     by no output line: only the state digest shows it);
 *   - "zap-free-order": each zap batch queues its first two pages in the mmu_gather
 *     the other way round, so they are freed in the wrong order (no output line
 *     shows it: later faults get the same number of frames, other PFNs).
 *   - "zap-skip-occupied": the zap skips the rest of a table from a none entry on
 *     without looking at its occupancy count, so pages after a hole stay mapped
 *     (sparse tables; the digest test's "sparse" script);
 *   - "fault-run-data": a run of faults taken at once (fault_run) stores each
 *     page's data-oracle value one too high;
 *   - "fault-run-reverse": a run of faults maps the run of frames it took the
 *     other way round (same frames, other pages: no output line shows it);
 *   - "zap-run-order": a zap batch queues a run of pages in the mmu_gather
 *     backwards (freed in the wrong order);
 *   - "flush-run-reverse": tlb_batch_pages_flush() frees a run of pages at once
 *     in the reverse order (the free list's order differs);
 *   - "gather-run-short": tlb_batch_pages_flush() drops the last page of each run
 *     __tlb_remove_page_run() recorded (PageBatch.runs) instead of putting it
 *     (the frame stays allocated: only the digest sees it);
 *   - "pte-alloc-rcu-exits": a fault batch that allocated its PTE table
 *     (pte_alloc_batch.ts) counts that fault's RCU read-section exits as a fault
 *     on an existing table's (one too many; only the digest sees it; the digest
 *     test's "sparse-stride" script);
 *   - "fault-run-stride": a run of faults taken at once from frames that are not
 *     neighbours (a free-list run of every other frame) stores the data-oracle
 *     values in the reverse order (the digest test's "production-mini" script);
 *   - "fault-tables-vmf": a batch that went on into a next table and stopped at
 *     its first entry (a page already there) leaves struct vm_fault pointing into
 *     that table, not at the last fault's (the "production-mini" script);
 *   - "fault-run-fill": a run of faults taken at once whose frames' index and
 *     data are one value each (an ascending run of neighbouring frames: two
 *     fill()s, PageFrames' DATA_PER_PFN) fills the data one frame short (that
 *     frame keeps the value stored before);
 *   - "hook-twin-slow-path": zap_pte_range() calls the zap_pte_range_end hook's
 *     bulk twin (spec's BulkTwin) as if the fast path had failed
 *     (st.direct_reclaim false): pt-reclaim's slow path then finds the PMD
 *     already cleared and the table is never freed.
 * One more, not in RANGE_BATCH_MUTANTS (no bundled arch can show it: every
 * protection a fault maps gives x86's and arm64's entries linear in the PFN), caught
 * by core's pte_linear_memo.test.ts with an MMU of its own:
 *   - "fault-linear-memo": the fault batch's kept pte_linear() answer is given
 *     for a VMA of other protections.
 * (A wrong mapcount on a zapped page would not do: freeing the page resets it,
 * in the model as in Linux, so the final state cannot show it.)
 */
export type RangeBatchMutant =
  | "fault-rss"
  | "fault-rcu-exits"
  | "zap-free-order"
  | "zap-skip-occupied"
  | "fault-run-data"
  | "fault-run-reverse"
  | "zap-run-order"
  | "flush-run-reverse"
  | "gather-run-short"
  | "pte-alloc-rcu-exits"
  | "fault-run-stride"
  | "fault-tables-vmf"
  | "fault-run-fill"
  | "hook-twin-slow-path"
  | "fault-linear-memo";
export const RANGE_BATCH_MUTANTS: readonly RangeBatchMutant[] = [
  "fault-rss",
  "fault-rcu-exits",
  "zap-free-order",
  "zap-skip-occupied",
  "fault-run-data",
  "fault-run-reverse",
  "zap-run-order",
  "flush-run-reverse",
  "gather-run-short",
  "pte-alloc-rcu-exits",
  "fault-run-stride",
  "fault-tables-vmf",
  "hook-twin-slow-path",
  "fault-run-fill",
];
const mutants = new WeakMap<Kernel, RangeBatchMutant>();

/**
 * The last kernel asked about, with its entries in the two side tables: the hot
 * paths ask once or more per PTE table, and one kernel at a time runs (a
 * WeakMap lookup each time costs more than the rest of a sparse table's zap
 * hook). Forgotten whenever set_range_batch*() changes an entry.
 */
let cached_k: Kernel | null = null;
let cached_disabled = false;
let cached_mutant: RangeBatchMutant | undefined;
/** flush_runs_policy()'s answer for cached_k without a sanitizer (a function of the two entries above). */
let cached_runs: 0 | 1 | 2 | 3 = 0;

function lookup(k: Kernel): void {
  cached_k = k;
  cached_disabled = disabled.has(k);
  cached_mutant = mutants.get(k);
  const m = cached_mutant;
  cached_runs = cached_disabled ? 0 : m === "flush-run-reverse" ? 2 : m === "gather-run-short" ? 3 : 1;
}

/** Make `k`'s range batches wrong in the named way (null: correct again). For tests only. */
export function set_range_batch_mutant(k: Kernel, m: RangeBatchMutant | null): void {
  if (m === null) mutants.delete(k);
  else mutants.set(k, m);
  cached_k = null;
}

/** The mutant set on `k`, if any. */
export function range_batch_mutant(k: Kernel): RangeBatchMutant | undefined {
  if (k !== cached_k) lookup(k);
  return cached_mutant;
}

/** EngineOptions.batch: false forces every fault and zap through the step-by-step path on `k`. */
export function set_range_batch(k: Kernel, on: boolean): void {
  if (on) disabled.delete(k);
  else disabled.add(k);
  cached_k = null;
}

/**
 * May kernel-wide bulk work run on `k` (tlb_batch_pages_flush() freeing runs of
 * pages at once): batches not disabled, no sanitizer. The step-by-step path
 * (`batch: false`) then frees page by page, so the digest test compares the two.
 */
export function range_batch_enabled(k: Kernel): boolean {
  // (The cache read in place, here and in the two functions below, not through a helper:
  // these run a few times per PTE table, and each call is interpreter time until the JIT
  // has inlined it: issue #10, 16 JS calls fewer per 2 MiB chunk of the seed loop.)
  if (k !== cached_k) lookup(k);
  return k.sanitizer === null && !cached_disabled;
}

/**
 * tlb_batch_pages_flush() (the tlb layer, below this one) asks here: 0 when
 * range_batch_enabled(k) is false, else 2 with the "flush-run-reverse" mutant, 3
 * with "gather-run-short", 1 otherwise.
 */
function flush_runs_policy(k: Kernel): 0 | 1 | 2 | 3 {
  if (k !== cached_k) lookup(k);
  return k.sanitizer === null ? cached_runs : 0;
}
set_flush_runs_policy(flush_runs_policy);

/** May `t` take a range fast path now (see the file comment)? */
export function range_batch_allowed(t: Task): boolean {
  const k = t.k;
  // Kernel.rcu_upper: the fault holds pmd_offset_map()'s RCU section, which the batch does not replay.
  if (k !== cached_k) lookup(k);
  if (t.stepping || k.sanitizer !== null || k.tlb.track_entries || cached_disabled || k.rcu_upper) return false;
  const h = k.hooks;
  return (
    h.track_pte_set === null &&
    h.track_pte_clear === null &&
    h.pte_offset_map === null &&
    h.pte_unmap === null &&
    h.pmd_install_get === null &&
    h.pte_put === null
  );
}

/** Per-kernel state kept outside the Kernel object: the explorer's post-setup snapshot copies it with the kernel (check/setup_snapshot.ts). */
export const RANGE_BATCH_SIDE_TABLES: readonly (WeakMap<object, unknown> | WeakSet<object>)[] = [disabled as WeakSet<object>, mutants as WeakMap<object, unknown>];

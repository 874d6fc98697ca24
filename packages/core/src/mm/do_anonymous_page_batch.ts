/**
 * do_anonymous_page() over a run of pages, table after table, for a user `touch`
 * (issue #10 §1): the faults one instruction per page would take, done as one
 * batch with the same per-page results, in the same order, when nothing observes
 * the single steps (range_batch.ts).
 *
 * Each access of the run would take, on the step-by-step path (fault.ts,
 * memory.ts): the hardware walk that misses on a none PTE; do_user_addr_fault() →
 * lock_vma_under_rcu() (down_read_trylock of the VMA lock) → handle_mm_fault()
 * (pgfault++) → __handle_mm_fault() (the upper levels present, the PMD a table)
 * → handle_pte_fault() (pte_offset_map_rw_nolock, the PTE none, pte_unmap) →
 * do_anonymous_page() (pte_alloc: the table is there, or allocated here by
 * pte_alloc_batch.ts when the PMD is none) → a new anon folio (write)
 * or the zero page (read) set under the PTE lock → up_read; the return to user
 * (clock, scheduler tick, RCU poll, task_work); and the retried instruction's
 * walk (A/D bits, the data oracle). This file does the same per page with
 * everything that is the same for every page of the table hoisted out: the VMA,
 * the walk to the PMD, the table and its lock. What each step leaves behind is
 * applied as it would be: the frame allocation (same allocator, same order),
 * the PTE, mapcount, MM_ANONPAGES / zero_page_faults, pgfault, the atomic-RMW
 * counts (count_rmw on the same objects in the same order), the task's RCU
 * read-section exits, the clock (Process.return_to_user() itself after the
 * batch's first fault and at each scheduler tick; in between a return to user
 * only moves the clock, and those moves are added up: FaultBatchUser), and the
 * task's struct vm_fault and its pmdval/ptl out-parameters as the last fault
 * left them (written before each real return to user and at the end). Locks taken and released within a fault (VMA lock,
 * PTE lock, RCU read sections) are not taken: nobody else runs in between.
 *
 * Between two real returns to user the faults are done a run at a time
 * (fault_run()): the frames taken a run of the free list at once
 * (PageFrames.alloc_run(): the same frames in the same order as one alloc() per
 * page), their descriptors set with fill()s and one loop (index and data-oracle
 * value per page), the PTEs, linear in the PFN, written as one RUN
 * (PtStore.write_run()) where the table allows, and the counters added up.
 *
 * At the end of a table the batch goes on with the next one while the touch
 * does (what a new batch would check: the VMA, the upper levels walked again at
 * each PUD entry, the PMD a table or none; the THP check once per batch and the
 * PMD lock once per PMD table, as nothing else runs in between; a next table is
 * allocated only when pte_alloc_one() runs no plugin hook). The returns to user
 * owed as clock moves carry over, so a sparse touch (one page per table) pays
 * one setup and one real return to user per scheduler tick, not per table; a
 * table's split lock is created only where struct vm_fault must show it.
 *
 * The batch stops at the first page that is not a none PTE, at the end of the
 * VMA or of the touch, at a table it may not take, and right after a return to
 * user that ran a scheduler-tick hook, RCU callbacks or task_work (the caller
 * retries that access's instruction on the ordinary path, which then re-checks
 * everything).
 *
 * Linux has no such batch for order-0 faults: each access is its own fault. Its
 * nearest relative is the mTHP fault (alloc_anon_folio() of an order > 0 folio
 * mapped with set_ptes() at once), which changes the folios; this does not.
 */
import type { Task } from "../sched/task.js";
import type { SpinLock } from "../sync/spinlock.js";
import type { VmFault } from "../types/mm_types.js";
import type { Vma } from "./vma.js";
import type { Kernel } from "../types/kernel.js";
import { count_rmw, count_rmw_n, rmw_lines_on } from "../sync/rmw.js";
import { VM_SHARED, VM_WRITE, type Arch } from "../pgtable/arch.js";
import { p4d_offset, pgd_offset, pmd_offset, pud_offset } from "../pgtable/offset.js";
import { pte_map_rcu_era } from "../pgtable/pte_map.js";
import { access_error, hw_leaf_access } from "./fault.js";
import { FAULT_FLAG_USER, FAULT_FLAG_VMA_LOCK, FAULT_FLAG_WRITE } from "./fault_flags.js";
import { anon_pte } from "./memory.js";
import { DATA_PER_PFN, frame_chunk, frame_off, INDEX_PER_PFN, PF_DIRTY, PG_ANON } from "./page_alloc.js";
import { MM_ANONPAGES } from "./mm.js";
import { anon_vma_prepare } from "./rmap.js";
import { range_batch_mutant, type RangeBatchMutant } from "./range_batch.js";
import { pte_alloc_batch_allowed, pte_alloc_fault_vmf, pte_alloc_rcu_exits, pte_install_batch } from "./pte_alloc_batch.js";

/** The batch's read-ahead of the table, and its new entries (see the loop). */
const cur = new Float64Array(512);
const pend = new Float64Array(512);

/** What the batch needs from the user process (engine.ts's Process). */
export interface FaultBatchUser {
  /** The value the next user store writes (the data oracle's sequence); called once per write access. */
  store_value(): number;
  /** `n` store_value() calls at once: returns the first value (the others follow it, +1 each). */
  store_values(n: number): number;
  /**
   * The `owed` returns to user that only move the clock (return_to_user_quiet()),
   * then exit_to_user_mode() after one fault. Returns -1 when that ran anything the
   * batch must not assume away: a scheduler-tick hook, RCU callbacks, task_work;
   * else how many returns to user from now on would only move the clock (no tick
   * crossed, nothing to poll or run). (One call, not three: the seed loop makes
   * 1.2 of these per 2 MiB chunk.)
   */
  return_to_user(owed: number): number;
  /** Those `n` returns to user, at once (the clock moves by n kernel entries). */
  return_to_user_quiet(n: number): void;
}

/** The batch's result: accesses done; `retry`: the last one still has its instruction to retry (with `value`). */
export interface FaultBatchResult {
  done: number;
  retry: boolean;
  value: number;
}

/**
 * Up to `nr` accesses at addr, addr + stride, ... (stride a multiple of 4096), as
 * the step-by-step path would do them: table after table, as long as each next
 * table's run may be taken too (same VMA, the upper levels present). Returns
 * with done = 0 when the first one is not a fault this batch handles (the
 * caller takes the ordinary path).
 */
export function do_anonymous_page_batch(
  t: Task,
  addr: number,
  nr: number,
  stride: number,
  write: boolean,
  u: FaultBatchUser,
  res: FaultBatchResult,
): FaultBatchResult {
  res.done = 0;
  res.retry = false;
  const k = t.k;
  const a = k.arch;
  const mm = t.mm!;
  const vmf = t.vmf;
  // What lock_vma_under_rcu() + access_error() + vma_is_anonymous() must find.
  if (vmf === null || t.rcu_read_depth !== 0 || t.irq_disabled !== 0) return res;
  const vma = mm.mm_mt.vma_lookup(addr);
  if (vma === null || vma.detached || vma.vm_lock.writer !== null || vma.vm_file !== null || vma.vm_flags & VM_SHARED || access_error(write, vma)) return res;
  const pt = k.pt;
  const frames = k.frames;
  const vm_lock = vma.vm_lock;
  const rcu_era = pte_map_rcu_era(k.era);
  const rcu_exits = rcu_era ? 3 : 1; // lock_vma_under_rcu, and each __pte_offset_map .. pte_unmap
  const flags = FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0) | FAULT_FLAG_VMA_LOCK;
  const zero_pte = write ? 0 : a.pte_mkspecial(a.pfn_pte(frames.zero_pfn, vma.vm_page_prot));
  // Runs of faults whose returns to user only move the clock go at once (fault_run below)
  // where the entries the vma's protections give are linear in the PFN and the retried
  // access translates (pte_linear(); else page by page).
  const mutant = range_batch_mutant(k);
  const runs = pte_linear(k, vma, write, zero_pte, mutant);
  // A table allocated here may be followed by the next one's allocation in this call
  // only when pte_alloc_one() runs no plugin hook (it could queue RCU work or task_work
  // that the next fault's return to user would run: the next call starts there).
  const alloc_more = k.hooks.pte_table_ctor === null;
  /** pte_alloc_batch()'s checks: the VMA's (once, when first needed: -1 unknown), the PMD table's lock (per PMD table). */
  let alloc_ok = -1;
  let pmd_lock: SpinLock | null = null;
  const alloc_exits = pte_alloc_rcu_exits(rcu_era, mutant, rcu_exits);
  const step = stride / 4096;
  /** Accesses done in earlier tables, and in the current one (`done`). */
  let before = 0;
  let done = 0;
  let value = 0;
  /** Returns to user that may be done as clock moves only, and those owed (done at the next full one or at the end). */
  let quiet = 0;
  let owed = 0;
  let external = false;
  let stop = false;
  // The current table: where its entries are, its split lock (null until one is needed:
  // ptl_of() creates it, and a lock that does not exist is held by nobody), whether this
  // call allocated it (pmd_ptl: pmd_install()'s lock), and the last fault's old entry.
  let pudp = -1;
  let pud_end = 0;
  /** The PMD table's entry 0 (for the PUD entry walked last). */
  let pmd0 = 0;
  let pmdp = 0;
  let pmdval = 0;
  let table = 0;
  let p0 = 0;
  let ptl: SpinLock | null = null;
  let ptl_rmw: object = NO_PTL;
  let pmd_ptl: SpinLock | null = null;
  let orig = 0;
  let last_pudp = 0;
  let last_pmdp = 0;
  let last_pmdval = 0;
  let last_table = 0;
  let last_ptl: SpinLock | null = null;
  let last_p = 0;
  let last_alloc = false;
  while (before < nr) {
    const at = addr + before * stride;
    // The next table (the previous one's run ended at its end) in the same VMA: nothing else ran since.
    if (at >= vma.vm_end) break;
    if (at >= pud_end) {
      // The upper levels present (nothing for p4d/pud_alloc to do); walked again at each PUD entry.
      const pgdp = pgd_offset(k, mm, at);
      if (!a.p4d_folded && a.pxd_none(pt.get(pgdp))) break;
      const p4dp = p4d_offset(k, pgdp, at);
      if (a.pxd_none(pt.get(p4dp))) break;
      pudp = pud_offset(k, p4dp, at);
      // The PMD table (nothing for pmd_alloc to do).
      if (a.pxd_none(pt.get(pudp))) break;
      pmd0 = pmd_offset(k, pudp, 0);
      pmd_lock = null;
      pud_end = (Math.floor(at / k.PUD_SIZE) + 1) * k.PUD_SIZE;
    }
    // The PMD a PTE table (nothing for THP to do).
    pmdp = pmd0 + (Math.floor(at / k.PMD_SIZE) % 512);
    pmdval = pt.get(pmdp);
    // pte_alloc(): a none PMD gets its PTE table here, as do_anonymous_page() would (pte_alloc_batch.ts).
    pmd_ptl = null;
    if (a.pxd_none(pmdval)) {
      if (before > 0 && !alloc_more) break;
      if (alloc_ok < 0) alloc_ok = pte_alloc_batch_allowed(k, vma) ? 1 : 0;
      if (alloc_ok === 0) break;
      if (pmd_lock === null || rmw_lines_on()) pmd_lock = pt.ptl_at(pmdp);
      if (pmd_lock.owner !== null) break;
      pte_install_batch(t, pmdp);
      pmd_ptl = pmd_lock;
      pmdval = pt.get(pmdp);
    }
    if (a.pxd_none(pmdval) || !a.pxd_present(pmdval) || a.pmd_trans_huge(pmdval) || a.pxd_bad(pmdval)) break;
    table = a.pxd_table_pfn(pmdval);
    // (A table allocated just now has no lock yet: PtStore.alloc() leaves none.)
    ptl = pmd_ptl !== null ? null : pt.ptl_if_any(table);
    if (ptl !== null && ptl.owner !== null) break; // spin_lock would block: the ordinary path reports the deadlock
    if (ptl === null && rmw_lines_on()) ptl = pt.ptl_of(table); // the RMW's cache line is recorded by object
    ptl_rmw = ptl ?? NO_PTL;
    // Accesses that stay in this table and this VMA.
    const table_end = (Math.floor(at / k.PMD_SIZE) + 1) * k.PMD_SIZE;
    const limit = Math.min(table_end, vma.vm_end);
    const n = Math.min(nr - before, Math.ceil((limit - at) / stride));
    done = 0;
    // Entry pointers and page addresses step by stride / 4096 entries (no `%` per page: V8 runs
    // it on these doubles as fmod). No closure captures these locals (a captured double is boxed
    // on every store).
    const va0 = Math.floor(at / 4096) * 4096;
    p0 = pt.slot(table) * 512 + (Math.floor(at / 4096) % 512);
    // The table is read ahead into `cur` (chunks that double: entries the batch looks at,
    // plus the ones a stride skips) and the new entries collect in `pend`, written with
    // one PtStore.write() (a RUN where they are one: O(1)) before every real return to
    // user, where others may look, and at the end. Only this task runs in between.
    const span = (n - 1) * step + 1;
    let have = 0;
    let flushed = 0;
    // No try/finally around the loop (TurboFan compiles an exception edge at every call in one,
    // and this is the biggest function it compiles in the seed loop): every fault's entry is in
    // the store before any call that may throw (pend is flushed before an allocation, see there).
    {
      while (done < n) {
        // (A table this call allocated takes its first fault page by page: it counts pmd_install()'s lock.)
        if (quiet > 0 && runs && (pmd_ptl === null || done > 0)) {
          // The next min(quiet, left) faults return to user as clock moves only: as one run,
          // up to the first entry that is not none.
          let m = Math.min(quiet, n - done);
          const idx0 = done * step;
          // Entries that are 0 (O(1) on an EMPTY or RUN table), then any others pte_none() accepts.
          const zeros = step === 1 ? pt.zeros_at(p0 + done, m) : 0;
          let j = zeros;
          if (j < m) {
            const need = (done + m - 1) * step + 1;
            const from = Math.max(have, idx0 + j * step);
            if (need > from) pt.read(p0 + from, need - from, cur, from);
            have = Math.max(have, need);
            while (j < m && a.pte_none(cur[idx0 + j * step])) j++;
          }
          m = j;
          if (m > 0) {
            // Everything pending first, then the run's entries go straight to the store.
            pt.write(p0 + flushed * step, step, pend, flushed, done - flushed);
            const v0 = write ? u.store_values(m) : 0;
            if (write && !vma.anon_vma) anon_vma_prepare(k, mm, vma); // (its own check, without the call)
            fault_run(t, vma, write, done, m, v0, va0, stride, p0, step, zero_pte, mutant);
            flushed = done + m;
            // do_user_addr_fault()'s down_read_trylock and up_read, handle_mm_fault()'s count, the PTE lock, the read sections' exits.
            count_rmw_n(vm_lock, vm_lock.name, 2 * m);
            count_rmw_n(ptl_rmw, "ptl", m);
            mm.counters.pgfault += m;
            t.rcu_exits += rcu_exits * m;
            done += m;
            quiet -= m;
            owed += m;
            orig = m <= zeros ? 0 : cur[idx0 + (m - 1) * step];
            value = write ? v0 + m - 1 : 0;
            continue;
          }
        }
        const p = p0 + done * step;
        const idx = done * step;
        if (idx >= have) {
          // From idx on (a run may have gone past `have` without reading).
          const c = Math.min(span - idx, Math.max(16, idx));
          pt.read(p0 + idx, c, cur, idx);
          have = idx + c;
        }
        const e = cur[idx];
        if (!a.pte_none(e)) {
          stop = true;
          break;
        }
        orig = e;
        const va = va0 + done * stride;
        value = write ? u.store_value() : 0;
        done++;
        // do_user_addr_fault(): lock_vma_under_rcu()'s down_read_trylock() (and, counted with it,
        // the up_read() below: the line is recorded here either way, and nothing reads the counts
        // in between); handle_mm_fault()'s count.
        count_rmw_n(vm_lock, vm_lock.name, 2);
        if (pmd_ptl !== null && done === 1) count_rmw(pmd_ptl, pmd_ptl.cls); // pmd_install()'s pmd_lock()
        mm.counters.pgfault++;
        // do_anonymous_page(): spin_lock(ptl) in pte_offset_map_lock(), then the PTE.
        let pfn: number;
        let pte: number;
        if (write) {
          // (An allocation that throws leaves the earlier faults' entries in the store, as the step path
          // does. Only a table whose entries are not linear has any pending here: see pte_linear().)
          if (flushed < done - 1) {
            pt.write(p0 + flushed * step, step, pend, flushed, done - 1 - flushed);
            flushed = done - 1;
          }
          if (!vma.anon_vma) anon_vma_prepare(k, mm, vma);
          // alloc_anon_folio(), written out: a call would box the address (a double) on every page.
          pfn = frames.alloc(0, PG_ANON);
          // The first region's flat arrays written here when the frame is in it (hot: see PageFrames' accessors).
          const flat = pfn < frames.flat_n;
          if (flat) {
            // (Stored relative to the PFN: DATA_PER_PFN 1, INDEX_PER_PFN 4096, spelled out as in PageFrames' accessors.)
            frames.flat_owner[pfn] = mm.id;
            frames.flat_index[pfn] = va - pfn * 4096;
            frames.flat_data[pfn] = value - pfn;
          } else {
            frames.set_owner(pfn, mm.id);
            frames.set_index(pfn, va);
            frames.set_data(pfn, value);
          }
          count_rmw(ptl_rmw, "ptl");
          if (flat) frames.flat_mapcount[pfn] = 1;
          else frames.set_mapcount(pfn, 1);
          mm.rss_stat[MM_ANONPAGES] += 1; // add_mm_counter()
          pte = anon_pte(k, vma, pfn);
        } else {
          pfn = frames.zero_pfn;
          count_rmw(ptl_rmw, "ptl");
          pte = zero_pte;
          mm.counters.zero_page_faults++;
        }
        pend[done - 1] = pte;
        // up_read(vma lock) (its RMW counted above); the read sections' exits.
        t.rcu_exits += pmd_ptl !== null && done === 1 ? alloc_exits : rcu_exits;
        // exit_to_user_mode(): a clock move only, or the real one (the first, and each that crosses a tick).
        if (quiet > 0) {
          quiet--;
          owed++;
        } else {
          // struct vm_fault and the out-parameters as this fault leaves them, before anyone else may look.
          if (ptl === null) ptl = ptl_rmw = pt.ptl_of(table);
          set_vmf(t, vmf, vma, at + (done - 1) * stride, flags, pudp, pmdp, p, orig, pmdval, ptl, value);
          if (pmd_ptl !== null && done === 1) pte_alloc_fault_vmf(vmf);
          pt.write(p0 + flushed * step, step, pend, flushed, done - flushed);
          flushed = done;
          // The clock moves owed first (nothing above reads the clock), then the real return.
          quiet = u.return_to_user(owed);
          owed = 0;
          if (quiet < 0) {
            quiet = 0;
            res.retry = true;
            external = true; // it may have changed vmf and the out-parameters since
            stop = true;
            break;
          }
        }
        // The retried instruction: the walk now translates (the PTE maps pfn): hw_access_leaf() on the new entry.
        const nv = hw_leaf_access(k, pte, write);
        if (nv !== nv) {
          res.retry = true; // NaN: it faults again (nothing changed), as on the ordinary path
          stop = true;
          break;
        }
        if (nv !== pte) {
          if (flushed === done) pt.set(p, nv);
          else pend[done - 1] = nv;
        }
        // hw_access_data(): the store's value is the one set above (the return to user ran nothing:
        // nothing changed it), then PG_dirty; a read has nothing to change.
        if (write) frames.set_flag_bits(pfn, PF_DIRTY);
      }
    }
    pt.write(p0 + flushed * step, step, pend, flushed, done - flushed);
    before += done;
    if (done > 0 || mutant === "fault-tables-vmf") {
      // Where the last fault so far was (for struct vm_fault at the end).
      last_pudp = pudp;
      last_pmdp = pmdp;
      last_pmdval = pmdval;
      last_table = table;
      last_ptl = ptl;
      last_p = p0 + (done - 1) * step;
      last_alloc = done === 1 && pmd_ptl !== null;
    }
    if (stop || done < n) break;
  }
  if (owed > 0) u.return_to_user_quiet(owed);
  if (before > 0 && !external) {
    // struct vm_fault and the out-parameters as the last fault left them.
    set_vmf(t, vmf, vma, addr + (before - 1) * stride, flags, last_pudp, last_pmdp, last_p, orig, last_pmdval, last_ptl ?? pt.ptl_of(last_table), value);
    if (last_alloc) pte_alloc_fault_vmf(vmf);
  }
  if (before > 0) {
    if (mutant === "fault-rss" && write) mm.rss_stat[MM_ANONPAGES] += 1;
    else if (mutant === "fault-rcu-exits") t.rcu_exits -= 1;
  }
  res.done = before;
  res.value = value;
  return res;
}

/** What the batch counts the PTE lock's RMWs on while the lock does not exist (no RMW lines recorded then: rmw_lines_on()). */
const NO_PTL = {};

/** alloc_run()'s out-parameters. */
const run = { n: 0, step: 0 };

/**
 * Do the entries this batch would write stand in a linear relation to the PFN
 * (anon_pte(pfn + 1) - anon_pte(pfn) the same for every pfn), and does the retried
 * access translate them, adding the same bits to each (hw_leaf_access())? Checked
 * on two PFNs here, and again on each run's first and last (fault_run()). A read
 * maps the zero page: its entry must translate.
 *
 * The answer depends only on the arch (its pfn_pte(), pte_mk*() and MMU: pure
 * functions), the VMA's vm_page_prot and VM_WRITE (anon_pte()), the access and
 * the zero page's entry: the last one is kept with those (`lin`) and given again
 * while they are the same, as for every batch of a touch (the seed loop asks once
 * per 2 MiB chunk: 10 of its ~520 JS calls per chunk, measured with calls2.mjs).
 * ("fault-linear-memo": the kept answer is given for any protections.)
 */
function pte_linear(k: Kernel, vma: Vma, write: boolean, zero_pte: number, mutant: RangeBatchMutant | undefined): boolean {
  const prot = vma.vm_page_prot;
  const vm_write = vma.vm_flags & VM_WRITE;
  if (lin.arch === k.arch && lin.write === write && lin.zero_pte === zero_pte && ((lin.prot === prot && lin.vm_write === vm_write) || mutant === "fault-linear-memo")) return lin.ok;
  let ok: boolean;
  if (!write) {
    const nv = hw_leaf_access(k, zero_pte, false);
    ok = nv === nv;
  } else {
    const e1 = anon_pte(k, vma, 1);
    const e2 = anon_pte(k, vma, 2);
    const n1 = hw_leaf_access(k, e1, true);
    const n2 = hw_leaf_access(k, e2, true);
    ok = n1 === n1 && n2 === n2 && n2 - n1 === e2 - e1;
  }
  lin.arch = k.arch;
  lin.prot = prot;
  lin.vm_write = vm_write;
  lin.write = write;
  lin.zero_pte = zero_pte;
  lin.ok = ok;
  return ok;
}

/** pte_linear()'s last answer and what it was asked about (arch null: none yet). */
const lin: { arch: Arch | null; prot: number; vm_write: number; write: boolean; zero_pte: number; ok: boolean } = {
  arch: null,
  prot: 0,
  vm_write: 0,
  write: false,
  zero_pte: 0,
  ok: false,
};

/**
 * `m` faults of the batch at once (accesses done .. done + m - 1, their entries
 * none): what each would leave in the frames, the PTEs and MM_ANONPAGES /
 * zero_page_faults, the frames taken a run of the free list at a time
 * (PageFrames.alloc_run(): the same frames in the same order), the PTEs written
 * to the store (one RUN write, PtStore.write_run(), where they are one). The
 * caller counts the rest (pgfault, RMWs, RCU exits, clock).
 */
function fault_run(
  t: Task,
  vma: Vma,
  write: boolean,
  done: number,
  m: number,
  v0: number,
  va0: number,
  stride: number,
  p0: number,
  step: number,
  zero_pte: number,
  mutant: RangeBatchMutant | undefined,
): void {
  const k = t.k;
  const mm = t.mm!;
  const pt = k.pt;
  if (!write) {
    mm.counters.zero_page_faults += m;
    const nv = hw_leaf_access(k, zero_pte, false);
    if (step === 1 && pt.write_run(p0 + done, m, nv, 0)) return;
    pend.fill(nv, done, done + m);
    pt.write(p0 + done * step, step, pend, done, m);
    return;
  }
  const frames = k.frames;
  for (let j = 0; j < m; ) {
    // The folios as alloc_anon_folio(), the rmap and the user store leave them: owner, mapcount 1, PG_dirty (index and data below).
    const first = frames.alloc_run(m - j, PG_ANON, run, mm.id);
    // (After the allocation: it may have grown the first descriptor chunk.) The run is in first's chunk.
    const chunk = frame_chunk(first);
    const index = frames.index_dir[chunk];
    const data = frames.data_dir[chunk];
    const c = run.n;
    let d = run.step;
    // Access done + j + i maps frame pfn0 + i * d ("fault-run-reverse": the frames the other way round).
    let pfn0 = first;
    if (mutant === "fault-run-reverse" && c > 1) {
      pfn0 = first + (c - 1) * d;
      d = -d;
    }
    const vadj = mutant === "fault-run-data" ? 1 : 0;
    if (d === 1 || d === -1 || c === 1) {
      const lo = d > 0 || c === 1 ? pfn0 : pfn0 - c + 1;
      // In PFN order: frame lo + i is access done + j + i when d = +1, else done + j + c - 1 - i.
      const va_lo = va0 + (done + j + (pfn0 === lo ? 0 : c - 1)) * stride;
      const v_lo = v0 + j + (pfn0 === lo ? 0 : c - 1) + vadj;
      const dv = pfn0 === lo ? 1 : -1;
      const dva = dv * stride;
      // Chunk offsets: int32 indexes (twice as fast as doubles) for any PFN. Stored relative
      // to the PFN (INDEX_PER_PFN, DATA_PER_PFN): frame lo + i's are va_lo - lo * 4096 + i *
      // (dva - 4096) and v_lo - lo + i * (dv - 1): the same for every frame of an ascending run
      // of neighbouring pages (two fill()s).
      const short = mutant === "fault-run-fill" ? 1 : 0;
      anon_index_data(index, data, frame_off(lo), c, va_lo - lo * INDEX_PER_PFN, dva - INDEX_PER_PFN, v_lo - lo * DATA_PER_PFN, dv - DATA_PER_PFN, short);
    } else {
      // Frames d apart (a free-list run of every other frame, ...): one loop over them, in access order.
      const va_j = va0 + (done + j) * stride;
      const v_j = v0 + j + vadj;
      const rev = mutant === "fault-run-stride";
      for (let i = 0, q = frame_off(pfn0); i < c; i++, q += d) {
        const pfn = pfn0 + i * d;
        index[q] = va_j + i * stride - pfn * INDEX_PER_PFN;
        data[q] = (rev ? v_j + c - 1 - i : v_j + i) - pfn * DATA_PER_PFN;
      }
    }
    // The PTEs: anon_pte(), then the retried access's A/D bits (hw_leaf_access()), linear in the PFN.
    const at = done + j;
    const e0 = anon_pte(k, vma, pfn0);
    const n0 = hw_leaf_access(k, e0, true);
    const de = c > 1 ? anon_pte(k, vma, pfn0 + d) - e0 : 0;
    const linear = c === 1 || hw_leaf_access(k, anon_pte(k, vma, pfn0 + (c - 1) * d), true) === n0 + (c - 1) * de;
    if (!linear || step !== 1 || !pt.write_run(p0 + at, c, n0, de)) {
      if (linear) for (let i = 0; i < c; i++) pend[at + i] = n0 + i * de;
      else for (let i = 0; i < c; i++) pend[at + i] = hw_leaf_access(k, anon_pte(k, vma, pfn0 + i * d), true);
      pt.write(p0 + at * step, step, pend, at, c);
    }
    mm.rss_stat[MM_ANONPAGES] += c; // add_mm_counter()
    j += c;
  }
}

/**
 * index[o + i] = a + i * da and data[o + i] = b + i * db for i < n: the index and
 * data-oracle value of each frame of a fault run, in PFN order, as stored
 * (relative to the PFN: PageFrames' DATA_PER_PFN). Where both steps are 0 (an
 * ascending run of neighbouring pages) and the run is not short, two fill()s;
 * else a loop, two frames an iteration (half the loop's iterations, and half of
 * them in the interpreter before V8 optimises it). The values step by addition
 * (exact: integers below 2^53, or multiples of 4096 below 2^58).
 */
function anon_index_data(index: Float64Array, data: Float64Array, o: number, n: number, a: number, da: number, b: number, db: number, short: number): void {
  const e = o + n;
  if (da === 0 && db === 0 && n >= INDEX_DATA_FILLS) {
    index.fill(a, o, e);
    data.fill(b, o, e - short); // (`short`: the "fault-run-fill" mutant's 1, else 0)
    return;
  }
  let q = o;
  for (const da2 = da + da, db2 = db + db; q + 1 < e; q += 2) {
    index[q] = a;
    index[q + 1] = a + da;
    data[q] = b;
    data[q + 1] = b + db;
    a += da2;
    b += db2;
  }
  if (q < e) {
    index[q] = a;
    data[q] = b;
  }
}

/** The shortest run anon_index_data() sets with fill()s (shorter: the loop costs less than the two calls into the runtime). */
const INDEX_DATA_FILLS = 16;

/** struct vm_fault and the task's out-parameters as __handle_mm_fault() .. do_anonymous_page() leave them for a fault at `address`. */
function set_vmf(
  t: Task,
  vmf: VmFault,
  vma: Vma,
  address: number,
  flags: number,
  pudp: number,
  pmdp: number,
  pte: number,
  orig_pte: number,
  pmdval: number,
  ptl: SpinLock,
  value: number,
): void {
  vmf.vma = vma;
  vmf.address = Math.floor(address / 4096) * 4096;
  vmf.flags = flags;
  vmf.pgoff = Math.floor((address - vma.vm_start) / 4096) + vma.vm_pgoff;
  vmf.pudp = pudp;
  vmf.pmdp = pmdp;
  vmf.pte = pte;
  vmf.orig_pte = orig_pte;
  vmf.orig_pmd = pmdval;
  vmf.ptl = ptl;
  vmf.value = value;
  t.pmdval = pmdval;
  t.ptl = ptl;
}

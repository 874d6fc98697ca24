/**
 * pte_alloc() for the fault batch (do_anonymous_page_batch.ts; issue #10 §3): a
 * `touch` that reaches a PMD with no PTE table (a sparse touch, one page every
 * 2 MiB) allocates the table here and stays on the batch path, instead of taking
 * one step-by-step fault per table.
 *
 * The first fault of such a table, on the step-by-step path (mm/memory.ts):
 * __handle_mm_fault() reads the none PMD (pmdp_get_lockless: vmf->orig_pmd = 0)
 * and, THP not allowed for the VMA, calls handle_pte_fault(), which finds the PMD
 * none (vmf->pte = NULL: no pte_offset_map_rw_nolock(), so no RCU section there
 * and vmf->ptl stays NULL) → do_anonymous_page() → pte_alloc() → __pte_alloc():
 * pte_alloc_one() (the table's frame, before the anon folio's; pagetable_pte_ctor
 * and the plugin's pte_table_ctor hook; pgtables_allocated) → pmd_install():
 * pmd_lock() (one atomic RMW on the PMD lock), the PMD still none →
 * mm_inc_nr_ptes(), pmd_populate(), spin_unlock(). Then the PTE is set as for any
 * none PTE (pte_offset_map_lock() maps the new table: t->pmdval is the new PMD).
 * pte_install_batch() does the allocation and the install, after the batch's
 * checks (pte_alloc_batch_allowed() once per batch, the PMD lock free once per
 * PMD table: nothing else runs in between); the batch counts the PMD
 * lock's RMW after the VMA lock's (where the fault takes it), one RCU read-section
 * exit fewer for this fault than for a fault on an existing table (6.5+ eras), and
 * leaves vmf->orig_pmd = 0 and vmf->ptl = NULL when this fault is its last
 * (pte_alloc_fault_vmf()).
 *
 * The batch takes it only when the step-by-step path would do exactly that: the
 * VMA may not get a THP (thp_vma_allowable_pmd(): a none PMD would take
 * do_huge_pmd_anonymous_page()), the PMD lock is free (no spin), and no
 * pmd_install_get hook (range_batch_allowed() already excludes it) nor
 * Kernel.rcu_upper (excluded too). Model difference from Linux: none in the
 * result.
 */
import type { Kernel } from "../types/kernel.js";
import type { Task } from "../sched/task.js";
import type { VmFault } from "../types/mm_types.js";
import type { Vma } from "./vma.js";
import { pte_alloc_one } from "../pgtable/pgalloc.js";
import { pmd_populate$sync } from "../pgtable/ops.js";
import { mm_inc_nr_ptes } from "./mm.js";
import { thp_vma_allowable_pmd } from "./huge_memory.js";
import type { RangeBatchMutant } from "./range_batch.js";

/** May a batch on `vma` allocate its PTE tables (thp_vma_allowable_pmd() false: a none PMD takes no THP)? The same for a whole batch. */
export function pte_alloc_batch_allowed(k: Kernel, vma: Vma): boolean {
  return !thp_vma_allowable_pmd(k, vma);
}

/**
 * pte_alloc_batch() once its checks are done (the batch makes them once for
 * its run of tables: the VMA's, and the PMD table's lock free): the table
 * allocated and installed at the none PMD entry `pmdp`.
 */
export function pte_install_batch(t: Task, pmdp: number): void {
  const mm = t.mm!;
  const pfn = pte_alloc_one(t.k, mm);
  // pmd_install(): under the PMD lock, the PMD still none.
  mm_inc_nr_ptes(mm);
  pmd_populate$sync(t, pmdp, pfn);
}

/** struct vm_fault as the table-allocating fault leaves it: handle_pte_fault() found the PMD none. */
export function pte_alloc_fault_vmf(vmf: VmFault): void {
  vmf.orig_pmd = 0;
  vmf.ptl = null;
  vmf.orig_pte = 0;
}

/**
 * RCU read-section exits of the table-allocating fault, given `exits` for a fault
 * on an existing table: 6.5+ (`rcu_era`: pte_map_rcu_era() of the kernel's era)
 * has no handle_pte_fault() map of the none PMD. (The "pte-alloc-rcu-exits"
 * mutant, range_batch_mutant() of the kernel, counts it as a fault on an existing
 * table.) The batch passes what it already asked: two calls fewer per batch.
 */
export function pte_alloc_rcu_exits(rcu_era: boolean, mutant: RangeBatchMutant | undefined, exits: number): number {
  if (!rcu_era || mutant === "pte-alloc-rcu-exits") return exits;
  return exits - 1;
}

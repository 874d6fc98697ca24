/**
 * @mmsim/core/kernel — the kernel API a reclaim plugin is written against, as
 * include/linux/*.h is to mm code. It exports the contract (@mmsim/spec: the
 * types, `ReclaimPlugin`, specificationVersion) and the kernel functions a
 * plugin may call, with the kernel's names, and nothing else.
 *
 * Conventions (model differences from C, stated once):
 *   - `t` (the running task, `current`) comes first wherever the function is a
 *     kernel path or needs the machine: the kernel reaches `current`, the RCU
 *     state and the arch through globals, the model through `t`.
 *   - Kernel paths are generators: call them with `yield*`.
 *   - Out-parameters are explicit results: `pte_offset_map_rw_nolock(mm, pmd,
 *     addr, &pmdval, &ptl)` returns `{ pte, pmdval, ptl }` or null (the kernel's
 *     NULL), never a value left on the task.
 *   - Table geometry comes from the arch (`t.k.arch.PTRS_PER_PTE`, `PMD_SIZE`).
 */
import type {
  KPath,
  PteMapKind,
  atomic_t,
  kernel_t,
  mm_struct,
  mmu_gather,
  percpu_ref,
  pmd_ptr,
  pmd_t,
  pte_ptr,
  pte_t,
  rw_semaphore,
  spinlock_t,
  task_struct,
  vm_area_struct,
} from "@mmsim/spec";
import { MmsimError } from "@mmsim/spec";
import type { Kernel } from "../types/kernel.js";
import type { MmStruct } from "../mm/mm_struct.js";
import type { Vma } from "../mm/vma.js";
import { flush_tlb_range as _flush_tlb_range } from "../tlb/flush.js";
import { pmd_lock as _pmd_lock, pmd_lockptr as _pmd_lockptr, pte_free as _pte_free, pte_free_defer as _pte_free_defer } from "../pgtable/pgalloc.js";
import { mm_dec_nr_ptes as _mm_dec_nr_ptes } from "../mm/mm.js";
import { pmd_clear as _pmd_clear, pmdp_get_lockless as _pmdp_get_lockless, ptep_get as _ptep_get, ptep_get_lockless as _ptep_get_lockless } from "../pgtable/ops.js";
import { pmdp_huge_get_and_clear as _pmdp_huge_get_and_clear } from "../pgtable/ops.js";
import { pte_index as _pte_index } from "../pgtable/offset.js";
import { put_gather as _put_gather } from "../tlb/put_gather.js";
import { pte_lockptr as _pte_lockptr, pte_unmap as _pte_unmap, pte_unmap_unlock as _pte_unmap_unlock } from "../pgtable/pte_map.js";
import { walk_pmd } from "../pgtable/walk.js";
import * as pte_map from "./pte_map.js";
import { task_work_add as _task_work_add } from "./plugin.js";
import type { Task } from "../sched/task.js";
import { Atomic, atomic_add_return as _atomic_add_return, atomic_cmpxchg as _atomic_cmpxchg, atomic_read as _atomic_read, atomic_set as _atomic_set } from "../sync/atomic.js";
import { count_rmw } from "../sync/rmw.js";
import {
  PercpuRef,
  percpu_ref_exit as _percpu_ref_exit,
  percpu_ref_get as _percpu_ref_get,
  percpu_ref_get_many as _percpu_ref_get_many,
  percpu_ref_is_zero as _percpu_ref_is_zero,
  percpu_ref_is_zero_nolock as _percpu_ref_is_zero_nolock,
  percpu_ref_kill as _percpu_ref_kill,
  percpu_ref_lib,
  percpu_ref_put as _percpu_ref_put,
  percpu_ref_put_many as _percpu_ref_put_many,
  percpu_ref_switch_to_atomic as _percpu_ref_switch_to_atomic,
  percpu_ref_switch_to_atomic_sync as _percpu_ref_switch_to_atomic_sync,
  percpu_ref_switch_to_percpu as _percpu_ref_switch_to_percpu,
  percpu_ref_tryget as _percpu_ref_tryget,
  percpu_ref_tryget_live as _percpu_ref_tryget_live,
} from "../sync/percpu_ref.js";
import { local_irq_restore as _local_irq_restore, local_irq_save as _local_irq_save, rcu_read_lock as _rcu_read_lock, rcu_read_unlock as _rcu_read_unlock, synchronize_rcu as _synchronize_rcu } from "../sync/rcu.js";
import { down_read as _down_read, down_read_trylock as _down_read_trylock, up_read as _up_read } from "../sync/rwsem.js";
import { lockdep_assert_held as _lockdep_assert_held, spin_is_locked as _spin_is_locked, spin_lock as _spin_lock, spin_lock_nested as _spin_lock_nested, spin_trylock as _spin_trylock, spin_unlock as _spin_unlock, type SpinLock } from "../sync/spinlock.js";
import { pte_free_tlb_queue as _pte_free_tlb_queue, tlb_table_flush as _tlb_table_flush, tlb_flush_pmd_range as _tlb_flush_pmd_range, tlb_remove_table as _tlb_remove_table, type MmuGather } from "../tlb/mmu_gather.js";
import { tlb_finish_mmu as _tlb_finish_mmu, tlb_gather_mmu as _tlb_gather_mmu } from "../tlb/mmu_gather.js";
import { spin_trylock$sync as core_spin_trylock$sync, spin_unlock$sync as core_spin_unlock$sync } from "../sync/spinlock.js";
import { pmd_clear$sync as core_pmd_clear$sync, pmdp_get_lockless$sync as core_pmdp_get_lockless$sync } from "../pgtable/ops.js";

export * from "@mmsim/spec";

/** A primitive: one preemption point (the op object is reused by its task). */
type Prim<R> = Iterable<import("@mmsim/spec").Point, R, undefined> & Iterator<import("@mmsim/spec").Point, R, undefined>;

/**
 * A kernel path that has already run to its end (no preemption point left):
 * `yield*` of it returns at once. Shared by every call, allocates nothing.
 */
const DONE_RESULT: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });
const DONE_PATH = Object.freeze({
  next: () => DONE_RESULT,
  return: () => DONE_RESULT,
  throw: (e: unknown) => {
    throw e;
  },
  [Symbol.iterator]() {
    return this;
  },
}) as unknown as KPath;

// The model's objects behind the contract's types: one type assertion per boundary
// (`t as Task`), written in place. (Identity functions `T(t)`, `K(k)`, ... were a JS
// call each, 10 per 2 MiB chunk of the seed loop, which the interpreter runs until
// the JIT has warmed up; an assertion is erased by the compiler.)

/* ---- spinlocks (include/linux/spinlock.h) ---- */

export const spin_lock = (t: task_struct, l: spinlock_t): Prim<void> => _spin_lock(t as Task, l as SpinLock);
/** spin_lock_nested(lock, SINGLE_DEPTH_NESTING): a second lock of the same class (PTE lock under the PMD lock). */
export const spin_lock_nested = (t: task_struct, l: spinlock_t): Prim<void> => _spin_lock_nested(t as Task, l as SpinLock);
export const spin_trylock = (t: task_struct, l: spinlock_t): Prim<boolean> => _spin_trylock(t as Task, l as SpinLock);
export const spin_unlock = (t: task_struct, l: spinlock_t): Prim<void> => _spin_unlock(t as Task, l as SpinLock);
export const spin_is_locked = (l: spinlock_t): boolean => _spin_is_locked(l as SpinLock);
export const lockdep_assert_held = (t: task_struct, l: spinlock_t): void => _lockdep_assert_held(t as Task, l as SpinLock);

/* ---- mmap_lock (include/linux/mmap_lock.h) ---- */

export const down_read = (t: task_struct, s: rw_semaphore): Prim<void> => _down_read(t as Task, s as never);
export const down_read_trylock = (t: task_struct, s: rw_semaphore): Prim<boolean> => _down_read_trylock(t as Task, s as never);
export const up_read = (t: task_struct, s: rw_semaphore): Prim<void> => _up_read(t as Task, s as never);

/* ---- RCU and IRQs (include/linux/rcupdate.h) ---- */

export const rcu_read_lock = (t: task_struct): Prim<void> => _rcu_read_lock(t as Task);
export const rcu_read_unlock = (t: task_struct): Prim<void> => _rcu_read_unlock(t as Task, (t as Task).k.rcu);
/** synchronize_rcu(): sleeps until every reader that exists now has finished. */
export const synchronize_rcu = (t: task_struct): Prim<void> => _synchronize_rcu(t as Task, (t as Task).k.rcu);
/** call_rcu(head, func): `func` runs after a grace period. */
export function call_rcu(t: task_struct, func: () => void): void {
  (t as Task).k.rcu.call_rcu(func);
}
/** local_irq_save(): an IRQ-disabled region is an RCU read-side section and defers IPIs (GUP-fast). */
export const local_irq_save = (t: task_struct): Prim<void> => _local_irq_save(t as Task);
export const local_irq_restore = (t: task_struct): Prim<void> => _local_irq_restore(t as Task, (t as Task).k.rcu);

/* ---- atomics and percpu_ref (include/linux/atomic.h, percpu-refcount.h) ---- */

/** ATOMIC_INIT(i) */
export const ATOMIC_INIT = (i: number): atomic_t => new Atomic(i);
export const atomic_read = (t: task_struct, a: atomic_t): Prim<number> => _atomic_read(t as Task, a as Atomic);
export const atomic_set = (t: task_struct, a: atomic_t, v: number): Prim<void> => _atomic_set(t as Task, a as Atomic, v);
export const atomic_add_return = (t: task_struct, a: atomic_t, v: number): Prim<number> => _atomic_add_return(t as Task, a as Atomic, v);
export const atomic_cmpxchg = (t: task_struct, a: atomic_t, old: number, nw: number): Prim<number> => _atomic_cmpxchg(t as Task, a as Atomic, old, nw);
export { PERCPU_REF_ALLOW_REINIT, PERCPU_REF_INIT_ATOMIC, PERCPU_REF_INIT_DEAD } from "../sync/percpu_ref.js";
/** percpu_ref_init(ref, release, flags, GFP): one reference held, percpu mode (unless PERCPU_REF_INIT_ATOMIC/DEAD). */
export const percpu_ref_init = (k: kernel_t, release: () => void, flags = 0): percpu_ref => new PercpuRef((k as Kernel).cpu_curr.length, release, flags, percpu_ref_lib(k));
export const percpu_ref_get = (t: task_struct, r: percpu_ref): Prim<void> => _percpu_ref_get(t as Task, r as PercpuRef);
/** percpu_ref_tryget(ref): percpu mode always succeeds; atomic mode is atomic_long_inc_not_zero(). */
export const percpu_ref_tryget = (t: task_struct, r: percpu_ref): Prim<boolean> => _percpu_ref_tryget(t as Task, r as PercpuRef);
export const percpu_ref_tryget_live = (t: task_struct, r: percpu_ref): Prim<boolean> => _percpu_ref_tryget_live(t as Task, r as PercpuRef);
export const percpu_ref_put = (t: task_struct, r: percpu_ref): Prim<void> => _percpu_ref_put(t as Task, r as PercpuRef);
/** percpu_ref_is_zero(ref): false in percpu mode; else the atomic count == 0 (read under the ref's switch lock). */
export const percpu_ref_is_zero = (t: task_struct, r: percpu_ref): Prim<boolean> => _percpu_ref_is_zero(t as Task, r as PercpuRef);
/**
 * percpu_ref_get_many(ref, nr) / percpu_ref_put_many(ref, nr) / percpu_ref_is_zero(ref)
 * for the plain hooks (track_pte_set/clear run inside set_pte_at() and
 * ptep_get_and_clear()): no task, no preemption point of their own.
 */
export const percpu_ref_get_many = (r: percpu_ref, nr = 1): void => _percpu_ref_get_many(r as PercpuRef, nr);
export const percpu_ref_put_many = (r: percpu_ref, nr = 1): void => _percpu_ref_put_many(r as PercpuRef, nr);
export const percpu_ref_is_zero_nolock = (r: percpu_ref): boolean => _percpu_ref_is_zero_nolock(r as PercpuRef);
/** percpu_ref_switch_to_atomic(ref, confirm_switch): schedule the switch (a grace period); may sleep while another is in flight. */
export const percpu_ref_switch_to_atomic = (t: task_struct, r: percpu_ref, confirm_switch: (() => void) | null = null): KPath =>
  _percpu_ref_switch_to_atomic(t as Task, r as PercpuRef, confirm_switch);
/** percpu_ref_switch_to_atomic_sync(ref): SLEEPS until the switch is confirmed (an RCU grace period). */
export const percpu_ref_switch_to_atomic_sync = (t: task_struct, r: percpu_ref): KPath => _percpu_ref_switch_to_atomic_sync(t as Task, r as PercpuRef);
/** percpu_ref_switch_to_percpu(ref): back to percpu mode (needs PERCPU_REF_ALLOW_REINIT); may sleep while a switch is in flight. */
export const percpu_ref_switch_to_percpu = (t: task_struct, r: percpu_ref): KPath => _percpu_ref_switch_to_percpu(t as Task, r as PercpuRef);
/** percpu_ref_kill(ref): mark dead, switch to atomic mode (the sum after a grace period), drop the initial reference. */
export const percpu_ref_kill = (t: task_struct, r: percpu_ref): void => _percpu_ref_kill(t as Task, r as PercpuRef);
/** percpu_ref_exit(ref): undo percpu_ref_init(); the ref must no longer be in use. */
export const percpu_ref_exit = (r: percpu_ref): void => _percpu_ref_exit(r as PercpuRef);
/**
 * Model-only: the percpu_ref library of this kernel. `patch02`: whether seed 002's
 * patch 02/18 is applied (default true; false is v5.18's ordering, R1). Returns
 * what the library counted: switches to atomic (each an RCU grace period), sync
 * waits, wake_up_all() calls and the waiters they woke (the global wait queue).
 */
export function percpu_ref_config(k: kernel_t, o: { patch02?: boolean } = {}) {
  const lib = percpu_ref_lib(k);
  if (o.patch02 !== undefined) lib.patch02 = o.patch02;
  return lib as Readonly<Pick<typeof lib, "patch02" | "switches_to_atomic" | "switches_to_percpu" | "sync_waits" | "wake_up_all" | "woken">>;
}
/** pte_to_page(ptep) (seed 002 patch 07): the PFN of the PTE table page holding the entry `ptep`. */
export function pte_to_page(k: kernel_t, ptep: pte_ptr): number {
  return (k as Kernel).pt.table_of(ptep);
}

/* ---- page-table entries (include/linux/pgtable.h) ---- */

export const ptep_get = (t: task_struct, ptep: pte_ptr): Prim<pte_t> => _ptep_get(t as Task, ptep);
export const ptep_get_lockless = (t: task_struct, ptep: pte_ptr): Prim<pte_t> => _ptep_get_lockless(t as Task, ptep);
export const pmdp_get_lockless = (t: task_struct, pmdp: pmd_ptr): Prim<pmd_t> => _pmdp_get_lockless(t as Task, pmdp);
/**
 * A read of a PMD entry that is not a preemption point. Model-only: for the
 * lookups of walk_page_range() that the model treats as one step with the table
 * walk (mm_find_pmd); where a race on the value matters, use pmdp_get_lockless().
 */
export function pmdp_peek(t: task_struct, pmdp: pmd_ptr): pmd_t {
  return (t as Task).k.pt.get(pmdp);
}
/** pmd_clear(pmd): the caller holds the PMD lock. */
export const pmd_clear = (t: task_struct, pmdp: pmd_ptr): Prim<void> => _pmd_clear(t as Task, pmdp);

/** mm_find_pmd(mm, address) (mm/rmap.c): the PMD entry covering address, or null where an upper level is none. */
export function mm_find_pmd(t: task_struct, mm: mm_struct, address: number): pmd_ptr | null {
  const p = walk_pmd((t as Task).k, mm as MmStruct, address);
  return p < 0 ? null : p;
}

/* ---- mapping PTE tables (mm/pgtable-generic.c, Linux 6.5+) ---- */

/** pte_lockptr(mm, pmdval): the split PTE lock of the table `pmdval` points at. */
export const pte_lockptr = (t: task_struct, pmdval: pmd_t): spinlock_t => _pte_lockptr((t as Task).k, pmdval);
/** pmd_lockptr(mm, pmd): the split PMD lock of the PMD table holding `pmdp`. */
// (Through unknown: TypeScript finds Kernel and kernel_t too unlike to compare function types over them.)
export const pmd_lockptr = _pmd_lockptr as unknown as (k: kernel_t, pmdp: pmd_ptr) => spinlock_t;
/** pmd_lock(mm, pmd): takes and returns the PMD lock. */
export const pmd_lock = (t: task_struct, pmdp: pmd_ptr): KPath<spinlock_t> => _pmd_lock(t as Task, pmdp);

// (Bound here rather than re-exported with `export … from`, so the bulk-run twins desync derives stay internal.)
/** __pte_offset_map(pmd, addr, &pmdval): maps the PTE table (RCU, or the plugin's pte_offset_map hook); null when the PMD maps none. */
export const __pte_offset_map = pte_map.__pte_offset_map;
/** pte_offset_map(pmd, addr): the mapped PTE pointer, or null. */
export const pte_offset_map = pte_map.pte_offset_map;
/** pte_offset_map_lock(mm, pmd, addr, &ptl): mapped and locked, the PMD rechecked under the lock (6.5+; not in the 5.14/5.18 eras); null when it maps no table. */
export const pte_offset_map_lock = pte_map.pte_offset_map_lock;
/** pte_offset_map_rw_nolock(mm, pmd, addr, &pmdval, &ptl): mapped, not locked; recheck pmd_same() after taking `ptl`. */
export const pte_offset_map_rw_nolock = pte_map.pte_offset_map_rw_nolock;
/** pte_offset_map_ro_nolock(mm, pmd, addr, &ptl): read-only use. */
export const pte_offset_map_ro_nolock = pte_map.pte_offset_map_ro_nolock;

/** pte_unmap(pte); `kind` (default "tryget") goes to the plugin's pte_unmap hook. */
export const pte_unmap = (t: task_struct, ptep: pte_ptr, kind: PteMapKind = "tryget"): KPath => _pte_unmap(t as Task, ptep, kind);
/** pte_unmap_unlock(pte, ptl) */
export const pte_unmap_unlock = (t: task_struct, ptep: pte_ptr, ptl: spinlock_t, kind: PteMapKind = "tryget"): KPath => _pte_unmap_unlock(t as Task, ptep, ptl as SpinLock, kind);

/* ---- freeing tables (include/asm-generic/tlb.h, mm/pgtable-generic.c) ---- */

/** mm_dec_nr_ptes(mm): VmPTE drops by one table. */
export const mm_dec_nr_ptes = _mm_dec_nr_ptes as (mm: mm_struct) => void;
/** pte_free_tlb(tlb, pte, address): freed after the gather's TLB flush (freed_tables: lazy CPUs too) and, via the arch, a grace period. */
export const pte_free_tlb = (t: task_struct, tlb: mmu_gather, pfn: number, address: number): KPath =>
  // The hand-over has no preemption point: done at the call (as the generator would at its first step),
  // and a generator made only when the table batch is full (issue #10: none per table freed otherwise).
  _pte_free_tlb_queue(t as Task, tlb as MmuGather, pfn, address) ? _tlb_table_flush(t as Task, tlb as MmuGather) : DONE_PATH;
/** tlb_remove_table(tlb, table): hand a table to the gather (without pte_free_tlb's freed_tables). */
export const tlb_remove_table = (t: task_struct, tlb: mmu_gather, pfn: number): KPath => _tlb_remove_table(t as Task, tlb as MmuGather, pfn);
/** tlb_flush_pmd_range(tlb, address, size) */
export const tlb_flush_pmd_range = (tlb: mmu_gather, address: number, size: number): void => _tlb_flush_pmd_range(tlb as MmuGather, address, size);
/**
 * The kernel argument of the few plugin functions that take the machine, not
 * `current` (pte_free, pmd_free, tlb_gather_mmu): a task given there (`t` for
 * `t.k`, the others' first argument) is a plugin's mistake, named as such
 * instead of failing later on a field the task does not have.
 */
function kernel_arg(k: kernel_t, fn: string): Kernel {
  if ((k as { frames?: unknown }).frames === undefined)
    throw new MmsimError("plugin-error", `${fn}(k, ...): the first argument is the kernel (t.k), got ${k !== null && typeof k === "object" && "k" in k ? "a task (t)" : String(k)}`);
  return k as Kernel;
}

/** pte_free_defer(mm, pgtable): the arch's: after a grace period, no TLB flush implied (the caller flushes first). */
export const pte_free_defer = (t: task_struct, mm: mm_struct, pfn: number): void => _pte_free_defer(t as Task, mm as MmStruct, pfn);
/** pte_free(mm, pgtable): at once; only for a table nothing can reach any more. */
export const pte_free = (k: kernel_t, mm: mm_struct, pfn: number): void => _pte_free(kernel_arg(k, "pte_free"), mm as MmStruct, pfn);

/* ---- the 2021 pte_refcount's helpers (include/linux/pte_ref.h) ---- */

/**
 * atomic_add(i, v) for the plain-function hooks (track_pte_set/clear: pte_get()
 * right after set_pte_at(), the zap's batched entry puts). Model: not a
 * preemption point of its own; it happens in the step of the PTE write the hook
 * accompanies. Kernel paths use atomic_add_return()/atomic_cmpxchg().
 */
export function atomic_add(i: number, v: atomic_t): void {
  count_rmw(v as Atomic, "atomic_t");
  (v as Atomic).counter += i;
}
/** pmdp_huge_get_and_clear(mm, addr, pmdp): read and clear a PMD entry (the caller holds the PMD lock). */
export const pmdp_huge_get_and_clear = (t: task_struct, pmdp: pmd_ptr): Prim<pmd_t> => _pmdp_huge_get_and_clear(t as Task, pmdp);
/** virt_to_page(pte) for a PTE pointer: the PFN of the PTE table holding it (its struct page). */
export function virt_to_page(k: kernel_t, ptep: pte_ptr): number {
  return (k as Kernel).pt.table_of(ptep);
}
/** pte_offset_kernel(&pmdval, addr): the PTE pointer for `addr` in the table `pmdval` maps (no protection taken). */
export function pte_offset_kernel(k: kernel_t, pmdval: pmd_t, addr: number): pte_ptr {
  return (k as Kernel).pt.entry(k.arch.pxd_table_pfn(pmdval), _pte_index(addr));
}
/** TLB_FLUSH_VMA(mm, flags): the on-stack VMA flush_tlb_range() is given where no VMA is at hand. */
export function TLB_FLUSH_VMA(mm: mm_struct, flags: number): vm_area_struct {
  return { vm_mm: mm, vm_flags: flags, vm_start: 0, vm_end: 0 } as vm_area_struct;
}
/**
 * The mmu_gather the current put runs under (2021 v2 9/9 pte_put_tlb(tlb, ...)
 * from zap_pte_range() and madvise_free_pte_range()), or null for a put
 * elsewhere. Model: the walkers publish it around their pte_unmap_unlock(), since
 * the pte_unmap hook has no tlb argument.
 */
export const put_gather = (t: task_struct): mmu_gather | null => _put_gather(t as Task);

/**
 * flush_tlb_range(vma, start, end): the arch's flush for cleared entries (x86:
 * flush_tlb_mm_range(mm, start, end, PAGE_SHIFT, freed_tables = false)).
 */
export const flush_tlb_range = (t: task_struct, vma: vm_area_struct, start: number, end: number): KPath => _flush_tlb_range(t as Task, vma, start, end);

/* ---- VMAs (include/linux/mm.h) ---- */

/** find_vma(mm, addr): the first VMA with vm_end > addr. The caller holds mmap_lock. */
export const find_vma = (mm: mm_struct, addr: number): vm_area_struct | null => (mm as MmStruct).mm_mt.find_vma(addr);
/** vma_next(&vmi): the VMA after `vma`. The caller holds mmap_lock. */
export const vma_next = (mm: mm_struct, vma: vm_area_struct): vm_area_struct | null => (mm as MmStruct).mm_mt.next_of(vma as Vma);

/* ---- a page-table shrinker (the `shrink` hook, issue #12): mms, mmap_lock, a gather on another mm ---- */

/** vma_lookup(mm, addr): the VMA containing addr, or null. The caller holds mmap_lock. */
export const vma_lookup = (mm: mm_struct, addr: number): vm_area_struct | null => (mm as MmStruct).mm_mt.vma_lookup(addr);
/** mmap_read_trylock(mm): reclaim never blocks on an mmap_lock. */
export const mmap_read_trylock = (t: task_struct, mm: mm_struct): Prim<boolean> => _down_read_trylock(t as Task, (mm as MmStruct).mmap_lock);
/** mmap_read_unlock(mm) */
export const mmap_read_unlock = (t: task_struct, mm: mm_struct): Prim<void> => _up_read(t as Task, (mm as MmStruct).mmap_lock);
/**
 * tlb_gather_mmu(tlb, mm): an mmu_gather on `mm`, which need not be current's
 * (kswapd has none). Freed tables go through pte_free_tlb(); tlb_finish_mmu()
 * flushes (freed_tables: lazy-TLB CPUs too) and hands them to RCU.
 */
export const tlb_gather_mmu = (k: kernel_t, mm: mm_struct): mmu_gather => _tlb_gather_mmu(kernel_arg(k, "tlb_gather_mmu"), mm as MmStruct);
/** tlb_finish_mmu(tlb): the flush, then the gathered tables' RCU free. */
export const tlb_finish_mmu = (t: task_struct, tlb: mmu_gather): KPath => _tlb_finish_mmu(t as Task, tlb as MmuGather);
/**
 * Model-only: the machine's mms that have not exited, in creation order. Linux
 * has no such list for reclaim (khugepaged keeps its own mm_slot list, the
 * designs of issue #12 their own); a plugin that keeps one can use this in tests.
 */
export const mm_list = (k: kernel_t): readonly mm_struct[] => [...(k as Kernel).mms.values()].filter((mm) => !mm.exited);

/* ---- tasks and time (include/linux/task_work.h, jiffies.h) ---- */

/** task_work_add(task, work, TWA_RESUME): the plugin's task_work hook runs on the task's next return to user. */
export const task_work_add = (t: task_struct): void => _task_work_add(t as Task);
/** task_work_pending(task) */
export const task_work_pending = (t: task_struct): boolean => (t as Task).task_work_pending;
/** HZ of the model's clock. */
export const HZ = 250;

/* ---- zero-page PTE tables (issue #12 §3: @mmsim/reclaim-zero-pte) ---- */
import { ptep_get_and_clear as _ptep_get_and_clear } from "../pgtable/ops.js";
import { tlb_remove_tlb_entry as _tlb_remove_tlb_entry } from "../tlb/mmu_gather.js";

/**
 * ptep_get_and_clear(mm, addr, ptep): read and clear a PTE. The caller holds the
 * PTE lock, and owns the TLB flush (tlb_remove_tlb_entry) and whatever the old
 * entry's page needs (RSS, rmap, refcount: none for the zero page, which
 * vm_normal_page() calls special).
 */
export const ptep_get_and_clear = (t: task_struct, mm: mm_struct, addr: number, ptep: pte_ptr): Prim<pte_t> => _ptep_get_and_clear(t as Task, mm as MmStruct, addr, ptep);
/**
 * tlb_remove_tlb_entry(tlb, ptep, address): widen the gather's flush over one
 * cleared PTE (cleared_ptes: the flush becomes page-granular). pte_free_tlb()
 * alone widens it by one page at the table's address only.
 */
export const tlb_remove_tlb_entry = (tlb: mmu_gather, _ptep: pte_ptr, address: number): void => _tlb_remove_tlb_entry(tlb as MmuGather, address);
/** my_zero_pfn(addr): the shared zero page's PFN (one zero page: x86_64 and arm64 have no coloured zero pages). */
export const my_zero_pfn = (k: kernel_t, _addr: number): number => (k as Kernel).frames.zero_pfn;
/** is_zero_pfn(pfn) */
export const is_zero_pfn = (k: kernel_t, pfn: number): boolean => pfn === (k as Kernel).frames.zero_pfn;

/* ---- RCU-freed upper levels (issue #12 §4: seed 001's "another plan", @mmsim/reclaim-pmd) ---- */
import { pmd_offset_map as _pmd_offset_map, pmd_unmap as _pmd_unmap, pud_offset_map as _pud_offset_map, pud_unmap as _pud_unmap, pud_lock as _pud_lock, pud_lockptr as _pud_lockptr } from "../pgtable/upper_map.js";
import { pxd_clear as _pxd_clear, pxdp_get as _pxdp_get, pmdp_get as _pmdp_get } from "../pgtable/ops.js";
import { pxd_free_tlb as _pxd_free_tlb } from "../tlb/mmu_gather.js";
import { pxd_free as _pxd_free } from "../pgtable/pgalloc.js";
import { mm_dec_nr_pmds as _mm_dec_nr_pmds } from "../mm/mm.js";
import { PMD_LEVEL as _PMD_LEVEL } from "../pgtable/store.js";
import { pgtable_get as _pgtable_get, pgtable_put as _pgtable_put, pgtable_users as _pgtable_users } from "../pgtable/pt_users.js";
import { might_sleep as _might_sleep } from "../sync/might_sleep.js";

/** Whether this kernel frees PMD/PUD tables through RCU while the mm lives (KernelOptions.rcu_upper_levels; a plugin asks with `supports.rcu_upper_levels`). */
export const pgtable_rcu_upper = (k: kernel_t): boolean => (k as Kernel).rcu_upper;
/** How sleeping `.pmd_entry` walkers are protected under rcu_upper: "srcu" or "rcu-refcount" (KernelOptions.pmd_entry_sleep). */
export const pgtable_pmd_entry_sleep = (k: kernel_t): "srcu" | "rcu-refcount" => (k as Kernel).pmd_entry_sleep;

/**
 * pmd_offset_map(pud, addr): rcu_read_lock(), READ_ONCE(*pud); `{ pmd, pudval }`
 * (the PMD pointer for addr in the table pudval maps, valid until pmd_unmap()),
 * or null (none, leaf or bad; RCU dropped).
 */
export const pmd_offset_map = (t: task_struct, pudp: number, addr: number): KPath<{ pmd: pmd_ptr; pudval: number } | null> =>
  (function* () {
    const pmd = yield* _pmd_offset_map(t as Task, pudp, addr);
    return pmd < 0 ? null : { pmd, pudval: (t as Task).pudval };
  })();
/** pmd_unmap(pmd): rcu_read_unlock(). */
export const pmd_unmap = (t: task_struct): KPath => _pmd_unmap(t as Task);
/** pud_offset_map(p4d, addr): the PUD pointer under RCU, or null (RCU dropped). */
export const pud_offset_map = (t: task_struct, p4dp: number, addr: number): KPath<number | null> =>
  (function* () {
    const pud = yield* _pud_offset_map(t as Task, p4dp, addr);
    return pud < 0 ? null : pud;
  })();
/** pud_unmap(pud): rcu_read_unlock(). */
export const pud_unmap = (t: task_struct): KPath => _pud_unmap(t as Task);
/** pud_lockptr(mm, pud): mm->page_table_lock (no split PUD lock on x86_64/arm64). */
export const pud_lockptr = (mm: mm_struct): spinlock_t => _pud_lockptr(mm as MmStruct);
/** pud_lock(mm, pud): takes and returns pud_lockptr(). */
export const pud_lock = (t: task_struct, mm: mm_struct): KPath<spinlock_t> => _pud_lock(t as Task, mm as MmStruct);
/** pudp_get(pud): a read of a PUD entry (a preemption point). */
export const pudp_get = (t: task_struct, pudp: number): Prim<number> => _pxdp_get(t as Task, pudp);
/** pmdp_get(pmd): a read of a PMD entry (a preemption point). */
export const pmdp_get = (t: task_struct, pmdp: pmd_ptr): Prim<pmd_t> => _pmdp_get(t as Task, pmdp);
/** pud_clear(pud): the caller holds pud_lock. */
export const pud_clear = (t: task_struct, pudp: number): Prim<void> => _pxd_clear(t as Task, pudp);
/** pmd_free_tlb(tlb, pmd, address): tlb_flush_pud_range + freed_tables, then tlb_remove_table (flush, RCU). */
export const pmd_free_tlb = (t: task_struct, tlb: mmu_gather, pfn: number, address: number): KPath => _pxd_free_tlb(t as Task, tlb as MmuGather, pfn, address, _PMD_LEVEL);
/** pmd_free(mm, pmd): at once, no flush, no grace period: only for a table nothing can reach. */
export const pmd_free = (k: kernel_t, mm: mm_struct, pfn: number): void => _pxd_free(kernel_arg(k, "pmd_free"), mm as MmStruct, pfn);
/** mm_dec_nr_pmds(mm): VmPTE drops by one PMD table. */
export const mm_dec_nr_pmds = (mm: mm_struct): void => _mm_dec_nr_pmds(mm as MmStruct);
/** The PFN of the table holding entry pointer `p` (virt_to_page of a pmd_t * or pud_t *). */
export const pgtable_of_entry = (k: kernel_t, p: number): number => (k as Kernel).pt.table_of(p);
/** pgtable_users(table): walker references held across a sleep ("rcu-refcount"; check under the parent's lock). */
export const pgtable_users = (k: kernel_t, pfn: number): number => _pgtable_users(k as Kernel, pfn);
/** pgtable_get(table) / pgtable_put(table): a walker reference ("rcu-refcount"; take it under the parent's lock, entry rechecked). */
export const pgtable_get = (k: kernel_t, pfn: number): void => _pgtable_get(k as Kernel, pfn);
export const pgtable_put = (k: kernel_t, pfn: number): void => _pgtable_put(k as Kernel, pfn);
/** might_sleep(): a point where the path may sleep (the sanitizer forbids it inside RCU). */
export const might_sleep = (t: task_struct, what: string): Prim<void> => _might_sleep(t as Task, what);
/** pmd_offset_kernel(&pudval, addr): the PMD pointer for `addr` in the PMD table `pudval` maps (no protection taken). */
export function pmd_offset_kernel(k: kernel_t, pudval: number, addr: number): pmd_ptr {
  return (k as Kernel).pt.entry(k.arch.pxd_table_pfn(pudval), Math.floor(addr / k.arch.PMD_SIZE) % 512);
}
import { flush_tlb_mm_range as _flush_tlb_mm_range } from "../tlb/flush.js";
/** flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables): the arch's flush (freed_tables: lazy-TLB CPUs too on x86; non-leaf TLBI on arm64). */
export const flush_tlb_mm_range = (t: task_struct, mm: mm_struct, start: number, end: number, stride_shift: number, freed_tables: boolean): KPath =>
  _flush_tlb_mm_range(t as Task, mm as MmStruct, start, end, stride_shift, freed_tables);

/* ---- bulk twins of kernel-path hooks (spec's BulkTwin) ---- */

import { run_to_completion as _run_to_completion } from "../sched/runner.js";
import type { BulkTwin } from "@mmsim/spec";
/**
 * run_to_completion(path): run a kernel path to its end on a task that is not
 * stepping (throws if it yields). A hook's bulk twin is written
 * `(...args) => run_to_completion(hook(...args))`: core's build-time desync,
 * applied to the plugin's sources, turns that into a call of the hook's derived
 * twin (no generator objects).
 */
export const run_to_completion = <R>(path: Iterator<import("@mmsim/spec").Point, R, undefined>): R => _run_to_completion(path);
/**
 * bulk_twin(hook, twin): attach `twin` to the kernel-path hook `hook` as its bulk
 * twin (its `sync` property, spec's BulkTwin); returns `hook`. Core calls the
 * twin instead of the generator where nothing observes single steps.
 */
export function bulk_twin<F extends (...args: never[]) => KPath<unknown>>(hook: F, twin: BulkTwin<F>): F {
  Object.defineProperty(hook, "sync", { value: twin, enumerable: false, configurable: true, writable: false });
  return hook;
}

/* ---- the bulk twins of the primitives above (`X$sync`) ---- */

/*
 * Each kernel path of this API has its bulk twin `X$sync`: the same operation as
 * a plain call, for the twins core's desync derives from a plugin's kernel paths
 * (build/desync.mjs resolves `@mmsim/core/kernel` to this file; a twin's
 * `yield* spin_trylock(t, l)` becomes `spin_trylock$sync(t, l)`, where it was
 * `__drive(spin_trylock(t, l))`: an Op or a generator per call; issue #10).
 * Each is written `run_to_completion(_x(...))`, which this file's own desync
 * (core builds with it) turns into a call of core's twin `_x$sync(...)`, the
 * way core's kernel paths call theirs: one definition of each operation. A name
 * without a twin here is still driven (`__drive`), so every plugin keeps working.
 * pmd_offset_map() and pud_offset_map() have none (their result is built in a
 * generator of their own).
 *
 * The twins pt-reclaim calls once per PTE table it frees (spin_trylock,
 * pmdp_get_lockless, pmd_clear, spin_unlock; pmd_lockptr and mm_dec_nr_ptes
 * above) are core's own functions under the contract's types, not wrappers:
 * the same definition, one JS call fewer each (issue #10: the seed loop frees a
 * table per 2 MiB chunk, and runs these in the interpreter through its JIT
 * warm-up). core_X$sync is core's X$sync, imported under its own name (desync
 * adds `X$sync as _X$sync` beside each `X as _X` import itself).
 */
export const spin_lock$sync = (t: task_struct, l: spinlock_t): void => run_to_completion(_spin_lock(t as Task, l as SpinLock));
export const spin_lock_nested$sync = (t: task_struct, l: spinlock_t): void => run_to_completion(_spin_lock_nested(t as Task, l as SpinLock));
export const spin_trylock$sync = core_spin_trylock$sync as (t: task_struct, l: spinlock_t) => boolean;
export const spin_unlock$sync = core_spin_unlock$sync as (t: task_struct, l: spinlock_t) => void;
export const down_read$sync = (t: task_struct, s: rw_semaphore): void => run_to_completion(_down_read(t as Task, s as never));
export const down_read_trylock$sync = (t: task_struct, s: rw_semaphore): boolean => run_to_completion(_down_read_trylock(t as Task, s as never));
export const up_read$sync = (t: task_struct, s: rw_semaphore): void => run_to_completion(_up_read(t as Task, s as never));
export const rcu_read_lock$sync = (t: task_struct): void => run_to_completion(_rcu_read_lock(t as Task));
export const rcu_read_unlock$sync = (t: task_struct): void => run_to_completion(_rcu_read_unlock(t as Task, (t as Task).k.rcu));
export const local_irq_save$sync = (t: task_struct): void => run_to_completion(_local_irq_save(t as Task));
export const local_irq_restore$sync = (t: task_struct): void => run_to_completion(_local_irq_restore(t as Task, (t as Task).k.rcu));
export const atomic_read$sync = (t: task_struct, a: atomic_t): number => run_to_completion(_atomic_read(t as Task, a as Atomic));
export const atomic_set$sync = (t: task_struct, a: atomic_t, v: number): void => run_to_completion(_atomic_set(t as Task, a as Atomic, v));
export const atomic_add_return$sync = (t: task_struct, a: atomic_t, v: number): number => run_to_completion(_atomic_add_return(t as Task, a as Atomic, v));
export const atomic_cmpxchg$sync = (t: task_struct, a: atomic_t, old: number, nw: number): number => run_to_completion(_atomic_cmpxchg(t as Task, a as Atomic, old, nw));
export const percpu_ref_get$sync = (t: task_struct, r: percpu_ref): void => run_to_completion(_percpu_ref_get(t as Task, r as PercpuRef));
export const percpu_ref_tryget$sync = (t: task_struct, r: percpu_ref): boolean => run_to_completion(_percpu_ref_tryget(t as Task, r as PercpuRef));
export const percpu_ref_tryget_live$sync = (t: task_struct, r: percpu_ref): boolean => run_to_completion(_percpu_ref_tryget_live(t as Task, r as PercpuRef));
export const percpu_ref_put$sync = (t: task_struct, r: percpu_ref): void => run_to_completion(_percpu_ref_put(t as Task, r as PercpuRef));
export const percpu_ref_is_zero$sync = (t: task_struct, r: percpu_ref): boolean => run_to_completion(_percpu_ref_is_zero(t as Task, r as PercpuRef));
export const percpu_ref_switch_to_atomic$sync = (t: task_struct, r: percpu_ref, confirm_switch: (() => void) | null = null): void =>
  run_to_completion(_percpu_ref_switch_to_atomic(t as Task, r as PercpuRef, confirm_switch));
export const percpu_ref_switch_to_atomic_sync$sync = (t: task_struct, r: percpu_ref): void => run_to_completion(_percpu_ref_switch_to_atomic_sync(t as Task, r as PercpuRef));
export const percpu_ref_switch_to_percpu$sync = (t: task_struct, r: percpu_ref): void => run_to_completion(_percpu_ref_switch_to_percpu(t as Task, r as PercpuRef));
export const ptep_get$sync = (t: task_struct, ptep: pte_ptr): pte_t => run_to_completion(_ptep_get(t as Task, ptep));
export const ptep_get_lockless$sync = (t: task_struct, ptep: pte_ptr): pte_t => run_to_completion(_ptep_get_lockless(t as Task, ptep));
export const pmdp_get_lockless$sync = core_pmdp_get_lockless$sync as (t: task_struct, pmdp: pmd_ptr) => pmd_t;
export const pmd_clear$sync = core_pmd_clear$sync as (t: task_struct, pmdp: pmd_ptr) => void;
export const pmd_lock$sync = (t: task_struct, pmdp: pmd_ptr): spinlock_t => run_to_completion(_pmd_lock(t as Task, pmdp));
export const __pte_offset_map$sync = (t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): { pte: pte_ptr; pmdval: pmd_t } | null =>
  run_to_completion(pte_map.__pte_offset_map(t, pmdp, addr, kind));
export const pte_offset_map$sync = (t: task_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): pte_ptr | null =>
  run_to_completion(pte_map.pte_offset_map(t, pmdp, addr, kind));
export const pte_offset_map_lock$sync = (t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): { pte: pte_ptr; ptl: spinlock_t } | null =>
  run_to_completion(pte_map.pte_offset_map_lock(t, mm, pmdp, addr, kind));
export const pte_offset_map_rw_nolock$sync = (
  t: task_struct,
  mm: mm_struct,
  pmdp: pmd_ptr,
  addr: number,
  kind: PteMapKind = "tryget",
): { pte: pte_ptr; pmdval: pmd_t; ptl: spinlock_t } | null => run_to_completion(pte_map.pte_offset_map_rw_nolock(t, mm, pmdp, addr, kind));
export const pte_offset_map_ro_nolock$sync = (t: task_struct, mm: mm_struct, pmdp: pmd_ptr, addr: number, kind: PteMapKind = "tryget"): { pte: pte_ptr; ptl: spinlock_t } | null =>
  run_to_completion(pte_map.pte_offset_map_ro_nolock(t, mm, pmdp, addr, kind));
export const pte_unmap$sync = (t: task_struct, ptep: pte_ptr, kind: PteMapKind = "tryget"): void => run_to_completion(_pte_unmap(t as Task, ptep, kind));
export const pte_unmap_unlock$sync = (t: task_struct, ptep: pte_ptr, ptl: spinlock_t, kind: PteMapKind = "tryget"): void =>
  run_to_completion(_pte_unmap_unlock(t as Task, ptep, ptl as SpinLock, kind));
/** pte_free_tlb(): the hand-over at the call, as above; the batch's flush (when full) through its twin. */
export const pte_free_tlb$sync = (t: task_struct, tlb: mmu_gather, pfn: number, address: number): void => {
  if (_pte_free_tlb_queue(t as Task, tlb as MmuGather, pfn, address)) run_to_completion(_tlb_table_flush(t as Task, tlb as MmuGather));
};
export const tlb_remove_table$sync = (t: task_struct, tlb: mmu_gather, pfn: number): void => run_to_completion(_tlb_remove_table(t as Task, tlb as MmuGather, pfn));
export const pmdp_huge_get_and_clear$sync = (t: task_struct, pmdp: pmd_ptr): pmd_t => run_to_completion(_pmdp_huge_get_and_clear(t as Task, pmdp));
export const flush_tlb_range$sync = (t: task_struct, vma: vm_area_struct, start: number, end: number): void => run_to_completion(_flush_tlb_range(t as Task, vma, start, end));
export const mmap_read_trylock$sync = (t: task_struct, mm: mm_struct): boolean => run_to_completion(_down_read_trylock(t as Task, (mm as MmStruct).mmap_lock));
export const mmap_read_unlock$sync = (t: task_struct, mm: mm_struct): void => run_to_completion(_up_read(t as Task, (mm as MmStruct).mmap_lock));
export const tlb_finish_mmu$sync = (t: task_struct, tlb: mmu_gather): void => run_to_completion(_tlb_finish_mmu(t as Task, tlb as MmuGather));
export const ptep_get_and_clear$sync = (t: task_struct, mm: mm_struct, addr: number, ptep: pte_ptr): pte_t => run_to_completion(_ptep_get_and_clear(t as Task, mm as MmStruct, addr, ptep));
export const pmd_unmap$sync = (t: task_struct): void => run_to_completion(_pmd_unmap(t as Task));
export const pud_unmap$sync = (t: task_struct): void => run_to_completion(_pud_unmap(t as Task));
export const pud_lock$sync = (t: task_struct, mm: mm_struct): spinlock_t => run_to_completion(_pud_lock(t as Task, mm as MmStruct));
export const pudp_get$sync = (t: task_struct, pudp: number): number => run_to_completion(_pxdp_get(t as Task, pudp));
export const pmdp_get$sync = (t: task_struct, pmdp: pmd_ptr): pmd_t => run_to_completion(_pmdp_get(t as Task, pmdp));
export const pud_clear$sync = (t: task_struct, pudp: number): void => run_to_completion(_pxd_clear(t as Task, pudp));
export const pmd_free_tlb$sync = (t: task_struct, tlb: mmu_gather, pfn: number, address: number): void =>
  run_to_completion(_pxd_free_tlb(t as Task, tlb as MmuGather, pfn, address, _PMD_LEVEL));
export const might_sleep$sync = (t: task_struct, what: string): void => run_to_completion(_might_sleep(t as Task, what));
export const flush_tlb_mm_range$sync = (t: task_struct, mm: mm_struct, start: number, end: number, stride_shift: number, freed_tables: boolean): void =>
  run_to_completion(_flush_tlb_mm_range(t as Task, mm as MmStruct, start, end, stride_shift, freed_tables));

/**
 * @mmsim/core — a model of Linux's user page-table management.
 *
 * The root is the engine-building API: an `Engine` (a machine: arch, reclaim
 * plugin, CPUs) and its `Process`es, whose syscalls return what the raw syscall
 * returns, with the constants and errno values Linux uses. The other entry points:
 *   - `@mmsim/core/kernel`: the kernel API a reclaim plugin is written against;
 *   - `@mmsim/core/check`: invariants, sanitizers, race scenarios and the explorer;
 *   - `@mmsim/core/workload`: workload scripts (parse, resolve, run).
 * See README.md for the architecture and the plugin contract.
 */
export { Engine, Process, createEngine, type EngineOptions } from "./engine.js";
export type { Kernel, KernelOptions } from "./kernel.js";
export type { KernelCounters } from "./types/kernel.js";
export type { MmCounters } from "./types/mm_types.js";
export type { MmStruct } from "./mm/mm_struct.js";
export type { AccessResult } from "./mm/fault.js";

export { PROT_READ, PROT_WRITE, PROT_EXEC, MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_NORESERVE } from "./mm/mmap.js";
// fork, mremap, brk, populate (Process.fork/mremap/brk/set_brk, MAP_POPULATE, MADV_POPULATE_*) and the table walker.
export { MAP_POPULATE } from "./mm/mmap.js";
export { MAP_LOCKED, MAP_NONBLOCK, MADV_POPULATE_READ, MADV_POPULATE_WRITE } from "./mm/populate.js";
export { MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP } from "./mm/mremap.js";
export { walk_page_range, type MmWalkOps } from "./mm/pagewalk.js";
export {
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_REMOVE,
  MADV_DONTFORK,
  MADV_DOFORK,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MADV_DONTDUMP,
  MADV_DODUMP,
  MADV_WIPEONFORK,
  MADV_KEEPONFORK,
  MADV_COLD,
  MADV_PAGEOUT,
  MADV_DONTNEED_LOCKED,
  MADV_COLLAPSE,
  madvise_behavior_valid,
  madvise_lock_mode,
  type MadviseLockMode,
} from "./mm/madvise.js";
export { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from "./mm/madvise_guard.js";
export { EPERM, EINTR, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, EINVAL, EOVERFLOW, strerror, errno_name } from "./mm/errno.js";
export { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, mm_pgtables_bytes } from "./mm/mm.js";
export { OutOfMemory } from "./mm/page_alloc.js";
export { sys_swapon, si_swapinfo, swap_count, SWAP_MIN_BYTES } from "./mm/swapfile.js";
export type { SwapInfo } from "./types/swap.js";

export { task_mem, render_status, type ProcStatus } from "./proc/status.js";
export { mm_counters, render_counters, type MmCounterReport } from "./proc/counters.js";
export { rmw_counters, rmw_lines_start, rmw_lines_stop, type RmwCounters } from "./sync/rmw.js";
export { set_range_batch_mutant, RANGE_BATCH_MUTANTS, type RangeBatchMutant } from "./mm/range_batch.js";

// The contract, for users who pick an arch and a plugin (implement one with @mmsim/core/kernel).
export {
  validate_plugin,
  SPECIFICATION_VERSION,
  MmsimError,
  isMmsimError,
  VM_READ,
  VM_WRITE,
  VM_EXEC,
  VM_SHARED,
  VM_ACCOUNT,
  VM_NORESERVE,
  VM_LOCKED,
  VM_SEQ_READ,
  VM_RAND_READ,
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_HUGEPAGE,
  VM_NOHUGEPAGE,
  VM_WIPEONFORK,
  VM_MERGEABLE,
  type MmsimErrorKind,
  type KernelEra,
  type Arch,
  type ReclaimPlugin,
  type ReclaimSupports,
} from "@mmsim/spec";

/**
 * @mmsim/core — a model of Linux's user page-table management.
 * See README.md for the architecture and the plugin hook table.
 */
export { Engine, Process, createEngine, type EngineOptions } from "./engine.js";
export { Kernel, type KernelCounters, type KernelOptions } from "./kernel.js";

export * from "./pgtable/arch.js";
export { PtStore, PageTableUseAfterFree, PTE_LEVEL, PMD_LEVEL, PUD_LEVEL, P4D_LEVEL, PGD_LEVEL, PAGE_POISON_ENTRY } from "./pgtable/store.js";
export { pgd_offset, p4d_offset, pud_offset, pmd_offset, pte_index, pmd_index, addr_end } from "./pgtable/offset.js";
export { walk_pud, walk_pmd, walk_pte } from "./pgtable/walk.js";
export * from "./pgtable/ops.js";
export * from "./pgtable/pgalloc.js";
export * from "./pgtable/pte_map.js";
export { free_pgtables, free_pgd_range } from "./pgtable/free_pgtables.js";

export { PageFrames, OutOfMemory, PG_FREE, PG_ANON, PG_PGTABLE, PG_ZERO, PG_SHMEM, PG_TAIL, PF_DIRTY, PF_LAZYFREE, PF_HEAD } from "./mm/page_alloc.js";
export { MmStruct, mm_pgtables_bytes, MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, type MmCounters } from "./mm/mm_struct.js";
export { Vma, VmaTree, ShmemFile } from "./mm/vma.js";
export * from "./mm/errno.js";
export { sys_mmap, sys_munmap, exit_mmap, PROT_READ, PROT_WRITE, PROT_EXEC, MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_NORESERVE } from "./mm/mmap.js";
export { sys_mprotect } from "./mm/mprotect.js";
export * from "./mm/madvise.js";
export { handle_mm_fault } from "./mm/memory.js";
export { do_user_addr_fault, hw_access, type AccessResult } from "./mm/fault.js";
export { zap_pte_range, unmap_vmas, zap_vma_range_batched } from "./mm/zap.js";

export * from "./sync/spinlock.js";
export * from "./sync/rwsem.js";
export * from "./sync/rcu.js";
export * from "./sync/atomic.js";
export { Op, BLOCKED, DeadlockError } from "./sync/op.js";
export { PT, type Point, type PointKind, type KPath } from "./sched/point.js";
export { Task } from "./sched/task.js";
export { run_to_completion } from "./sched/runner.js";

export * from "./tlb/mmu_gather.js";
export { TlbModel, type TlbCounters, type CpuTlbState } from "./tlb/tlb.js";

export { task_mem, render_status, type ProcStatus } from "./proc/status.js";
export * from "./plugin/plugin.js";
export * from "./check/invariants.js";
export * from "./workload/index.js";
export { runScript, PROT_BITS, ADVICE, MAP_FAILED, type Backend, type RunOptions, type RunResult } from "./workload/runner.js";
export { Sanitizer, SanitizerViolation } from "./check/sanitizer.js";
export { Oracle, OracleViolation } from "./check/oracle.js";
export { SCENARIO_BASE, validateScenario, ScenarioError, size as scenarioSize, type Scenario, type ScenarioOp, type ActorSpec } from "./check/scenario.js";
export { execute, actorNames, classify, type ExecutionResult, type StepRecord, type ExecOptions, type Violation as RuleViolation } from "./check/execution.js";
export { explore, shrink, type ExploreOptions, type ExploreResult, type Failure, type StrategyName } from "./check/explore.js";
export { formatTrace } from "./check/trace.js";
export { collapse_huge_page } from "./mm/khugepaged.js";
export { vma_start_write, mmap_write_unlock, mmap_write_downgrade } from "./mm/mmap_lock.js";
export { flush_tlb_mm_range } from "./tlb/flush.js";
export { hw_walk } from "./tlb/hw_walker.js";
export { encodeSchedule, decodeSchedule, countPreemptions, ScheduleSyntaxError, SCHEDULE_VERSION } from "./sched/schedule.js";
export { Prng, RandomStrategy, PctStrategy, ReplayStrategy, SwitchStrategy, defaultChoice, type Strategy } from "./sched/strategy.js";
export { run_stepped } from "./sched/runner.js";
export * from "./sync/percpu_ref.js";
export { mm_counters, render_counters, type MmCounterReport } from "./proc/counters.js";
export { applyOp, type FuzzOp } from "./check/fuzz_ops.js";

/**
 * The TLB model's state (arch/x86/include/asm/tlbflush.h's cpu_tlbstate, and the
 * MMU's caches): which CPUs have an mm loaded and what each flush reached.
 * Declarations only: tlb/tlb.ts implements them.
 */
import type { TlbFlushTarget } from "@mmsim/spec";

export interface TlbCounters {
  /** flush_tlb_mm_range() calls that flushed page by page. */
  ranged: number;
  /** ... that flushed the whole mm (over the ceiling, or TLB_FLUSH_ALL). */
  full: number;
  /** IPIs sent to other CPUs. */
  ipis: number;
}

export interface CpuTlbState {
  /** The mm whose page tables CR3 points at (loaded_mm), by id; 0 for none. */
  loaded_mm: number;
  /** Lazy-TLB mode: running a kernel thread on a borrowed mm. */
  lazy: boolean;
  /** vpn → pfn translations cached (only with track_entries). */
  readonly entries: Map<number, number>;
  /** Paging-structure cache: 2 MiB region number → PTE table PFN it caches a pointer to. */
  readonly pwc: Map<number, number>;
  /** The frame generation of each cached table when it was cached. */
  readonly pwc_gen: Map<number, number>;
}

/** The per-CPU TLB model; the arch's flush_tlb_mm_range() drives it (TlbFlushTarget). */
export interface TlbModel extends TlbFlushTarget {
  readonly counters: TlbCounters;
  readonly cpus: CpuTlbState[];
  /** Keep per-CPU translations (TLB entries, paging-structure caches); off in bulk runs. */
  track_entries: boolean;
  /** The CPU running flush_tlb_mm_range(): it flushes itself at once, the others by IPI. */
  local_cpu: number;
  /** CPU `cpu` switches to mm `id` (switch_mm): it joins mm_cpumask. */
  switch_mm(cpu: number, mm: { id: number; cpumask: Set<number> }, lazy?: boolean): void;
  /** CPUs with IPIs sent and not yet taken. */
  pending_cpus(): number[];
  /** The IPI handler on `cpu` (flush_tlb_func): carry out its queued flushes. */
  deliver(cpu: number): void;
}

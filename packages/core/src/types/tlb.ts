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

/** CpuTlbState.entries: the Map operations the model uses, in absolute VPNs (tlb/entries.ts). */
export interface TlbEntriesMap extends Iterable<[number, number]> {
  readonly size: number;
  get(vpn: number): number | undefined;
  has(vpn: number): boolean;
  set(vpn: number, pfn: number): unknown;
  delete(vpn: number): boolean;
  clear(): void;
  /** The VPN of the oldest translation to `pfn`, or -1. */
  vpn_of(pfn: number): number;
  /** delete(vpn) for vpn = from, from + step, ... below `to`. */
  delete_range(from: number, to: number, step: number): void;
}

export interface CpuTlbState {
  /** The mm whose page tables CR3 points at (loaded_mm), by id; 0 for none. */
  loaded_mm: number;
  /** Lazy-TLB mode: running a kernel thread on a borrowed mm. */
  lazy: boolean;
  /** vpn → pfn translations cached (only with track_entries); a 2 MiB one is kept as its 512 vpns. */
  readonly entries: TlbEntriesMap;
  /** 2 MiB regions whose translations in `entries` came from one huge (PMD-leaf) TLB entry. */
  readonly huge_regions: Set<number>;
  /** Paging-structure cache: 2 MiB region number → PTE table PFN it caches a pointer to. */
  readonly pwc: Map<number, number>;
  /** The frame generation of each cached table when it was cached. */
  readonly pwc_gen: Map<number, number>;
  /**
   * Paging-structure cache one level up (x86's PDPTE cache, arm64's walk cache
   * for level-1 entries): 1 GiB region number → PMD table PFN. Filled only when
   * the kernel frees PMD tables during the mm's life (Kernel.rcu_upper).
   */
  readonly pwc_pud: Map<number, number>;
  readonly pwc_pud_gen: Map<number, number>;
  /** cpu_tlbstate.ctxs[].tlb_gen: the loaded mm's tlb_gen this CPU's TLB is up to date with. */
  tlb_gen: number;
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
  /** inc_mm_tlb_gen(): a flush of mm `id` begins (flush_tlb_mm_range). */
  inc_mm_tlb_gen(id: number): void;
  /** CPU `cpu` leaves lazy-TLB mode back to its loaded mm: a full flush if that mm's tlb_gen moved meanwhile. */
  leave_lazy(cpu: number): void;
  /** CPUs with IPIs sent and not yet taken. */
  pending_cpus(): readonly number[];
  /** The IPI handler on `cpu` (flush_tlb_func): carry out its queued flushes. */
  deliver(cpu: number): void;
}

/**
 * The TLB model: which CPUs have an mm loaded (mm_cpumask, lazy-TLB state) and
 * what each flush reached. The arch's flush_tlb_mm_range() decides ranged vs full
 * and which CPUs get an IPI; this model carries it out and counts it.
 *
 * Per-CPU translation caching (TLB entries and paging-structure caches filled by a
 * hardware walker) is kept only when `track_entries` is on: bulk runs leave it off
 * and pay nothing for it.
 */
import type * as types from "../types/tlb.js";
import type { CpuTlbState, TlbCounters } from "../types/tlb.js";

type PendingFlush = { mm: unknown; start: number; end: number; stride_shift: number; last_level: boolean } | { mm: unknown; all: true };

export class TlbModel implements types.TlbModel {
  readonly counters: TlbCounters = { ranged: 0, full: 0, ipis: 0 };
  readonly cpus: CpuTlbState[];
  track_entries = false;
  /** The CPU running flush_tlb_mm_range(): it flushes itself at once, the others by IPI. */
  local_cpu = 0;
  /** IPIs sent and not yet taken, per CPU. */
  private readonly pending = new Map<number, PendingFlush[]>();

  constructor(nr_cpus: number) {
    this.cpus = Array.from({ length: nr_cpus }, () => ({ loaded_mm: 0, lazy: false, entries: new Map(), pwc: new Map(), pwc_gen: new Map() }));
  }

  /** CPU `cpu` switches to mm `id` (switch_mm): it joins mm_cpumask. */
  switch_mm(cpu: number, mm: { id: number; cpumask: Set<number> }, lazy = false): void {
    const c = this.cpus[cpu];
    if (c.loaded_mm !== mm.id) {
      c.entries.clear();
      c.pwc.clear();
      c.pwc_gen.clear();
    }
    c.loaded_mm = mm.id;
    c.lazy = lazy;
    mm.cpumask.add(cpu);
  }

  /** Local CPU first: the arch treats entry 0 as the CPU doing the flush. */
  mm_cpus(mm: unknown): readonly { cpu: number; lazy: boolean }[] {
    const m = mm as { cpumask: Set<number> };
    const local = this.local_cpu;
    const out: { cpu: number; lazy: boolean }[] = [{ cpu: local, lazy: false }];
    for (const c of m.cpumask) if (c !== local) out.push({ cpu: c, lazy: this.cpus[c].lazy });
    return out;
  }

  private queue(cpu: number, f: PendingFlush): boolean {
    if (cpu === this.local_cpu) return false;
    let q = this.pending.get(cpu);
    if (!q) this.pending.set(cpu, (q = []));
    q.push(f);
    return true;
  }

  pending_cpus(): number[] {
    return [...this.pending.keys()];
  }

  /** The IPI handler on `cpu` (flush_tlb_func): carry out its queued flushes. */
  deliver(cpu: number): void {
    const q = this.pending.get(cpu);
    if (!q) return;
    this.pending.delete(cpu);
    for (const f of q) {
      if ("all" in f) this.local_flush_all(cpu);
      else this.local_flush_range(cpu, f.start, f.end, f.stride_shift, f.last_level);
    }
  }

  /** `last_level`: leaf entries only, the paging-structure (walk) cache stays (arm64 TLBI VALE1IS). */
  flush_range(cpu: number, mm: unknown, start: number, end: number, stride_shift: number, last_level = false): void {
    if (!this.queue(cpu, { mm, start, end, stride_shift, last_level })) this.local_flush_range(cpu, start, end, stride_shift, last_level);
  }

  flush_all(cpu: number, mm: unknown): void {
    if (!this.queue(cpu, { mm, all: true })) this.local_flush_all(cpu);
  }

  /** INVLPG over [start, end) on `cpu`, paging-structure caches included unless `last_level`. */
  private local_flush_range(cpu: number, start: number, end: number, stride_shift: number, last_level: boolean): void {
    if (!this.track_entries) return;
    const c = this.cpus[cpu];
    const step = 2 ** (stride_shift - 12);
    for (let vpn = start / 4096; vpn < end / 4096; vpn += step) c.entries.delete(vpn);
    if (last_level) return;
    // INVLPG also invalidates paging-structure-cache entries for the address.
    for (let a = Math.floor(start / 2097152); a < Math.ceil(end / 2097152); a++) {
      c.pwc.delete(a);
      c.pwc_gen.delete(a);
    }
  }

  /** A full flush of `cpu`'s translations. */
  private local_flush_all(cpu: number): void {
    if (!this.track_entries) return;
    this.cpus[cpu].entries.clear();
    this.cpus[cpu].pwc.clear();
    this.cpus[cpu].pwc_gen.clear();
  }

  count(kind: "ranged" | "full", ipis: number): void {
    this.counters[kind]++;
    this.counters.ipis += ipis;
  }
}

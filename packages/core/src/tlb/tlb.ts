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
import { TlbEntries } from "./entries.js";

type PendingFlush = ({ mm: unknown; start: number; end: number; stride_shift: number; last_level: boolean } | { mm: unknown; all: true }) & { new_tlb_gen: number };

/** pending_cpus() with no IPI pending (frozen: shared by every call). */
const NO_CPUS: readonly number[] = Object.freeze([]);
/** mm_cpus()' answer when the local CPU is the only one, by CPU (a host cache, not simulated state: no kernel reaches it). */
const LOCAL_ONLY: (readonly { cpu: number; lazy: boolean }[])[] = [];

export class TlbModel implements types.TlbModel {
  readonly counters: TlbCounters = { ranged: 0, full: 0, ipis: 0 };
  readonly cpus: CpuTlbState[];
  track_entries = false;
  /** The CPU running flush_tlb_mm_range(): it flushes itself at once, the others by IPI. */
  local_cpu = 0;
  /** IPIs sent and not yet taken, per CPU. */
  private readonly pending = new Map<number, PendingFlush[]>();

  constructor(nr_cpus: number) {
    this.cpus = Array.from({ length: nr_cpus }, () => ({ loaded_mm: 0, lazy: false, entries: new TlbEntries(), huge_regions: new Set(), pwc: new Map(), pwc_gen: new Map(), pwc_pud: new Map(), pwc_pud_gen: new Map(), tlb_gen: 0 }));
  }

  /** mm->context.tlb_gen, by mm id. */
  private readonly mm_tlb_gen = new Map<number, number>();

  inc_mm_tlb_gen(id: number): void {
    this.mm_tlb_gen.set(id, (this.mm_tlb_gen.get(id) ?? 0) + 1);
  }

  /**
   * switch_mm_irqs_off() from lazy mode back to the same mm: x86 leaves lazy-TLB
   * CPUs out of flushes that free no tables, so a CPU whose TLB generation fell
   * behind the mm's while it was lazy flushes everything now ("was_lazy": the
   * tlb_gen check). Without that, a translation cleared meanwhile would outlive
   * its flush on this CPU.
   */
  leave_lazy(cpu: number): void {
    const c = this.cpus[cpu];
    c.lazy = false;
    const gen = this.mm_tlb_gen.get(c.loaded_mm) ?? 0;
    if (c.tlb_gen < gen) this.local_flush_all(cpu);
    c.tlb_gen = gen;
  }

  private gen_of(mm: unknown): number {
    const id = (mm as { id?: number } | null)?.id;
    return id === undefined ? 0 : (this.mm_tlb_gen.get(id) ?? 0);
  }

  /**
   * flush_tlb_func()'s generation check, after the requested flush: a CPU whose
   * TLB is more than this one flush behind the mm (it missed a flush while lazy,
   * or a later flush has begun) flushes everything, as x86 does when
   * f->new_tlb_gen != local_tlb_gen + 1 or != mm_tlb_gen; then it is up to date.
   */
  private caught_up(cpu: number, mm: unknown, new_tlb_gen: number): void {
    if (!this.track_entries) return; // bulk runs cache no translations: nothing to catch up on
    const id = (mm as { id?: number } | null)?.id;
    const c = this.cpus[cpu];
    if (id === undefined || c.loaded_mm !== id) return;
    const mm_gen = this.mm_tlb_gen.get(id) ?? 0;
    if (c.tlb_gen >= mm_gen) return;
    if (new_tlb_gen !== c.tlb_gen + 1 || new_tlb_gen !== mm_gen) this.local_flush_all(cpu);
    c.tlb_gen = mm_gen;
  }

  /** CPU `cpu` switches to mm `id` (switch_mm): it joins mm_cpumask. */
  switch_mm(cpu: number, mm: { id: number; cpumask: Set<number> }, lazy = false): void {
    const c = this.cpus[cpu];
    if (c.loaded_mm !== mm.id) {
      c.entries.clear();
      c.huge_regions.clear();
      c.pwc.clear();
      c.pwc_gen.clear();
      c.pwc_pud.clear();
      c.pwc_pud_gen.clear();
      c.tlb_gen = this.mm_tlb_gen.get(mm.id) ?? 0;
    } else if (c.lazy && !lazy) {
      c.loaded_mm = mm.id;
      this.leave_lazy(cpu);
    }
    c.loaded_mm = mm.id;
    c.lazy = lazy;
    mm.cpumask.add(cpu);
  }

  /** Local CPU first: the arch treats entry 0 as the CPU doing the flush. */
  mm_cpus(mm: unknown): readonly { cpu: number; lazy: boolean }[] {
    const m = mm as { cpumask: Set<number> };
    const local = this.local_cpu;
    // Only the local CPU in the mask (a single-threaded process: the seed loop's every flush): one
    // frozen list per CPU, made once (issue #10: no array and object per flush).
    if (m.cpumask.size === 0 || (m.cpumask.size === 1 && m.cpumask.has(local))) return (LOCAL_ONLY[local] ??= Object.freeze([Object.freeze({ cpu: local, lazy: false })]));
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

  pending_cpus(): readonly number[] {
    return this.pending.size === 0 ? NO_CPUS : [...this.pending.keys()];
  }

  /** The IPI handler on `cpu` (flush_tlb_func): carry out its queued flushes. */
  deliver(cpu: number): void {
    const q = this.pending.get(cpu);
    if (!q) return;
    this.pending.delete(cpu);
    for (const f of q) {
      if ("all" in f) this.local_flush_all(cpu);
      else this.local_flush_range(cpu, f.start, f.end, f.stride_shift, f.last_level);
      this.caught_up(cpu, f.mm, f.new_tlb_gen);
    }
  }

  /** `last_level`: leaf entries only, the paging-structure (walk) cache stays (arm64 TLBI VALE1IS). */
  flush_range(cpu: number, mm: unknown, start: number, end: number, stride_shift: number, last_level = false): void {
    const new_tlb_gen = this.gen_of(mm);
    // (The local CPU flushes at once: no queued flush made for it.)
    if (cpu === this.local_cpu || !this.queue(cpu, { mm, start, end, stride_shift, last_level, new_tlb_gen })) {
      this.local_flush_range(cpu, start, end, stride_shift, last_level);
      this.caught_up(cpu, mm, new_tlb_gen);
    }
  }

  flush_all(cpu: number, mm: unknown): void {
    const new_tlb_gen = this.gen_of(mm);
    if (cpu === this.local_cpu || !this.queue(cpu, { mm, all: true, new_tlb_gen })) {
      this.local_flush_all(cpu);
      this.caught_up(cpu, mm, new_tlb_gen);
    }
  }

  /** INVLPG over [start, end) on `cpu`, paging-structure caches included unless `last_level`. */
  private local_flush_range(cpu: number, start: number, end: number, stride_shift: number, last_level: boolean): void {
    if (!this.track_entries) return;
    const c = this.cpus[cpu];
    const step = 2 ** (stride_shift - 12);
    // The range's translations first, then the 2 MiB entries it touches: the same translations left, in the same order, as one vpn at a time.
    c.entries.delete_range(start / 4096, end / 4096, step);
    for (let vpn = start / 4096; vpn < end / 4096; vpn += step) {
      // INVLPG of any address a 2 MiB TLB entry covers evicts the whole entry.
      const region = Math.floor(vpn / 512);
      if (c.huge_regions.delete(region)) for (let v = region * 512; v < region * 512 + 512; v++) c.entries.delete(v);
    }
    if (last_level) return;
    // INVLPG also invalidates paging-structure-cache entries for the address.
    for (let a = Math.floor(start / 2097152); a < Math.ceil(end / 2097152); a++) {
      c.pwc.delete(a);
      c.pwc_gen.delete(a);
    }
    // One level up (PUD→PMD-table entries: x86's PDPTE cache, arm64's walk cache),
    // kept only with Kernel.rcu_upper. Model: like the PDE cache above, only the
    // 1 GiB regions the range touches are dropped (the SDM lets INVLPG drop more).
    if (c.pwc_pud.size > 0)
      for (let a = Math.floor(start / 1073741824); a < Math.ceil(end / 1073741824); a++) {
        c.pwc_pud.delete(a);
        c.pwc_pud_gen.delete(a);
      }
  }

  /** A full flush of `cpu`'s translations. */
  private local_flush_all(cpu: number): void {
    if (!this.track_entries) return;
    this.cpus[cpu].entries.clear();
    this.cpus[cpu].huge_regions.clear();
    this.cpus[cpu].pwc.clear();
    this.cpus[cpu].pwc_gen.clear();
    this.cpus[cpu].pwc_pud.clear();
    this.cpus[cpu].pwc_pud_gen.clear();
  }

  count(kind: "ranged" | "full", ipis: number): void {
    this.counters[kind]++;
    this.counters.ipis += ipis;
  }
}

/**
 * flush_tlb_mm_range() as a kernel path. The arch decides ranged vs full and which
 * CPUs to reach (x86: every CPU in mm_cpumask, lazy-TLB ones too when page tables
 * were freed); the local CPU flushes at once, the others by IPI. The initiator
 * waits for every IPI (smp_call_function_many with wait), and a CPU with IRQs off
 * takes its IPI only when it re-enables them: the flusher spins meanwhile. On a
 * paravirt arch (`paravirt_flush`) the remote flushes are hypercalls and the
 * flusher waits for no one; likewise on an arch whose TLBI is broadcast by the
 * hardware (`tlbi_broadcast`, arm64: TLBI ...IS then DSB ISH, no IPI).
 */
import { PT, type KPath } from "../sched/point.js";
import type { Task } from "../sched/task.js";
import type { MmStruct, Vma } from "../types/mm_types.js";
import type { vm_area_struct } from "@mmsim/spec";
import { BLOCKED, sync_op } from "../sync/op.js";

/**
 * Deliver the pending IPIs of CPUs whose current task has IRQs on; BLOCKED while any is left.
 * With a paravirt flush (Arch.paravirt_flush) the hypervisor flushes every target
 * at once (a preempted vCPU before it runs again: KVM_VCPU_FLUSH_TLB) and nothing
 * waits for an IRQ-off CPU.
 */
function deliver_ipis(t: Task): void | typeof BLOCKED {
  const k = t.k;
  const tlb = k.tlb;
  // arm64's broadcast TLBI completes at the DSB whatever the other CPUs' IRQ state.
  const pv = k.arch.paravirt_flush === true || k.arch.tlbi_broadcast === true;
  let left = false;
  // An indexed loop, not for...of: pending_cpus() is mostly the frozen empty list, whose
  // iterator V8 does not optimise away (an iterator and a result object per flush; issue #10).
  const cpus = tlb.pending_cpus();
  for (let i = 0; i < cpus.length; i++) {
    const cpu = cpus[i];
    const curr = k.cpu_curr[cpu];
    if (!pv && curr && curr.irq_disabled > 0 && curr !== t) left = true;
    else tlb.deliver(cpu);
  }
  if (left) return BLOCKED;
}

export const wait_ipis = (t: Task) => t.op.set(PT.SCHED, "flush_tlb_multi", deliver_ipis, null, null);
export const wait_ipis$sync = sync_op("flush_tlb_multi", deliver_ipis);

/** flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables) */
export function* flush_tlb_mm_range(t: Task, mm: MmStruct, start: number, end: number, stride_shift: number, freed_tables: boolean): KPath {
  const k = t.k;
  k.tlb.local_cpu = t.cpu;
  k.tlb.inc_mm_tlb_gen(mm.id);
  k.arch.flush_tlb_mm_range(k.tlb, mm, start, end, stride_shift, freed_tables);
  yield* wait_ipis(t);
}

/**
 * flush_tlb_range(vma, start, end): the arch's flush for cleared entries, in
 * terms of flush_tlb_mm_range() (x86: PAGE_SHIFT, freed_tables = false, so
 * lazy-TLB CPUs are not reached).
 */
export function* flush_tlb_range(t: Task, vma: vm_area_struct, start: number, end: number): KPath {
  const v = vma as Vma;
  const f = t.k.arch.flush_tlb_range(v.vm_flags);
  yield* flush_tlb_mm_range(t, v.vm_mm!, start, end, f.stride_shift, f.freed_tables);
}

/**
 * flush_tlb_mm_range(): the local CPU flushes at once, others by IPI; a CPU with
 * IRQs off takes its IPI only when it re-enables them, and the flusher waits.
 * With freed_tables the IPI also reaches lazy-TLB CPUs (x86 native_flush_tlb_multi).
 */
import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel.js";
import { x86_64 } from "@mmsim/arch-x86_64";
import { arch } from "../test/arch.js";
import { run_stepped } from "../sched/runner.js";
import { flush_tlb_mm_range } from "./flush.js";

function machine(a = arch) {
  const k = new Kernel({ arch: a, nr_cpus: 3 });
  k.tlb.track_entries = true;
  const mm = k.mm_alloc();
  const flusher = k.new_task(mm, 0, "flusher");
  const other = k.new_task(mm, 1, "gup_fast");
  k.tlb.switch_mm(2, mm, true); // CPU 2 keeps the mm in lazy-TLB mode
  for (const c of [1, 2]) {
    k.tlb.cpus[c].pwc.set(7, 123);
    k.tlb.cpus[c].pwc_gen.set(7, 0);
  }
  return { k, mm, flusher, other };
}

describe("flush_tlb_mm_range", () => {
  it("waits for a CPU with IRQs off, and flushes it once it re-enables them", () => {
    const { k, mm, flusher, other } = machine();
    other.irq_disabled = 1; // inside gup_fast()'s local_irq_save()
    const path = flush_tlb_mm_range(flusher, mm, 7 * 2097152, 7 * 2097152 + 4096, 12, false);
    expect(() => run_stepped(flusher, path)).toThrow(/blocked at flush_tlb_multi/);
    expect(k.tlb.cpus[1].pwc.has(7)).toBe(true); // the IPI is still pending
    other.irq_disabled = 0;
    run_stepped(flusher, path);
    expect(k.tlb.cpus[1].pwc.has(7)).toBe(false);
  });

  it("skips lazy-TLB CPUs unless page tables were freed", () => {
    const { k, mm, flusher } = machine();
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, 7 * 2097152, 7 * 2097152 + 4096, 12, false));
    expect(k.tlb.cpus[2].pwc.has(7)).toBe(true);
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, 7 * 2097152, 7 * 2097152 + 4096, 12, true));
    expect(k.tlb.cpus[2].pwc.has(7)).toBe(false);
  });

  it("paravirt flush: does not wait for a CPU with IRQs off, and flushes it at once", () => {
    const { k, mm, flusher, other } = machine(x86_64({ paravirt_flush: true }));
    other.irq_disabled = 1;
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, 7 * 2097152, 7 * 2097152 + 4096, 12, false));
    expect(k.tlb.cpus[1].pwc.has(7)).toBe(false);
    expect(k.tlb.cpus[2].pwc.has(7)).toBe(true); // lazy CPUs: the same policy as native
  });
});

/**
 * An arch whose TLB invalidation is broadcast by the hardware (Arch.tlbi_broadcast,
 * arm64's TLBI ...IS): core's flush path delivers it to every target without
 * waiting for CPUs with IRQs off, and a leaf-only flush (last_level, arm64's
 * TLBI VALE1IS) keeps the paging-structure (walk) cache. Mutant: the same arch
 * with the flag off — the flusher then waits for the IRQ-off CPU, as on native x86.
 */
import { describe, expect, it } from "vitest";
import { x86_64 } from "@mmsim/arch-x86_64";
import type { Arch } from "@mmsim/spec";
import { Kernel } from "../kernel.js";
import { run_stepped } from "../sched/runner.js";
import { flush_tlb_mm_range } from "./flush.js";
import { TlbModel } from "./tlb.js";

/** A broadcast-TLBI arch on x86's encoding: every CPU of the mm flushed, no IPIs (what arm64's flush_tlb_mm_range does). */
function broadcastArch(tlbi_broadcast: boolean): Arch {
  return {
    ...x86_64(),
    name: "broadcast-test",
    tlbi_broadcast,
    flush_tlb_mm_range(target, mm, start, end, stride_shift, freed_tables) {
      for (const c of target.mm_cpus(mm)) target.flush_range(c.cpu, mm, start, end, stride_shift, !freed_tables);
      target.count("ranged", 0);
    },
  };
}

function machine(a: Arch) {
  const k = new Kernel({ arch: a, nr_cpus: 3 });
  k.tlb.track_entries = true;
  const mm = k.mm_alloc();
  const flusher = k.new_task(mm, 0, "flusher");
  const other = k.new_task(mm, 1, "gup_fast");
  k.tlb.switch_mm(2, mm, true); // lazy-TLB
  for (const c of [1, 2]) {
    k.tlb.cpus[c].pwc.set(7, 123);
    k.tlb.cpus[c].pwc_gen.set(7, 0);
    k.tlb.cpus[c].entries.set(7 * 512, 99);
  }
  return { k, mm, flusher, other };
}

const R = [7 * 2097152, 7 * 2097152 + 4096] as const;

describe("broadcast TLBI (Arch.tlbi_broadcast)", () => {
  it("does not wait for a CPU with IRQs off, and reaches lazy-TLB CPUs", () => {
    const { k, mm, flusher, other } = machine(broadcastArch(true));
    other.irq_disabled = 1; // gup_fast()'s local_irq_save(): no IPI to hold off
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, R[0], R[1], 12, true));
    expect(k.tlb.cpus[1].pwc.has(7)).toBe(false);
    expect(k.tlb.cpus[2].pwc.has(7)).toBe(false);
    expect(k.tlb.counters.ipis).toBe(0);
  });

  it("mutant: the same flush without the flag waits for the IRQ-off CPU (the test above would block)", () => {
    const { mm, flusher, other } = machine(broadcastArch(false));
    other.irq_disabled = 1;
    expect(() => run_stepped(flusher, flush_tlb_mm_range(flusher, mm, R[0], R[1], 12, true))).toThrow(/blocked at flush_tlb_multi/);
  });

  it("a leaf-only flush (no freed tables) drops the TLB entry and keeps the walk cache, on every CPU", () => {
    const { k, mm, flusher } = machine(broadcastArch(true));
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, R[0], R[1], 12, false));
    for (const c of [1, 2]) {
      expect(k.tlb.cpus[c].entries.has(7 * 512)).toBe(false);
      expect(k.tlb.cpus[c].pwc.get(7)).toBe(123);
    }
  });

  it("TlbModel.flush_range: last_level keeps the paging-structure cache, the default drops it (x86 INVLPG)", () => {
    const t = new TlbModel(2);
    t.track_entries = true;
    for (const last of [true, false]) {
      t.cpus[0].pwc.set(1, 5);
      t.flush_range(0, {}, 2097152, 2097152 + 4096, 12, last);
      expect(t.cpus[0].pwc.has(1)).toBe(last);
    }
  });
});

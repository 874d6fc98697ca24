/**
 * The TLB generation (x86 mm->context.tlb_gen, cpu_tlbstate.ctxs[].tlb_gen): a
 * lazy-TLB CPU that x86 leaves out of a flush catches up when it leaves lazy
 * mode (switch_mm_irqs_off's was_lazy check), and a CPU that missed a flush
 * flushes everything at the next one that reaches it (flush_tlb_func).
 */
import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel.js";
import { arch } from "../test/arch.js";
import { run_stepped } from "../sched/runner.js";
import { flush_tlb_mm_range } from "./flush.js";

const VPN_A = 7 * 512; // a page of region 7
const VPN_B = 9 * 512; // a page of region 9

function machine() {
  const k = new Kernel({ arch, nr_cpus: 2 });
  k.tlb.track_entries = true;
  const mm = k.mm_alloc();
  const flusher = k.new_task(mm, 0, "flusher");
  k.tlb.switch_mm(1, mm); // CPU 1 runs the mm and caches two translations
  k.tlb.cpus[1].entries.set(VPN_A, 100);
  k.tlb.cpus[1].entries.set(VPN_B, 200);
  k.tlb.cpus[1].lazy = true; // then switches to a kernel thread (enter_lazy_tlb)
  return { k, mm, flusher };
}

describe("tlb_gen", () => {
  it("a lazy CPU skipped by a flush that frees no tables flushes everything when it leaves lazy mode", () => {
    const { k, mm, flusher } = machine();
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, VPN_A * 4096, VPN_A * 4096 + 4096, 12, false));
    expect(k.tlb.cpus[1].entries.has(VPN_A)).toBe(true); // x86: lazy CPUs are not IPI'd
    k.tlb.leave_lazy(1);
    expect(k.tlb.cpus[1].entries.size).toBe(0);
    expect(k.tlb.cpus[1].lazy).toBe(false);
  });

  it("a lazy CPU that missed nothing keeps its translations when it leaves lazy mode", () => {
    const { k } = machine();
    k.tlb.leave_lazy(1);
    expect(k.tlb.cpus[1].entries.size).toBe(2);
  });

  it("a CPU that missed a flush flushes everything at the next one that reaches it, not just that one's range", () => {
    const { k, mm, flusher } = machine();
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, VPN_A * 4096, VPN_A * 4096 + 4096, 12, false)); // missed (lazy)
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, VPN_B * 4096, VPN_B * 4096 + 4096, 12, true)); // freed_tables: reaches lazy CPU 1
    expect(k.tlb.cpus[1].entries.has(VPN_A)).toBe(false);
    expect(k.tlb.cpus[1].tlb_gen).toBe(2);
  });

  it("the same flushes without the generation check (mutant: the ranged flush only) leave the missed translation behind", () => {
    const { k, mm, flusher } = machine();
    const t = k.tlb as unknown as { caught_up: (cpu: number, mm: unknown, gen: number) => void };
    t.caught_up = () => {};
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, VPN_A * 4096, VPN_A * 4096 + 4096, 12, false));
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, VPN_B * 4096, VPN_B * 4096 + 4096, 12, true));
    expect(k.tlb.cpus[1].entries.has(VPN_A)).toBe(true);
  });
});

describe("huge TLB entries", () => {
  it("a flush with PMD stride evicts a 2 MiB translation whole, whichever 4 KiB of it was used; a 4 KiB one elsewhere in the range stays", () => {
    const { k, mm, flusher } = machine();
    k.tlb.leave_lazy(1);
    const c = k.tlb.cpus[1];
    c.entries.set(VPN_A + 1, 101); // the MMU used the huge page's second 4 KiB
    c.huge_regions.add(VPN_A / 512);
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, VPN_A * 4096, VPN_B * 4096 + 2 ** 21, 21, false));
    expect(c.entries.has(VPN_A + 1)).toBe(false);
    expect(c.entries.has(VPN_A)).toBe(false);
    expect(c.entries.has(VPN_B)).toBe(false); // the stride's address in region 9
    c.entries.set(VPN_B + 5, 205); // a 4 KiB translation: a PMD-stride flush does not reach it
    run_stepped(flusher, flush_tlb_mm_range(flusher, mm, VPN_B * 4096, VPN_B * 4096 + 2 ** 21, 21, false));
    expect(c.entries.has(VPN_B + 5)).toBe(true);
  });
});

// The fault-cost section's counts on the bundled designs it can load here (no plugin, pt-reclaim).
import { NO_RECLAIM, type Reclaim } from "@mmsim/cli";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, it } from "vitest";
import { faultCost, renderFaultCost, THREAD_FIGURES } from "./cost.js";

const pt: Reclaim = { name: "pt-reclaim", label: "pt-reclaim", source: "", info: ptReclaim(), create: ptReclaim };

describe("fault cost", () => {
  it("counts the same RMWs per fault with and without pt-reclaim, and what DONTNEED frees", () => {
    const none = faultCost(NO_RECLAIM, 1);
    const ptr = faultCost(pt, 1);
    expect(none.faults).toBe(512);
    expect(none.rmwPerFault).toBeGreaterThan(0);
    expect(ptr.rmwPerFault).toBe(none.rmwPerFault); // PT_RECLAIM adds nothing to the fault path
    expect(none.linesByKind.ptl).toBe(1); // every fault takes its table's PTE lock once
    expect(none.dontneed.tablesFreedPerCall).toBe(0);
    expect(ptr.dontneed.tablesFreedPerCall).toBe(1);
    expect(ptr.dontneed.gracePeriodsWaitedPerCall).toBe(0); // freed by call_rcu, nobody sleeps
    expect(none.clockPerFault).toBe(ptr.clockPerFault);
  });

  it("is deterministic and prints the thread's figures beside the model's", () => {
    expect(JSON.stringify(faultCost(pt, 1))).toBe(JSON.stringify(faultCost(pt, 1)));
    const text = renderFaultCost([faultCost(NO_RECLAIM, 1), faultCost(pt, 1)]);
    expect(text).toContain("pt-reclaim");
    expect(text).toContain("-1.07 %"); // 8 threads: 101,674,967 -> 100,588,311
    expect(THREAD_FIGURES).toHaveLength(3);
  });
});

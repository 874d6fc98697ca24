// The side-by-side section's pure parts (the processes themselves never run in tests).
import { describe, expect, it } from "vitest";
import { childrenCpuSeconds, mmsimBin, parsePgfault, renderSideBySide, type SideBySide } from "./sidebyside.js";

const RESULT: SideBySide = {
  command: "mmsim run seed --reclaim pt-reclaim",
  sim: { runs: [1.5, 1.25, 1.4], median: 1.4, cpu: [1.3, 1.2, 1.3], pgfault: 13107200, faultsPerSecond: 13107200 / 1.4 },
  startup: { node: 0.06, caCerts: null, nodeWithout: null, simWithout: null },
  kernel: { runs: [11, 12, 11.5], median: 11.5, cpu: [11, 11.5, 11], loopSeconds: 11.3, faults: 13107202 },
  ratio: 1.4 / 11.5,
  cpuRatio: 1.3 / 11,
};

describe("side by side", () => {
  it("reads pgfault from mmsim run's counters", () => {
    expect(parsePgfault("counters:\npgfault:               13107200 (zero page 0, THP 0)\n")).toBe(13107200);
    expect(() => parsePgfault("nothing")).toThrow("no pgfault line");
  });

  it("reads the CPU time of waited-for children from /proc/self/stat", () => {
    const c = childrenCpuSeconds();
    if (c !== null) expect(c).toBeGreaterThanOrEqual(0);
  });

  it("finds the mmsim bin of @mmsim/cli", () => {
    expect(mmsimBin()).toMatch(/cli[/\\]dist[/\\]mmsim\.js$/);
  });

  it("prints both processes, the ratio against its target and the fault rate", () => {
    const text = renderSideBySide(RESULT);
    expect(text).toContain("simulator  mmsim run seed --reclaim pt-reclaim: 1.40 s (runs 1.50 s, 1.25 s, 1.40 s; CPU 1.30 s, 1.20 s, 1.30 s), 13107200 faults, 9,362,286 simulated faults/s (target >= 40 M: not met)");
    expect(text).toContain("node itself (node -e 0): 0.06 s\n");
    expect(text).not.toContain("NODE_EXTRA_CA_CERTS");
    const fast = { ...RESULT, sim: { ...RESULT.sim, median: 0.3, faultsPerSecond: 13107200 / 0.3 } };
    expect(renderSideBySide(fast)).toContain("43,690,667 simulated faults/s (target >= 40 M: met)");
    const ca = renderSideBySide({ ...RESULT, startup: { node: 0.06, caCerts: "/etc/ca.crt", nodeWithout: 0.02, simWithout: { median: 1.36, faultsPerSecond: 13107200 / 1.36 } } });
    expect(ca).toContain("node itself (node -e 0): 0.06 s; 0.02 s without NODE_EXTRA_CA_CERTS=/etc/ca.crt, which Node parses at every start");
    expect(ca).toContain("simulator without NODE_EXTRA_CA_CERTS (for information; the targets are judged as the environment runs it): 1.36 s, 9,637,647 simulated faults/s");
    expect(text).toContain("kernel     bench/seedloop.c: 11.50 s (runs 11.00 s, 12.00 s, 11.50 s; CPU 11.00 s, 11.50 s, 11.00 s; its loop alone 11.30 s), 13107202 faults");
    expect(text).toContain("ratio simulator/kernel: 0.122 (target <= 0.05: not met)");
    expect(text).toContain("ratio of CPU seconds (user + system, median): 0.118");
    expect(renderSideBySide({ ...RESULT, ratio: 0.04 })).toContain("(target <= 0.05: met)");
    expect(renderSideBySide({ ...RESULT, kernel: { skipped: "no C compiler" }, ratio: null, cpuRatio: null })).toContain("kernel     skipped (no C compiler)");
  });
});

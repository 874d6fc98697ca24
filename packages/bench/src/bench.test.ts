// Unit tests of the bench's pure parts; the bench itself never runs in tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findSystemCompiler } from "@mmsim/host";
import { afterAll, describe, expect, it } from "vitest";
import { buildSeedloop, parseSeedloop, seedloopSource } from "./kernel.js";
import { ratios } from "./report.js";
import type { SeedRun } from "./sim.js";
import { median } from "./stats.js";

const OUTPUT = `thp madvise
status before VmSize=52431276 VmRSS=1444 VmPTE=48
status after VmSize=52431276 VmRSS=1624 VmPTE=248
loop seconds=23.130315154 chunks=25600 faults=13107202
`;

describe("bench helpers", () => {
  it("parses seedloop's machine-readable lines", () => {
    expect(parseSeedloop(OUTPUT)).toEqual({
      thp: "madvise",
      seconds: 23.130315154,
      chunks: 25600,
      faults: 13107202,
      before: { VmSize: 52431276, VmRSS: 1444, VmPTE: 48 },
      after: { VmSize: 52431276, VmRSS: 1624, VmPTE: 248 },
    });
    expect(() => parseSeedloop("mmap: Cannot allocate memory\n")).toThrow("unexpected output");
  });

  it("takes medians", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it("computes simulator/kernel time ratios", () => {
    const run = (reclaim: string, seconds: number): SeedRun => ({
      reclaim,
      seconds,
      pgfault: 0,
      before: { VmPTE: 0, VmRSS: 0 },
      after: { VmPTE: 0, VmRSS: 0 },
    });
    const k = parseSeedloop(OUTPUT);
    expect(ratios([run("none", k.seconds * 2)], k)).toEqual({ none: 2 });
  });

  it("finds the C source", () => {
    expect(seedloopSource()).toMatch(/packages\/bench\/seedloop\.c$/);
  });

  const cc = findSystemCompiler();
  const cacheDir = mkdtempSync(join(tmpdir(), "mmsim-bench-test-"));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
  it.skipIf(cc === null)("compiles seedloop.c once into the cache (without running it)", () => {
    const bin = buildSeedloop(cc!, seedloopSource(), cacheDir);
    expect(bin.startsWith(join(cacheDir, "seedloop-"))).toBe(true);
    expect(buildSeedloop(cc!, seedloopSource(), cacheDir)).toBe(bin);
  });
});

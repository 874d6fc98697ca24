/**
 * Scripts stream: `repeat 1000000000000` starts at once (its first status line
 * comes before the loop would end), and a bad operand anywhere is still reported
 * before anything runs. Mutant: preflight by unrolling (the first test never returns).
 */
import { describe, expect, it } from "vitest";
import { loadWorkload } from "./workload.js";
import { mmsim, tempDir } from "./testing.js";

describe("scripts stream", () => {
  it("a loop of 10^12 iterations is loaded at once and counted, not unrolled", async () => {
    const ok = tempDir({ "big.mms": "mmap a 1G\nstatus first\nrepeat 1000000000000\n  touch a 0 4K\nend\n" });
    const t0 = performance.now();
    const w = await loadWorkload("big.mms", ok);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect([w.ops, w.statuses]).toEqual([1_000_000_000_002, 1]);
  });

  it("a bad operand in the last iteration of a long loop is reported before anything runs", async () => {
    const dir = tempDir({ "w.mms": "mmap a 1G\nstatus first\nrepeat 100000000\n  touch a 0 4K 4K-i\nend\n" });
    const r = await mmsim(["run", "w.mms"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: w.mms:4:16: STRIDE must not be negative\n");
  });

  it("nesting deeper than 16 loops is a located error", async () => {
    const text = Array.from({ length: 17 }, (_, i) => `repeat 1 as v${i}\n`).join("") + "end\n".repeat(17);
    const r = await mmsim(["run", "deep.mms"], tempDir({ "deep.mms": text }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: deep.mms:17:1: repeat: loops nested deeper than 16\n");
  });
});

/**
 * The madvise-lock probe: its verdicts from tries counted fast and slow, its
 * output parser, and — on Linux 6.17/6.18 with a C compiler — the running
 * kernel against the model's madvise_lock_mode(). The checker
 * (compareMadviseLocks()) is shown to catch a model that takes the wrong lock:
 * the guard advice under the per-VMA lock, as kernels after 6.18 take it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MADV_COLD, MADV_DONTNEED, MADV_GUARD_INSTALL, MADV_NORMAL, MADV_POPULATE_READ, MADV_POPULATE_WRITE, madvise_lock_mode, type KernelEra, type MadviseLockMode } from "@mmsim/core";
import { afterAll, describe, expect, test } from "vitest";
import { findSystemCompiler } from "./compile.js";
import { HostUnavailableError } from "./errors.js";
import {
  compareMadviseLocks,
  formatMadviseLocks,
  holderVerdict,
  lockEraOfRelease,
  madviseLockVerdict,
  modelAdvice,
  parseProbeOutput,
  probeMadviseLocks,
  type MadviseLockProbe,
} from "./madvise_lock.js";

/** The model with the guard advice under the per-VMA lock (kernels after 6.18). */
const guardVmaMutant = (advice: number, era: KernelEra): MadviseLockMode => (advice === MADV_GUARD_INSTALL ? "vma" : madvise_lock_mode(advice, era));

const probe = (advice: number, write: [number, number], read: [number, number], ret = 0): MadviseLockProbe => ({
  advice,
  write: { fast: write[0], slow: write[1] },
  read: { fast: read[0], slow: read[1] },
  ret,
  errno: ret === 0 ? 0 : 22,
  lock: madviseLockVerdict({ fast: write[0], slow: write[1] }, { fast: read[0], slow: read[1] }),
});

describe("verdicts from the probe's counts", () => {
  test("a holder's verdict needs 2 tries and a 3:1 majority", () => {
    expect(holderVerdict({ fast: 2, slow: 0 })).toBe("fast");
    expect(holderVerdict({ fast: 1, slow: 0 })).toBe(null);
    expect(holderVerdict({ fast: 6, slow: 2 })).toBe("fast");
    expect(holderVerdict({ fast: 5, slow: 2 })).toBe(null);
    expect(holderVerdict({ fast: 0, slow: 4 })).toBe("slow");
    expect(holderVerdict({ fast: 0, slow: 0 })).toBe(null);
  });

  test("past a writer: the per-VMA lock; past a reader only: mmap_read_lock; neither: mmap_write_lock", () => {
    expect(madviseLockVerdict({ fast: 7, slow: 0 }, { fast: 9, slow: 0 })).toBe("vma");
    expect(madviseLockVerdict({ fast: 0, slow: 6 }, { fast: 9, slow: 0 })).toBe("read");
    expect(madviseLockVerdict({ fast: 0, slow: 6 }, { fast: 0, slow: 8 })).toBe("write");
    // No lock passes a writer and waits for a reader; an undecided holder decides nothing.
    expect(madviseLockVerdict({ fast: 7, slow: 0 }, { fast: 0, slow: 8 })).toBe("unknown");
    expect(madviseLockVerdict({ fast: 0, slow: 6 }, { fast: 1, slow: 1 })).toBe("unknown");
  });
});

describe("compareMadviseLocks()", () => {
  // What Linux 6.18 gave (scripts/madvise-locks.mjs, 2026-12-06): DONTNEED passes a writer, COLD and
  // GUARD_INSTALL pass only a reader, NORMAL waits for both.
  const measured = [probe(MADV_DONTNEED, [7, 0], [7, 0]), probe(MADV_COLD, [0, 6], [9, 0]), probe(MADV_GUARD_INSTALL, [0, 3], [5, 0]), probe(MADV_NORMAL, [0, 6], [0, 6])];

  test("the model's 6.18 locks match those figures", () => {
    expect(compareMadviseLocks(measured, "6.18").map((r) => r.verdict)).toEqual(["match", "match", "match", "match"]);
  });

  test("mutant: a model with MADV_GUARD_INSTALL under the per-VMA lock is a mismatch", () => {
    const rows = compareMadviseLocks(measured, "6.18", guardVmaMutant);
    expect(rows.map((r) => r.verdict)).toEqual(["match", "match", "mismatch", "match"]);
    expect(formatMadviseLocks(rows, (a) => (a === MADV_GUARD_INSTALL ? "MADV_GUARD_INSTALL" : String(a)))).toMatch(/MADV_GUARD_INSTALL +read +vma +mismatch/);
  });

  test("the 5.18 model (no per-VMA lock) mismatches what 6.18 does for MADV_DONTNEED", () => {
    expect(compareMadviseLocks(measured, "5.18")[0]!.verdict).toBe("mismatch");
  });

  test("an advice the kernel refused, or the probe could not tell, is unknown", () => {
    expect(compareMadviseLocks([probe(MADV_COLD, [3, 0], [3, 0], -1), probe(MADV_COLD, [1, 1], [9, 0])], "6.18").map((r) => r.verdict)).toEqual(["unknown", "unknown"]);
  });
});

describe("the probe's output and the model's advice", () => {
  test("lines ADVICE FAST SLOW RET ERRNO; anything else is an error naming the line", () => {
    expect(parseProbeOutput("4 7 0 0 0\n102 0 3 -1 22\n")).toEqual(
      new Map([
        [4, { fast: 7, slow: 0, ret: 0, errno: 0 }],
        [102, { fast: 0, slow: 3, ret: -1, errno: 22 }],
      ]),
    );
    expect(() => parseProbeOutput("4 7 0 0 0\n4 x 0 0 0\n")).toThrow(/line 2 is not "ADVICE FAST SLOW RET ERRNO"/);
    expect(() => parseProbeOutput("4 7 0 0")).toThrow(HostUnavailableError);
  });

  test("eras: 6.17 and 6.18 compare with era 6.18, other kernels with none", () => {
    expect(lockEraOfRelease("6.18.44-fc-v1147")).toBe("6.18");
    expect(lockEraOfRelease("6.17.0")).toBe("6.18");
    expect(lockEraOfRelease("6.16.9")).toBe(null);
    expect(lockEraOfRelease("6.19.1")).toBe(null);
    expect(lockEraOfRelease("garbage")).toBe(null);
  });

  test("the model's advice: the guard advice in 6.18 only, MADV_POPULATE_* always", () => {
    expect(modelAdvice("6.18")).toEqual(expect.arrayContaining([MADV_DONTNEED, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_GUARD_INSTALL]));
    expect(modelAdvice("6.10")).not.toContain(MADV_GUARD_INSTALL);
  });

  test("bad arguments are refused before anything runs", () => {
    expect(() => probeMadviseLocks([4.5])).toThrow(/advice 4.5 is not an advice number/);
    expect(() => probeMadviseLocks([4], { rounds: 0 })).toThrow(/rounds 0 is not a count/);
    expect(() => probeMadviseLocks([4], { platform: "darwin" })).toThrow(HostUnavailableError);
  });
});

const era = lockEraOfRelease();
const canRun = process.platform === "linux" && findSystemCompiler() !== null && era !== null;
const cacheDir = mkdtempSync(join(tmpdir(), "mmsim-madvise-lock-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe.skipIf(!canRun)("on this kernel (Linux 6.17/6.18)", () => {
  test("DONTNEED, COLD, GUARD_INSTALL and NORMAL take the locks the model's era 6.18 takes; the guard mutant is caught", () => {
    const probes = probeMadviseLocks([MADV_DONTNEED, MADV_COLD, MADV_GUARD_INSTALL, MADV_NORMAL], { rounds: 3, cacheDir });
    const rows = compareMadviseLocks(probes, era!);
    // A timing probe: a busy machine may leave an advice unknown, never decide it wrong.
    expect(rows.filter((r) => r.verdict === "mismatch"), formatMadviseLocks(rows)).toEqual([]);
    expect(rows.filter((r) => r.verdict === "match").length, formatMadviseLocks(rows)).toBeGreaterThanOrEqual(1);
    const guard = rows.find((r) => r.advice === MADV_GUARD_INSTALL)!;
    if (guard.verdict === "match") expect(compareMadviseLocks([guard], era!, guardVmaMutant)[0]!.verdict).toBe("mismatch");
  });
});

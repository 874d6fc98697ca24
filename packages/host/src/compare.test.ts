import { describe, expect, test } from "vitest";
import { compareLines, DEFAULT_RSS_TOLERANCE_KB, parseOutputLine } from "./compare.js";

const st = (label: string, size: number, rss: number, pte: number) => `${label} dVmSize=${size} dVmRSS=${rss} dVmPTE=${pte}`;

describe("parseOutputLine", () => {
  test("status, error and other lines", () => {
    expect(parseOutputLine("after dVmSize=-4 dVmRSS=12 dVmPTE=-8")).toEqual({ kind: "status", label: "after", dVmSize: -4, dVmRSS: 12, dVmPTE: -8 });
    expect(parseOutputLine("madvise-error Cannot allocate memory")).toEqual({ kind: "error", op: "madvise", text: "Cannot allocate memory" });
    expect(parseOutputLine("hello")).toEqual({ kind: "other", text: "hello" });
  });
});

describe("compareLines", () => {
  test("identical outputs match", () => {
    const l = [st("a", 0, 0, 0), "mmap-error File exists", st("b", 4, 4, 12)];
    const r = compareLines(l, l);
    expect(r.map((x) => x.ok)).toEqual([true, true, true]);
    expect(r.map((x) => x.kind)).toEqual(["status", "error", "status"]);
  });

  test("dVmPTE and dVmSize must be equal", () => {
    const r = compareLines([st("a", 0, 0, 0), st("b", 4, 4, 12)], [st("a", 0, 0, 0), st("b", 4, 4, 16)]);
    expect(r[1].ok).toBe(false);
    expect(r[1].fields).toEqual([
      { field: "dVmSize", sim: 4, host: 4, ok: true },
      { field: "dVmRSS", sim: 4, host: 4, ok: true },
      { field: "dVmPTE", sim: 12, host: 16, ok: false },
    ]);
    expect(compareLines([st("b", 8, 4, 12)], [st("b", 4, 4, 12)])[0].ok).toBe(false);
  });

  test("dVmRSS within the tolerance", () => {
    expect(DEFAULT_RSS_TOLERANCE_KB).toBe(0);
    expect(compareLines([st("b", 0, 100, 0)], [st("b", 0, 104, 0)])[0].ok).toBe(false);
    expect(compareLines([st("b", 0, 100, 0)], [st("b", 0, 104, 0)], { rssToleranceKb: 4 })[0].ok).toBe(true);
    expect(compareLines([st("b", 0, 100, 0)], [st("b", 0, 92, 0)], { rssToleranceKb: 4 })[0].ok).toBe(false);
  });

  test("labels must agree", () => {
    expect(compareLines([st("a", 0, 0, 0)], [st("b", 0, 0, 0)])[0].ok).toBe(false);
  });

  test("error lines must be equal", () => {
    const r = compareLines(["munmap-error Invalid argument"], ["munmap-error Cannot allocate memory"]);
    expect(r).toEqual([{ ok: false, kind: "error", sim: "munmap-error Invalid argument", host: "munmap-error Cannot allocate memory" }]);
  });

  test("an error line on one side only does not shift the status lines", () => {
    const sim = [st("a", 0, 0, 0), "mprotect-error Cannot allocate memory", "touch-error Segmentation fault", st("b", 0, 4, 4), st("c", 0, 8, 4)];
    const host = [st("a", 0, 0, 0), st("b", 0, 4, 4), "madvise-error Invalid argument", st("c", 0, 8, 4)];
    const r = compareLines(sim, host);
    expect(r.map((x) => [x.kind, x.ok])).toEqual([
      ["status", true],
      ["missing-in-host", false],
      ["missing-in-host", false],
      ["status", true],
      ["missing-in-sim", false],
      ["status", true],
    ]);
  });

  test("a missing status line (stale recording) is reported, as are trailing errors", () => {
    const r = compareLines([st("a", 0, 0, 0), st("b", 0, 0, 0), "touch-error Bus error"], [st("a", 0, 0, 0)]);
    expect(r.map((x) => [x.kind, x.ok])).toEqual([
      ["status", true],
      ["missing-in-host", false],
      ["missing-in-host", false],
    ]);
  });
});

import { describe, expect, test } from "vitest";
import { compareLines } from "./compare.js";
import { formatComparison, formatReport } from "./format.js";

const st = (label: string, size: number, rss: number, pte: number) => `${label} dVmSize=${size} dVmRSS=${rss} dVmPTE=${pte}`;

describe("formatComparison", () => {
  test("a readable diff with both values", () => {
    const lines = compareLines([st("a", 0, 0, 0), st("b", 0, 4, 12), "mmap-error File exists"], [st("a", 0, 0, 0), st("b", 0, 8, 16)]);
    expect(formatComparison({ name: "x.wl", ok: false, lines })).toBe(
      [
        "FAIL x.wl: 2 of 3 lines differ",
        "    a dVmSize=0 dVmRSS=0 dVmPTE=0",
        "  ! dVmRSS sim=4 host=8, dVmPTE sim=12 host=16",
        "      sim : b dVmSize=0 dVmRSS=4 dVmPTE=12",
        "      host: b dVmSize=0 dVmRSS=8 dVmPTE=16",
        "  ! only sim",
        "      sim : mmap-error File exists",
        "      host: (nothing)",
      ].join("\n"),
    );
    expect(formatComparison({ name: "y.wl", ok: true, lines: lines.slice(0, 1) })).toBe("ok   y.wl (1 lines)");
  });
});

describe("formatReport", () => {
  test("one entry per script, then the summary", () => {
    const ok = { name: "a.wl", ok: true, lines: compareLines([st("a", 0, 0, 0)], [st("a", 0, 0, 0)]) };
    const failed = { name: "b.wl", ok: false, lines: [], error: "host: helper replied 1 lines to 4 requests" };
    expect(formatReport({ ok: false, reclaim: "pt-reclaim", rssToleranceKb: 0, scripts: [ok, failed] })).toBe(
      [
        "ok   a.wl (1 lines)",
        "FAIL b.wl: host: helper replied 1 lines to 4 requests",
        "1 of 2 scripts match (simulator reclaim: pt-reclaim, dVmRSS tolerance 0 kB)",
      ].join("\n"),
    );
    expect(formatReport({ ok: true, reclaim: null, rssToleranceKb: 8, scripts: [] })).toBe("0 of 0 scripts match (simulator reclaim: none, dVmRSS tolerance 8 kB)");
  });
});

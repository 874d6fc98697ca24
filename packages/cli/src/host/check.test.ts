import { parseScript, type Script } from "@mmsim/core/workload";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, test } from "vitest";
import { checkHost, compareLines, DEFAULT_RSS_TOLERANCE_KB, formatComparison, parseOutputLine, simulate } from "./check.js";
import { HostUnavailableError } from "./compile.js";
import { HostProtocolError } from "./protocol.js";

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

describe("checkHost", () => {
  const scripts: Script[] = [parseScript("mmap a 2M @0x200000000000\nstatus s0\ntouch a 0 2M\nstatus s1\n", "one.wl"), parseScript("mmap b 4K\nstatus s\n", "two.wl")];

  test("runs both sides and reports per script and per line", () => {
    const r = checkHost(scripts, {
      reclaim: ptReclaim(),
      runHost: (s) => {
        const lines = simulate(s, ptReclaim());
        return { lines: s.file === "two.wl" ? lines : lines.map((l) => l.replace("dVmPTE=12", "dVmPTE=8")), statuses: [] };
      },
    });
    expect(r.ok).toBe(false);
    expect(r.reclaim).toBe("pt-reclaim");
    expect(r.scripts.map((s) => [s.name, s.ok])).toEqual([
      ["one.wl", false],
      ["two.wl", true],
    ]);
    expect(r.scripts[0].lines[1]).toMatchObject({ ok: false, fields: [{ ok: true }, { ok: true }, { field: "dVmPTE", sim: 12, host: 8, ok: false }] });
    expect(r.text).toContain("FAIL one.wl: 1 of 2 lines differ");
    expect(r.text).toContain("ok   two.wl (1 lines)");
    expect(r.text).toContain("1 of 2 scripts match (simulator reclaim: pt-reclaim, dVmRSS tolerance 0 kB)");
  });

  test("all equal is ok", () => {
    const r = checkHost(scripts, { runHost: (s) => ({ lines: simulate(s), statuses: [] }) });
    expect(r.ok).toBe(true);
    expect(r.reclaim).toBeNull();
  });

  test("a helper failure fails that script; an unavailable host is thrown", () => {
    const r = checkHost(scripts, {
      runHost: (s) => {
        if (s.file === "one.wl") throw new HostProtocolError("helper replied 1 lines to 4 requests");
        return { lines: simulate(s), statuses: [] };
      },
    });
    expect(r.scripts[0]).toMatchObject({ ok: false, error: "host: helper replied 1 lines to 4 requests" });
    expect(r.scripts[1].ok).toBe(true);
    expect(r.text).toContain("FAIL one.wl: host: helper replied 1 lines to 4 requests");
    expect(() =>
      checkHost(scripts, {
        runHost: () => {
          throw new HostUnavailableError("mmsim host needs Linux (this is darwin)");
        },
      }),
    ).toThrow("mmsim host needs Linux (this is darwin)");
  });
});

import { parseScript, type Script } from "@mmsim/core/workload";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, test } from "vitest";
import { checkHost, simulate } from "./check.js";
import { HostProtocolError, HostUnavailableError } from "./errors.js";
import { formatReport } from "./format.js";

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
    const text = formatReport(r);
    expect(text).toContain("FAIL one.wl: 1 of 2 lines differ");
    expect(text).toContain("ok   two.wl (1 lines)");
    expect(text).toContain("1 of 2 scripts match (simulator reclaim: pt-reclaim, dVmRSS tolerance 0 kB)");
  });

  test("refuses a dVmRSS tolerance that is not a finite number >= 0 (-1 and NaN used to fail every line as 'sim=0 host=0')", () => {
    const runHost = (s: Script) => ({ lines: simulate(s), statuses: [] });
    for (const t of [-1, NaN, Infinity, "4"]) expect(() => checkHost(scripts, { runHost, rssToleranceKb: t as number }), String(t)).toThrow(/^checkHost\(\): rssToleranceKb .* is not a tolerance in kB \(a finite number >= 0\)$/);
    expect(checkHost(scripts, { runHost, rssToleranceKb: 4 }).ok).toBe(true);
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
    expect(formatReport(r)).toContain("FAIL one.wl: host: helper replied 1 lines to 4 requests");
    expect(() =>
      checkHost(scripts, {
        runHost: () => {
          throw new HostUnavailableError("mmsim host needs Linux (this is darwin)");
        },
      }),
    ).toThrow("mmsim host needs Linux (this is darwin)");
  });
});

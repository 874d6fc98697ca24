import { parseScript, type Script } from "@mmsim/core/workload";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, expect, test } from "vitest";
import { checkHost, machineMemory, machineThp, simulate } from "./check.js";
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

  test("the simulator runs with the machine's THP settings: a hugepage region as THP=never or always would make it (mutant: the default madvise is caught)", () => {
    const thpScript = parseScript(
      "mmap a 4M hugepage @0x200000000000\nmmap b 4M @0x208000000000\nmmap c 2M hugepage @0x210000000000\nstatus s0\ntouch a 0 4M write 1M\ntouch b 0 4M write 2M\ntouch c 0 2M read\nstatus s1\n",
      "thp.wl",
    );
    const madvise = simulate(thpScript);
    const never = simulate(thpScript, null, { enabled: "never", useZeroPage: true });
    const always = simulate(thpScript, null, { enabled: "always", useZeroPage: true });
    const noZero = simulate(thpScript, null, { enabled: "always", useZeroPage: false });
    expect(new Set([madvise.join(), never.join(), always.join(), noZero.join()]).size).toBe(4);
    // What Linux 6.18 (THP madvise, use_zero_page 1) printed for it: a's two THPs, b's two pages, c's huge zero page.
    expect(madvise.at(-1)).toBe("s1 dVmSize=0 dVmRSS=4104 dVmPTE=44");
    expect([never.at(-1), always.at(-1), noZero.at(-1)]).toEqual(["s1 dVmSize=0 dVmRSS=24 dVmPTE=44", "s1 dVmSize=0 dVmRSS=8192 dVmPTE=44", "s1 dVmSize=0 dVmRSS=10240 dVmPTE=44"]);
    for (const [thp, host] of [
      [{ enabled: "never", useZeroPage: true }, never],
      [{ enabled: "always", useZeroPage: false }, noZero],
    ] as const) {
      const r = checkHost([thpScript], { thp, runHost: () => ({ lines: host, statuses: [] }) });
      expect(r.ok).toBe(true);
      expect(r.thp).toEqual(thp);
      expect(checkHost([thpScript], { runHost: () => ({ lines: host, statuses: [] }) }).ok).toBe(false); // a replaced host side: the defaults
    }
    expect(formatReport(checkHost([thpScript], { thp: { enabled: "always", useZeroPage: false }, runHost: () => ({ lines: noZero, statuses: [] }) }))).toContain(
      "1 of 1 scripts match (simulator reclaim: none, THP always without the huge zero page as this machine, dVmRSS tolerance 0 kB)",
    );
    // The machine's, read from sysfs.
    expect(machineThp("/nonexistent")).toEqual({ thp: { enabled: "madvise", useZeroPage: true }, unmodelled: [] });
  });

  test("the simulator runs with the machine's RAM and overcommit sysctls: a 100G mapping the kernel refuses on a 24 GiB machine is refused (mutant: the default 256 GiB is caught)", () => {
    const big = parseScript("mmap a 100G @0x200000000000\nstatus s0\nmmap b 20G @0x208000000000\nstatus s1\n", "big.wl");
    const memory = { ramBytes: 24683664 * 1024, overcommitMemory: 0, overcommitRatio: 50, overcommitKbytes: 0 } as const;
    // What Linux 6.18 printed on the 24 GiB development machine (vm.overcommit_memory=0, no swap).
    const host = ["mmap-error Cannot allocate memory", "s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=20971520 dVmRSS=0 dVmPTE=0"];
    expect(simulate(big, null, undefined, memory)).toEqual(host);
    expect(simulate(big)).not.toEqual(host); // 256 GiB: the 100G mapping fits
    const r = checkHost([big], { memory, runHost: () => ({ lines: host, statuses: [] }) });
    expect(r).toMatchObject({ ok: true, memory });
    expect(checkHost([big], { runHost: () => ({ lines: host, statuses: [] }) }).ok).toBe(false); // a replaced host side: the defaults
    expect(machineMemory("/nonexistent")).toEqual({ memory: { ramBytes: 256 * 2 ** 30, overcommitMemory: 0, overcommitRatio: 50, overcommitKbytes: 0 }, unmodelled: [] });
  });

  test("a mismatch says why it may be no model bug: an mmap without @ADDR (tables shared with the helper's mappings), advice the model does not implement", () => {
    const noAddr = parseScript("mmap a 64K\nstatus s0\nrepeat 2\n  mmap b 4K @0x200000000000\nend\ntouch a 0 64K\nstatus s1\n", "noaddr.wl");
    const r = checkHost([noAddr], { runHost: (s) => ({ lines: simulate(s).map((l) => l.replace("dVmPTE=12", "dVmPTE=0")), statuses: [] }) });
    expect(r.scripts[0].ok).toBe(false);
    expect(r.scripts[0].notes).toEqual([
      "noaddr.wl:1:1: mmap a has no @ADDR: the kernel placed it among the helper's own mappings (libc, stack, heap), whose page tables it may share or extend, where the simulator's process has nothing else; give every mmap an @ADDR in an untouched 512 GiB slot (0x200000000000 + k * 0x8000000000) to compare table counts",
    ]);
    expect(formatReport(r)).toContain("\n  note: noaddr.wl:1:1: mmap a has no @ADDR");
    // Only for a table count that differs; not when the script matches.
    expect(checkHost([noAddr], { runHost: (s) => ({ lines: simulate(s), statuses: [] }) }).scripts[0].notes).toBeUndefined();
    const rss = checkHost([noAddr], { runHost: (s) => ({ lines: simulate(s).map((l) => l.replace("dVmRSS=64", "dVmRSS=68")), statuses: [] }) });
    expect(rss.scripts[0]).toMatchObject({ ok: false });
    expect(rss.scripts[0].notes).toBeUndefined();

    const over = parseScript("mmap lib 4K @0x7f0000000000\nstatus s0\n", "over.wl");
    const o = checkHost([over], { runHost: () => ({ lines: ["mmap-error File exists", "s0 dVmSize=0 dVmRSS=0 dVmPTE=0"], statuses: [] }) });
    expect(o.scripts[0].notes).toEqual([expect.stringMatching(/^an mmap failed with EEXIST on the kernel only: its range overlaps the helper process's own mappings/)]);
    expect(checkHost([over], { runHost: () => ({ lines: ["mmap-error Invalid argument", "s0 dVmSize=0 dVmRSS=0 dVmPTE=0"], statuses: [] }) }).scripts[0].notes).toBeUndefined();

    const advice = parseScript("mmap a 4M shared @0x200000000000\nstatus s0\nmadvise a 0 0 100\nmadvise a 0 0 100\nmadvise a 0 4M 22\nmadvise a 0 0 4\nstatus s1\n", "advice.wl");
    const sim = simulate(advice);
    expect(sim).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "madvise-error Invalid argument", "madvise-error Invalid argument", "s1 dVmSize=0 dVmRSS=4096 dVmPTE=16"]);
    const a = checkHost([advice], { runHost: () => ({ lines: [sim[0], sim[3]], statuses: [] }) }); // Linux: MADV_HWPOISON of length 0 is 0 (the range is checked before CAP_SYS_ADMIN)
    expect(a.scripts[0].notes).toEqual([
      "advice.wl:3:1: madvise advice 100 is not implemented by the simulator: it returns -EINVAL (Invalid argument) for it whatever the range, where Linux checks the range and applies it (packages/core/README.md, Model differences)",
    ]);
  });
});

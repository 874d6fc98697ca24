import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkHost, HELLO, HostUnavailableError, simulate } from "@mmsim/host";
import { afterAll, describe, expect, test } from "vitest";
import { checkHostCommand, hostCommand, loadScript, reclaimByName } from "./host.js";

const tmp = mkdtempSync(join(tmpdir(), "mmsim-host-cmd-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

const file = join(tmp, "s.wl");
writeFileSync(file, "mmap a 4K\nstatus s0\nmunmap a 1 4K\nstatus s1\n");
const touching = join(tmp, "t.wl");
writeFileSync(touching, "mmap a 4K\nstatus s0\ntouch a 0 4K\nstatus s1\n");

describe("hostCommand", () => {
  test("prints the status and error lines", () => {
    const o = io();
    const exec = () => ({ status: 0, signal: null, stdout: `${HELLO}\nok\nstatus 10 20 30\nerr 22\nstatus 14 24 30\n`, stderr: "" });
    expect(hostCommand(file, o.io, { helper: "h", exec })).toBe(0);
    expect(o.out).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "munmap-error Invalid argument", "s1 dVmSize=4 dVmRSS=4 dVmPTE=0"]);
    expect(o.err).toEqual([]);
  });

  test("errors go to err with exit 1", () => {
    const o = io();
    expect(hostCommand(file, o.io, { compile: { platform: "darwin" } })).toBe(1);
    expect(o.err).toEqual(["mmsim host: mmsim host needs Linux (this is darwin)"]);
    const p = io();
    expect(hostCommand(join(tmp, "missing.wl"), p.io, { helper: "h" })).toBe(1);
    expect(p.err[0]).toMatch(/^mmsim host: ENOENT/);
    const q = io();
    expect(hostCommand(file, q.io, { compile: { platform: "linux", findCompiler: () => null } })).toBe(1);
    expect(q.err).toEqual(["mmsim host: mmsim host needs a C compiler (cc) to build its helper: install gcc or clang"]);
  });

  test("built-in workloads by name", () => {
    expect(loadScript("seed-small").file).toBe("<builtin:seed-small>");
  });
});

describe("checkHostCommand", () => {
  const fakeCheck =
    (hostLines: (file: string, lines: string[]) => string[]): typeof checkHost =>
    (scripts, opts) =>
      checkHost(scripts, { ...opts, runHost: (s) => ({ lines: hostLines(s.file, simulate(s, opts?.reclaim ?? null)), statuses: [] }) });

  test("0 when everything matches", () => {
    const o = io();
    expect(checkHostCommand([file, file], { reclaim: "pt-reclaim", check: fakeCheck((_f, l) => l) }, o.io)).toBe(0);
    expect(o.out.at(-1)).toBe("2 of 2 scripts match (simulator reclaim: pt-reclaim, dVmRSS tolerance 0 kB)");
  });

  test("1 on a mismatch, with a hint when the kernel has CONFIG_PT_RECLAIM", () => {
    const o = io();
    const check = fakeCheck((_f, l) => l.map((x) => x.replace("dVmRSS=4", "dVmRSS=8")));
    expect(checkHostCommand([touching], { check, kernelHasPtReclaim: () => true }, o.io)).toBe(1);
    expect(o.out).toContain("  ! dVmRSS sim=4 host=8");
    expect(o.err).toEqual(["mmsim check-host: note: this kernel has CONFIG_PT_RECLAIM=y; compare with --reclaim pt-reclaim"]);
    const p = io();
    expect(checkHostCommand([touching], { check, rssTolerance: "4", kernelHasPtReclaim: () => true }, p.io)).toBe(0);
    const q = io();
    expect(checkHostCommand([touching], { check, reclaim: "pt-reclaim", kernelHasPtReclaim: () => true }, q.io)).toBe(1);
    expect(q.err).toEqual([]);
  });

  test("2 when the check cannot run", () => {
    const cases: [string[], Parameters<typeof checkHostCommand>[1], RegExp][] = [
      [[], {}, /no scripts given/],
      [[file], { reclaim: "magic" }, /unknown reclaim 'magic' \(expected none\|pt-reclaim\)/],
      [[file], { rssTolerance: "x" }, /--rss-tolerance must be a number/],
      [[join(tmp, "missing.wl")], {}, /ENOENT/],
      [
        [file],
        {
          check: () => {
            throw new HostUnavailableError("mmsim host needs Linux (this is darwin)");
          },
        },
        /^mmsim check-host: mmsim host needs Linux \(this is darwin\)$/,
      ],
    ];
    for (const [paths, opts, re] of cases) {
      const o = io();
      expect(checkHostCommand(paths, opts, o.io)).toBe(2);
      expect(o.err[0]).toMatch(re);
    }
  });
});

describe("helpers", () => {
  test("reclaimByName", () => {
    expect(reclaimByName(undefined)).toBeNull();
    expect(reclaimByName("none")).toBeNull();
    expect(reclaimByName("pt-reclaim")?.name).toBe("pt-reclaim");
  });
});

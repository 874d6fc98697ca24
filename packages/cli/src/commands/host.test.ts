import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkHost, HELLO, HostUnavailableError, simulate, type PtReclaimDetection } from "@mmsim/host";
import { afterAll, describe, expect, test } from "vitest";
import { OutputClosed } from "../io.js";
import { reportError } from "../report.js";
import { checkHostCommand, hostCommand } from "./host.js";

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
  test("prints the status and error lines", async () => {
    const o = io();
    const exec = () => ({ status: 0, signal: null, stdout: `${HELLO}\nok\nstatus 10 20 30 0\nerr 22\nstatus 14 24 30 0\n`, stderr: "" });
    expect(await hostCommand(file, o.io, { helper: "h", exec })).toBe(0);
    expect(o.out).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "munmap-error Invalid argument", "s1 dVmSize=4 dVmRSS=4 dVmPTE=0"]);
    expect(o.err).toEqual([]);
  });

  test("errors go to err with exit 1", async () => {
    const o = io();
    expect(await hostCommand(file, o.io, { compile: { platform: "darwin" } })).toBe(1);
    expect(o.err).toEqual(["mmsim host needs Linux (this is darwin)"]);
    const p = io();
    expect(await hostCommand(join(tmp, "missing.wl"), p.io, { helper: "h" })).toBe(1);
    expect(p.err[0]).toMatch(/^mmsim host: cannot read .*missing.wl: no such file or directory$/);
    const q = io();
    expect(await hostCommand(file, q.io, { compile: { platform: "linux", findCompiler: () => null } })).toBe(1);
    expect(q.err).toEqual(["mmsim host needs a C compiler (cc) to build its helper: install gcc or clang"]);
    const c = io();
    const cacheDir = join(tmp, "open-cache");
    mkdirSync(cacheDir, { mode: 0o777 });
    chmodSync(cacheDir, 0o777);
    expect(await hostCommand(file, c.io, { compile: { cacheDir } })).toBe(1);
    expect(c.err[0]).toMatch(/^mmsim host: refusing to use cache directory .*open-cache: writable by group or others/);
  });

  test("a closed standard output (`mmsim host x | head -1`) is not the run's error: OutputClosed reaches main, which exits 0 quietly", async () => {
    const o = io();
    let lines = 0;
    const closing = {
      out: (s: string) => {
        if (++lines > 1) throw new OutputClosed();
        o.out.push(s);
      },
      err: (s: string) => o.err.push(s),
    };
    const exec = () => ({ status: 0, signal: null, stdout: `${HELLO}\nok\nstatus 10 20 30 0\nerr 22\nstatus 14 24 30 0\n`, stderr: "" });
    const e = await hostCommand(file, closing, { helper: "h", exec }).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(OutputClosed);
    expect(o.out).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0"]);
    expect(o.err).toEqual([]);
    const m = { out: [] as string[], err: [] as string[] };
    expect(reportError(e, { out: (s) => m.out.push(s), err: (s) => m.err.push(s), progress: null, cwd: tmp })).toBe(0);
    expect(m.err).toEqual([]);
  });

  test("built-in workloads by name, as run takes them", async () => {
    const o = io();
    const reply = (l: string) => (l.startsWith("status") ? "status 0 0 0 0" : "ok");
    const exec = (_h: string, input: string) => ({ status: 0, signal: null, stdout: [HELLO, ...input.trimEnd().split("\n").map(reply)].join("\n") + "\n", stderr: "" });
    const rc = await hostCommand("seed-small", o.io, { helper: "h", exec });
    expect(o.err).toEqual([]);
    expect(rc).toBe(0);
  });
});

const plugin = (r: NonNullable<Parameters<typeof checkHost>[1]>["reclaim"]) => (typeof r === "function" ? r() : (r ?? null));

describe("checkHostCommand", () => {
  const fakeCheck =
    (hostLines: (file: string, lines: string[]) => string[]): typeof checkHost =>
    (scripts, opts) =>
      checkHost(scripts, { ...opts, runHost: (s) => ({ lines: hostLines(s.file, simulate(s, plugin(opts?.reclaim))), statuses: [] }) });

  test("0 when everything matches", async () => {
    const o = io();
    expect(await checkHostCommand([file, file], { reclaim: "pt-reclaim", check: fakeCheck((_f, l) => l) }, o.io)).toBe(0);
    expect(o.out.at(-1)).toBe("2 of 2 scripts match (simulator reclaim: pt-reclaim, dVmRSS tolerance 0 kB)");
  });

  test("1 on a mismatch, with a hint when the kernel has CONFIG_PT_RECLAIM", async () => {
    const o = io();
    const check = fakeCheck((_f, l) => l.map((x) => x.replace("dVmRSS=4", "dVmRSS=8")));
    expect(await checkHostCommand([touching], { check, reclaim: "none", kernelHasPtReclaim: () => true }, o.io)).toBe(1);
    expect(o.out).toContain("  ! dVmRSS sim=4 host=8");
    expect(o.err).toEqual(["mmsim check-host: note: this kernel has CONFIG_PT_RECLAIM=y; compare with --reclaim pt-reclaim"]);
    const p = io();
    expect(await checkHostCommand([touching], { check, reclaim: "none", rssTolerance: "4", kernelHasPtReclaim: () => true }, p.io)).toBe(0);
    const q = io();
    expect(await checkHostCommand([touching], { check, reclaim: "pt-reclaim", kernelHasPtReclaim: () => true }, q.io)).toBe(1);
    expect(q.err).toEqual([]);
  });

  test("no --reclaim: the design the kernel has, said on stderr (mutant: always none is caught)", async () => {
    const used: (string | null)[] = [];
    const check: typeof checkHost = (scripts, opts) => {
      used.push((opts?.reclaim as () => { name: string } | null)()?.name ?? null);
      return checkHost(scripts, { ...opts, runHost: (s) => ({ lines: simulate(s, plugin(opts?.reclaim)), statuses: [] }) });
    };
    const cases: [PtReclaimDetection, string | null, string][] = [
      [{ enabled: true, how: "/proc/config.gz" }, "pt-reclaim", "mmsim check-host: the running kernel has CONFIG_PT_RECLAIM=y (/proc/config.gz): simulating --reclaim pt-reclaim; give --reclaim to choose"],
      [{ enabled: false, how: "/boot/config-6.1" }, null, "mmsim check-host: the running kernel has no CONFIG_PT_RECLAIM (/boot/config-6.1): simulating --reclaim none; give --reclaim to choose"],
      [{ enabled: null, how: "no config" }, null, "mmsim check-host: the running kernel may or may not have CONFIG_PT_RECLAIM (cannot tell) (no config): simulating --reclaim none; give --reclaim to choose"],
    ];
    for (const [d, design, line] of cases) {
      const o = io();
      used.length = 0;
      expect(await checkHostCommand([file], { check, detect: () => d, kernelHasPtReclaim: () => true }, o.io)).toBe(0);
      expect(o.err).toEqual([line]);
      expect(used).toEqual([design]);
    }
    const o = io();
    await checkHostCommand([file], { check, reclaim: "none", detect: () => { throw new Error("detected although --reclaim was given"); } }, o.io);
    expect(used.at(-1)).toBeNull();
  });

  test("2 when the check cannot run", async () => {
    const cases: [string[], Parameters<typeof checkHostCommand>[1], RegExp][] = [
      [[], {}, /no scripts given/],
      [[file], { reclaim: "magic" }, /^mmsim check-host: unknown reclaim plugin 'magic' \(known: none, pt-reclaim, rcu-freept[,;]/],
      [[file], { reclaim: join(tmp, "nope.mjs") }, /^mmsim check-host: --reclaim .*nope.mjs: cannot load module/],
      [[file], { rssTolerance: "x" }, /--rss-tolerance must be a number/],
      [[join(tmp, "missing.wl")], {}, /cannot read .*missing.wl: no such file or directory/],
      [
        [file],
        {
          reclaim: "none",
          check: () => {
            throw new HostUnavailableError("mmsim host needs Linux (this is darwin)");
          },
        },
        /^mmsim check-host: mmsim host needs Linux \(this is darwin\)$/,
      ],
    ];
    for (const [paths, opts, re] of cases) {
      const o = io();
      expect(await checkHostCommand(paths, opts, o.io)).toBe(2);
      expect(o.err[0]).toMatch(re);
    }
  });
});

describe("one plugin loader", () => {
  test("check-host takes every plugin run takes: bundled names, mutants and module paths, fresh per script", async () => {
    const mod = join(tmp, "plugin.mjs");
    writeFileSync(mod, `let n = 0; export default () => ({ name: "counted-" + ++n, specificationVersion: "v1", version: "0.0.1", models: "nothing", supports: {} });`);
    const seen: string[] = [];
    const check: typeof checkHost = (scripts, opts) => {
      const make = opts?.reclaim as () => { name: string } | null;
      for (const _s of scripts) seen.push(make()?.name ?? "none");
      return checkHost(scripts, { ...opts, runHost: (s) => ({ lines: simulate(s, null), statuses: [] }), runSim: (s) => simulate(s, null) });
    };
    const o = io();
    const rc = await checkHostCommand([file, file], { reclaim: mod, check }, o.io);
    expect(o.err).toEqual([]);
    expect(rc).toBe(0);
    expect(new Set(seen).size).toBe(2);
    const p = io();
    expect(await checkHostCommand([file], { reclaim: "mutant:no-tlb-flush", check }, p.io)).toBe(0);
    expect(p.out.at(-1)).toMatch(/simulator reclaim: /);
  });
});

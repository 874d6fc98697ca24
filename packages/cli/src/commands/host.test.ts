import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkHost, HELLO, HostUnavailableError, simulate, type PtReclaimDetection } from "@mmsim/host";
import { afterAll, describe, expect, test } from "vitest";
import { OutputClosed } from "../io.js";
import { reportError } from "../report.js";
import type { ReclaimPlugin } from "@mmsim/core";
import { ptReclaim, reclaim_pt_is_enabled } from "@mmsim/reclaim-pt-reclaim";
import { checkHostCommand, hostCommand, randomCheckHostCommand } from "./host.js";

/** pt-reclaim mutant: reclaim_pt_is_enabled() without `end - start >= PMD_SIZE` (a zap of part of a slice frees the whole table). */
const partialSlice = (): ReclaimPlugin => ({ ...ptReclaim(), name: "mutant:partial-slice", reclaim_pt_is_enabled: (k, s, e, d) => reclaim_pt_is_enabled(k, s, s + k.arch.PMD_SIZE, d) && e > s });

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

describe("randomCheckHostCommand (check-host --random)", () => {
  // The kernel stood in for by the simulator with pt-reclaim; the simulator under test is
  // pt-reclaim, or a mutant that frees the PTE table of a partly zapped slice (VmPTE too low).
  const sim = (plugin: "pt-reclaim" | "mutant") => (s: Parameters<typeof simulate>[0]) => {
    const real = simulate(s, ptReclaim());
    const mutant = simulate(s, plugin === "pt-reclaim" ? ptReclaim() : partialSlice());
    return checkHost([s], { runHost: () => ({ lines: real, statuses: [] }), runSim: () => mutant }).scripts[0];
  };

  test("a mismatch is printed shrunk, with a replay command that gives exactly that case again; exit 1", async () => {
    const a = io();
    const out = join(tmp, "shrunk");
    expect(await randomCheckHostCommand({ random: "40", seed: "1", reclaim: "pt-reclaim", check: sim("mutant"), out }, a.io)).toBe(1);
    const text = a.out.join("\n");
    expect(text).toMatch(/^FAIL random-1-\d+\.wl: mismatch; shrunk from \d+ to \d+ statements \(\d+ runs\):$/m);
    expect(text).toMatch(/dVmPTE sim=-?\d+ host=-?\d+/);
    expect(a.out.at(-1)).toMatch(/^40 random scripts \(seed 1\): \d+ match, 0 known differences, [1-9]\d* mismatch(es)?, 0 errors \(simulator reclaim: pt-reclaim\)$/);
    const replay = a.out.find((l) => l.startsWith("  replay: "))!;
    expect(replay).toMatch(/^ {2}replay: mmsim check-host --seed 1 --case \d+ --reclaim pt-reclaim$/);
    const k = /--case (\d+)/.exec(replay)![1];
    const b = io();
    expect(await randomCheckHostCommand({ seed: "1", case: k, reclaim: "pt-reclaim", check: sim("mutant") }, b.io)).toBe(1);
    const first = a.out.findIndex((l) => l.startsWith(`FAIL random-1-${k}.wl`));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(b.out.slice(0, -1)).toEqual(a.out.slice(first, first + b.out.length - 1));
    expect(b.out.at(-1)).toBe(`case ${k} of seed 1: 0 match, 0 known differences, 1 mismatch, 0 errors (simulator reclaim: pt-reclaim)`);
    // --out: the shrunk script, which check-host of the file shows mismatching again
    const path = join(out, `random-1-${k}.wl`);
    expect(text).toContain(`  shrunk script: ${path} (mmsim check-host ${path} --reclaim pt-reclaim)`);
    const c = io();
    expect(await checkHostCommand([path], { reclaim: "pt-reclaim", check: (scripts) => ({ ...checkHost(scripts, { runHost: (s) => ({ lines: simulate(s, ptReclaim()), statuses: [] }), runSim: (s) => simulate(s, partialSlice()) }) }) }, c.io)).toBe(1);
  });

  test("the same seed prints the same, byte for byte; no mismatch: exit 0", async () => {
    const a = io();
    const b = io();
    expect(await randomCheckHostCommand({ random: "15", seed: "9", reclaim: "pt-reclaim", check: sim("pt-reclaim") }, a.io)).toBe(0);
    expect(await randomCheckHostCommand({ random: "15", seed: "9", reclaim: "pt-reclaim", check: sim("pt-reclaim") }, b.io)).toBe(0);
    expect(a.out).toEqual(["15 random scripts (seed 9): 15 match, 0 known differences, 0 mismatches, 0 errors (simulator reclaim: pt-reclaim)"]);
    expect(b.out).toEqual(a.out);
  });

  test("bad numbers are usage errors (exit 2) before anything runs", async () => {
    for (const [o, msg] of [
      [{ random: "0" }, "--random must be an integer from 1 to 4294967295 (got '0')"],
      [{ random: "2", case: "2" }, "--case 2 is not one of the --random 2 cases (0 to 1)"],
      [{ random: "2", seed: "1.5" }, "--seed must be an integer from 0 to 4294967295 (got '1.5')"],
      [{ random: "2", rssTolerance: "-1" }, "--rss-tolerance must be a number of kB >= 0 (got '-1')"],
    ] as const) {
      const a = io();
      expect(await randomCheckHostCommand({ ...o, reclaim: "pt-reclaim", check: () => { throw new Error("ran"); } }, a.io)).toBe(2);
      expect(a.err).toEqual([`mmsim check-host: ${msg}`]);
    }
  });
});

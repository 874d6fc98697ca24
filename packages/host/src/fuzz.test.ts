/**
 * check-host's random scripts (fuzz.ts): the generator's determinism and
 * coverage, the shrinker, and the runner catching a broken simulator: a
 * pt-reclaim mutant that frees the PTE table of a partly zapped 2 MiB slice
 * (VmPTE too low), against a simulated "host" (no compiler needed) and against
 * this machine's kernel (skipped without Linux, cc or CONFIG_PT_RECLAIM).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReclaimPlugin } from "@mmsim/core";
import { parseScript, type Script } from "@mmsim/core/workload";
import { ptReclaim, reclaim_pt_is_enabled } from "@mmsim/reclaim-pt-reclaim";
import { afterAll, describe, expect, test } from "vitest";
import { simulate } from "./check.js";
import { compareLines } from "./compare.js";
import { findSystemCompiler } from "./compile.js";
import { caseFile, fuzzAdvice, fuzzHost, KNOWN_DIFFERENCES, mismatchSignature, randomScript, shrinkScript, verdictOf } from "./fuzz.js";
import { detectPtReclaim, probePtReclaim } from "./pt-reclaim-detect.js";
import type { HostRunOptions } from "./run.js";

/** pt-reclaim with reclaim_pt_is_enabled() missing `end - start >= PMD_SIZE`: a zap of part of a slice frees the whole table. */
const partialSlice = (): ReclaimPlugin => ({
  ...ptReclaim(),
  name: "mutant:partial-slice",
  reclaim_pt_is_enabled: (k, s, e, d) => reclaim_pt_is_enabled(k, s, s + k.arch.PMD_SIZE, d) && e > s,
});

/** A comparison of the simulator with `sim` against the simulator with `host` standing in for the kernel. */
function simulatedCheck(sim: () => ReclaimPlugin | null, host: () => ReclaimPlugin | null) {
  return (s: Script) => {
    const lines = compareLines(simulate(s, sim()), simulate(s, host()));
    return { name: s.file, ok: lines.every((l) => l.ok), lines };
  };
}

describe("randomScript", () => {
  test("the same seed and case give the same script, byte for byte; another seed or case another one", () => {
    for (let i = 0; i < 20; i++) expect(randomScript(7, i)).toBe(randomScript(7, i));
    expect(randomScript(7, 0)).not.toBe(randomScript(8, 0));
    expect(randomScript(7, 0)).not.toBe(randomScript(7, 1));
    // case K alone is case K of a run: nothing carries over from the cases before it
    const run = fuzzHost({ seed: 7, count: 3, check: simulatedCheck(ptReclaim, ptReclaim) });
    expect(run.map((r) => r.text)).toEqual([0, 1, 2].map((i) => randomScript(7, i)));
    expect(fuzzHost({ seed: 7, count: 3, only: 2, check: simulatedCheck(ptReclaim, ptReclaim) })[0].text).toBe(randomScript(7, 2));
  });

  test("scripts parse, map only at fixed addresses in the corpus's 512 GiB slots, and cover every advice the model implements, mprotect, munmap, pressure, THP", () => {
    const seen = new Set<string>();
    const advice = new Set<string>();
    let pudCrossing = 0;
    let giant = 0;
    for (let i = 0; i < 300; i++) {
      const text = randomScript(1, i);
      const script = parseScript(text, caseFile(1, i));
      for (const s of script.stmts) {
        seen.add(s.op);
        if (s.op === "madvise") advice.add(String(s.advice));
        if (s.op !== "mmap") continue;
        if (s.thp) seen.add(s.thp);
        if (s.shared) seen.add("shared");
        expect(s.addr?.kind).toBe("num");
        const addr = s.addr?.kind === "num" ? s.addr.value : -1;
        const len = s.size.kind === "num" ? s.size.value : -1;
        expect(addr).toBeGreaterThanOrEqual(0x200000000000);
        expect(addr + Math.min(len, 2 ** 40)).toBeLessThan(0x7f0000000000);
        if (Math.floor(addr / 2 ** 30) !== Math.floor((addr + len - 1) / 2 ** 30)) pudCrossing++;
        if (len >= 2 ** 30) giant++;
      }
    }
    for (const op of ["mmap", "touch", "madvise", "mprotect", "munmap", "reclaim", "status", "hugepage", "nohugepage", "shared"]) expect(seen).toContain(op);
    for (const a of fuzzAdvice()) expect(advice).toContain(String(a));
    expect(pudCrossing).toBeGreaterThan(10);
    expect(giant).toBeGreaterThan(10);
    // --no-pressure
    for (let i = 0; i < 100; i++) expect(randomScript(1, i, { reclaim: false })).not.toMatch(/^reclaim/m);
  });

  test("the advice drawn from is what the model implements: the named advice madvise_behavior_valid() takes, populate, MADV_DONTNEED_LOCKED; never one it refuses (MADV_REMOVE, MADV_COLLAPSE)", () => {
    const a = fuzzAdvice();
    expect(a).toEqual(expect.arrayContaining(["dontneed", "free", "cold", "pageout", "hugepage", "nohugepage", "guard_install", "guard_remove", "dontfork", 22, 23, 24]));
    expect(a).not.toContain(9); // MADV_REMOVE
    expect(a).not.toContain(25); // MADV_COLLAPSE
  });
});

describe("shrinkScript", () => {
  test("delta debugging keeps what the failure needs, within its budget", () => {
    const text = ["mmap a 4M @0x200000000000", "status s0", "touch a 0 4K", "status s1", "munmap a 0 4K", "status s2", "touch a 0 8K", "status s3", "madvise a 0 4M dontneed", "status s4"].join("\n") + "\n";
    const fails = (t: string) => t.includes("touch a 0 4K") && t.includes("madvise a 0 4M dontneed");
    const r = shrinkScript(text, fails);
    expect(r.text).toBe("touch a 0 4K\nmadvise a 0 4M dontneed\n");
    expect(shrinkScript(text, fails, 3).runs).toBe(3);
    // nothing to drop: the text comes back without its comments
    expect(shrinkScript("# c\nstatus s0\n", () => true).text).toBe("status s0\n");
  });
});

describe("KNOWN_DIFFERENCES", () => {
  const known = (text: string, sim: string[], host: string[]) => {
    const lines = compareLines(sim, host);
    return KNOWN_DIFFERENCES.filter((d) => d.matches(text, { name: "t", ok: false, lines })).map((d) => d.name);
  };
  const freed = "mmap a 4M hugepage @0x200000000000\ntouch a 0 4M write 2M\nmadvise a 0 4M free\nstatus s0\nreclaim 64G\nstatus s1\n";
  const s0 = "s0 dVmSize=0 dVmRSS=4096 dVmPTE=12";
  test("a lazily freed PMD-mapped THP Linux discards whole (sim higher by 2 MiB steps) and a folio batch Linux does not drain (sim lower by at most 31 pages), right after reclaim", () => {
    expect(known(freed, [s0, "s1 dVmSize=0 dVmRSS=4096 dVmPTE=12"], [s0, "s1 dVmSize=0 dVmRSS=0 dVmPTE=12"])).toEqual(["lazyfree-pmd-thp"]);
    expect(known(freed, [s0, "s1 dVmSize=0 dVmRSS=4088 dVmPTE=12"], [s0, "s1 dVmSize=0 dVmRSS=4096 dVmPTE=12"])).toEqual(["lru-batch"]);
  });
  test("anything else is a finding: another field, another amount, a status not right after reclaim, no MADV_FREE", () => {
    expect(known(freed, [s0, "s1 dVmSize=0 dVmRSS=4096 dVmPTE=8"], [s0, "s1 dVmSize=0 dVmRSS=0 dVmPTE=12"])).toEqual([]);
    expect(known(freed, [s0, "s1 dVmSize=0 dVmRSS=4092 dVmPTE=12"], [s0, "s1 dVmSize=0 dVmRSS=0 dVmPTE=12"])).toEqual([]);
    expect(known(freed, [s0, "s1 dVmSize=0 dVmRSS=3000 dVmPTE=12"], [s0, "s1 dVmSize=0 dVmRSS=4096 dVmPTE=12"])).toEqual([]);
    expect(known(freed, ["s0 dVmSize=0 dVmRSS=4092 dVmPTE=12", "s1 dVmSize=0 dVmRSS=4096 dVmPTE=12"], [s0, "s1 dVmSize=0 dVmRSS=4096 dVmPTE=12"])).toEqual([]);
    expect(known(freed.replace(" free", " dontneed"), [s0, "s1 dVmSize=0 dVmRSS=4096 dVmPTE=12"], [s0, "s1 dVmSize=0 dVmRSS=0 dVmPTE=12"])).toEqual([]);
  });
  test("MADV_COLLAPSE of a shared mapping over an aligned 2 MiB (the model's -EINVAL, Linux's collapse_file()); not of a private one", () => {
    const shared = "mmap s 4M shared @0x200000000000\nmmap p 4M @0x210000000000\nmadvise s 0 2M collapse\n";
    expect(known(shared, ["madvise-error Invalid argument"], [])).toEqual(["collapse-shmem"]);
    expect(known(shared.replace("madvise s", "madvise p"), ["madvise-error Invalid argument"], [])).toEqual([]);
    expect(known(shared, ["madvise-error Cannot allocate memory"], [])).toEqual([]);
    expect(known(shared, [], ["madvise-error Invalid argument"])).toEqual([]);
  });
});

describe("fuzzHost against a simulated host", () => {
  test("a simulator that frees the table of a partly zapped slice (mutant) is caught within 40 cases, shrunk to a few statements that still show it", () => {
    const check = simulatedCheck(partialSlice, ptReclaim);
    const run = fuzzHost({ seed: 1, count: 40, check });
    const found = run.filter((r) => r.verdict === "mismatch");
    expect(found.length).toBeGreaterThan(0);
    const f = found[0];
    expect(mismatchSignature(f.comparison)).toContain("dVmPTE");
    expect(f.shrunk!.statements[1]).toBeLessThan(f.shrunk!.statements[0]);
    expect(f.shrunk!.statements[1]).toBeLessThanOrEqual(8);
    // the shrunk script replays the same difference
    const again = check(parseScript(f.shrunk!.text, "shrunk.wl"));
    expect(verdictOf(again)).toBe("mismatch");
    expect(mismatchSignature(again)).toBe(mismatchSignature(f.comparison));
    // and pt-reclaim itself, against the same stand-in, matches everywhere
    expect(fuzzHost({ seed: 1, count: 40, check: simulatedCheck(ptReclaim, ptReclaim) }).every((r) => r.verdict === "match")).toBe(true);
  });
});

const canRun = process.platform === "linux" && findSystemCompiler() !== null;
const cacheDir = mkdtempSync(join(tmpdir(), "mmsim-host-fuzz-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const host: HostRunOptions = { compile: { cacheDir } };
const ptReclaimKernel = canRun && detectPtReclaim({ probe: () => probePtReclaim(undefined, host) }).enabled === true;

describe.skipIf(!ptReclaimKernel)("fuzzHost on this kernel (CONFIG_PT_RECLAIM=y)", () => {
  test("the partial-slice mutant is caught by the random runner within 40 cases, with dVmPTE", () => {
    const run = fuzzHost({ seed: 1, count: 40, reclaim: partialSlice, host, script: { reclaim: false }, maxShrinkRuns: 40 });
    const found = run.filter((r) => r.verdict === "mismatch");
    expect(found.length).toBeGreaterThan(0);
    expect(mismatchSignature(found[0].shrunk!.comparison)).toContain("dVmPTE");
  });
});

/**
 * The real helper on the real kernel. Skipped unless this is Linux with a C
 * compiler (CI without one still runs everything else).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseScript } from "@mmsim/core/workload";
import { afterAll, describe, expect, test } from "vitest";
import { checkHost, machineMemory, machineThp } from "./check.js";
import { parseOutputLine } from "./compare.js";
import { findSystemCompiler } from "./compile.js";
import { runOnHost, type HostRunOptions } from "./run.js";

const canRun = process.platform === "linux" && findSystemCompiler() !== null;
// A private cache: the test never touches the user's ~/.cache/mmsim.
const cacheDir = mkdtempSync(join(tmpdir(), "mmsim-host-real-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const opts: HostRunOptions = { compile: { cacheDir } };

describe.skipIf(!canRun)("on this kernel", () => {
  test("a fixed-address script: tables and pages as counted by the kernel", () => {
    const r = runOnHost(
      parseScript(
        [
          "mmap a 4M @0x200000000000",
          "status s0",
          "touch a 0 4M write 1M",
          "status s1",
          "mmap b 4M @0x200000000000",
          "touch b 0 4K",
          "mprotect a 0 4K none",
          "touch a 0 4K read",
          "munmap a 0 4M",
          "status s2",
        ].join("\n"),
        "t.wl",
      ),
      opts,
    );
    expect(r.lines[0]).toBe("s0 dVmSize=0 dVmRSS=0 dVmPTE=0");
    // 4 pages; 2 PTE tables + a PMD table + a PUD table (an untouched 512G slot).
    expect(r.lines[1]).toBe("s1 dVmSize=0 dVmRSS=16 dVmPTE=16");
    expect(r.lines.slice(2, 5)).toEqual(["mmap-error File exists", "touch-error Segmentation fault", "touch-error Segmentation fault"]);
    expect(r.lines[5]).toBe("s2 dVmSize=-4096 dVmRSS=0 dVmPTE=0");
  });

  test("check-host simulates this machine's THP settings: a hugepage region, a THP-sized write and a huge-zero-page read match whatever the mode", () => {
    const script = parseScript(
      "mmap a 4M hugepage @0x200000000000\nmmap b 4M @0x208000000000\nmmap c 2M hugepage @0x210000000000\nstatus s0\ntouch a 0 4M write 1M\ntouch b 0 4M write 2M\ntouch c 0 2M read\nstatus s1\n",
      "thp.wl",
    );
    const r = checkHost([script], { host: opts });
    expect(r.thp).toEqual(machineThp().thp);
    expect(r.memory).toEqual(machineMemory().memory);
    if (machineThp().unmodelled.length === 0) expect(r.scripts[0]).toMatchObject({ ok: true });
  });

  test("any raw advice a script may give (0 to INT_MAX) reaches madvise(2): one the kernel does not know is EINVAL, as in the simulator", () => {
    const r = runOnHost(parseScript("mmap a 4K\nmadvise a 0 4K 1001\nmadvise a 0 4K 12345\nmadvise a 0 4K 2147483647\nmadvise a 0 4K 4\n", "t.wl"), opts);
    expect(r.lines).toEqual(["madvise-error Invalid argument", "madvise-error Invalid argument", "madvise-error Invalid argument"]);
  });

  test("the helper's own RSS noise is zero (the basis of DEFAULT_RSS_TOLERANCE_KB)", () => {
    const lines = ["status s"];
    for (let i = 0; i < 40; i++) {
      const addr = `0x${(0x200000000000 + (i % 32) * 0x8000000000).toString(16)}`;
      lines.push(`mmap m${i} 8K none @${addr}`, `touch m${i} 0 8K read`, `mprotect m${i} 0 4K rw`, `touch m${i} 0 4K`);
      lines.push(`madvise m${i} 0 4K dontneed`, `madvise m${i} 1 4K dontneed`, `munmap m${i} 0 8K`, `status s${i}`);
    }
    for (let run = 0; run < 5; run++) {
      const r = runOnHost(parseScript(lines.join("\n"), "noise.wl"), opts);
      for (const l of r.lines) {
        const p = parseOutputLine(l);
        if (p.kind === "status") expect(p, l).toMatchObject({ dVmSize: 0, dVmRSS: 0, dVmPTE: 0 });
        else expect(["touch-error Segmentation fault", "madvise-error Invalid argument"]).toContain(l);
      }
    }
  });

  test("swapon that cannot be done is a clear error, and leaves nothing behind", () => {
    // A $TMPDIR where no directory can be made: the helper fails before any swapon(2).
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = "/proc/self";
    try {
      expect(() => runOnHost(parseScript("swapon 1M\nstatus s\n", "swap.wl"), opts)).toThrow(
        /swapon 1048576.*swapon impossible: cannot create a private directory in \$TMPDIR or \/tmp: /,
      );
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});

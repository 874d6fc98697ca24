import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { kernelHasPtReclaim, memorySettings, thpMode, thpSettings, unmodelledMemory, unmodelledThp } from "./kernel.js";

const tmp = mkdtempSync(join(tmpdir(), "mmsim-kernel-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the running kernel's configuration", () => {
  test("kernelHasPtReclaim reads a config.gz", () => {
    const y = join(tmp, "y.gz");
    writeFileSync(y, gzipSync("CONFIG_MMU=y\nCONFIG_PT_RECLAIM=y\n"));
    const n = join(tmp, "n.gz");
    writeFileSync(n, gzipSync("CONFIG_MMU=y\n# CONFIG_PT_RECLAIM is not set\n"));
    expect(kernelHasPtReclaim(y)).toBe(true);
    expect(kernelHasPtReclaim(n)).toBe(false);
    expect(kernelHasPtReclaim(join(tmp, "none.gz"))).toBeNull();
  });

  test("thpMode reads the bracketed mode", () => {
    const f = join(tmp, "enabled");
    writeFileSync(f, "always [madvise] never\n");
    expect(thpMode(f)).toBe("madvise");
    expect(thpMode(join(tmp, "missing"))).toBe("?");
  });

  test("thpSettings reads enabled, use_zero_page, shmem_enabled and the mTHP sizes that are on; unmodelledThp names what the simulator cannot be", () => {
    const sys = (name: string, files: Record<string, string>) => {
      const dir = join(tmp, name);
      for (const [f, text] of Object.entries(files)) {
        mkdirSync(join(dir, f, ".."), { recursive: true });
        writeFileSync(join(dir, f), text);
      }
      return dir;
    };
    // This machine's layout (Linux 6.18): the PMD size's own hugepages-2048kB inherits.
    const ours = sys("ours", {
      enabled: "always [madvise] never\n",
      use_zero_page: "1\n",
      shmem_enabled: "always within_size advise [never] deny force\n",
      hpage_pmd_size: "2097152\n",
      "hugepages-2048kB/enabled": "always [inherit] madvise never\n",
      "hugepages-64kB/enabled": "always inherit madvise [never]\n",
    });
    expect(thpSettings(ours)).toEqual({ enabled: "madvise", useZeroPage: true, shmemEnabled: "never", mthp: [] });
    expect(unmodelledThp(thpSettings(ours))).toEqual([]);
    const other = sys("other", {
      enabled: "[always] madvise never\n",
      use_zero_page: "0\n",
      shmem_enabled: "always [within_size] advise never deny force\n",
      hpage_pmd_size: "2097152\n",
      "hugepages-2048kB/enabled": "always [inherit] madvise never\n",
      "hugepages-16kB/enabled": "always inherit madvise [never]\n",
      "hugepages-64kB/enabled": "always [inherit] madvise never\n",
      "hugepages-128kB/enabled": "always inherit [madvise] never\n",
    });
    const s = thpSettings(other);
    expect(s).toEqual({ enabled: "always", useZeroPage: false, shmemEnabled: "within_size", mthp: ["64kB", "128kB"] });
    const u = unmodelledThp(s);
    expect(u).toHaveLength(2);
    expect(u[0]).toMatch(/^this machine enables multi-size THP \(64kB, 128kB in .*\), which the simulator does not model/);
    expect(u[1]).toMatch(/^this machine has THP for shmem \(.*shmem_enabled is within_size\), which the simulator does not model/);
    // An mTHP size that inherits "never" is off.
    const never = sys("never", { enabled: "always madvise [never]\n", "hugepages-64kB/enabled": "always [inherit] madvise never\n" });
    expect(thpSettings(never)).toEqual({ enabled: "never", useZeroPage: null, shmemEnabled: null, mthp: [] });
    expect(thpSettings(join(tmp, "no-thp"))).toEqual({ enabled: null, useZeroPage: null, shmemEnabled: null, mthp: [] });
  });

  test("memorySettings reads MemTotal, SwapTotal, Committed_AS and the overcommit sysctls; unmodelledMemory names swap and mode 2", () => {
    const proc = join(tmp, "proc");
    mkdirSync(join(proc, "sys", "vm"), { recursive: true });
    writeFileSync(join(proc, "meminfo"), "MemTotal:       24683664 kB\nMemFree:        1000 kB\nSwapTotal:             0 kB\nCommitted_AS:    8256736 kB\n");
    writeFileSync(join(proc, "sys", "vm", "overcommit_memory"), "0\n");
    writeFileSync(join(proc, "sys", "vm", "overcommit_ratio"), "50\n");
    writeFileSync(join(proc, "sys", "vm", "overcommit_kbytes"), "0\n");
    const s = memorySettings(proc);
    expect(s).toEqual({ ramBytes: 24683664 * 1024, swapBytes: 0, overcommitMemory: 0, overcommitRatio: 50, overcommitKbytes: 0, committedBytes: 8256736 * 1024 });
    expect(unmodelledMemory(s)).toEqual([]);
    const u = unmodelledMemory({ ...s, swapBytes: 4 * 2 ** 30, overcommitMemory: 2 });
    expect(u).toHaveLength(2);
    expect(u[0]).toMatch(/^this machine has swap \(SwapTotal 4194304 kB\)/);
    expect(u[1]).toMatch(/^this machine has vm.overcommit_memory=2: .*Committed_AS 8256736 kB/);
    expect(memorySettings(join(tmp, "no-proc"))).toEqual({ ramBytes: null, swapBytes: null, overcommitMemory: null, overcommitRatio: null, overcommitKbytes: null, committedBytes: null });
  });
});

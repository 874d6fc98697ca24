/** `--iec` labels sizes MiB/GiB on compare and replay; without it the text is as it always was. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { mmsim } from "./testing.js";

const TRACES = join(dirname(createRequire(import.meta.url).resolve("@mmsim/trace/package.json")), "traces");

describe("--iec", () => {
  it("compare: GiB and MiB with --iec, GB and MB without", async () => {
    const iec = await mmsim(["compare", "seed-small", "--reclaim", "none", "--iec"]);
    expect(iec.stdout).toMatch(/^VIRT \(VmSize\)\s+1048576 kB \(1\.0 GiB\)\s+1048576 kB \(1\.0 GiB\)$/m);
    expect(iec.stdout).toMatch(/^VmPTE\s+0 kB\s+2060 kB \(2\.0 MiB\)$/m);
    const legacy = await mmsim(["compare", "seed-small", "--reclaim", "none"]);
    expect(legacy.stdout).toMatch(/^VIRT \(VmSize\)\s+1048576 kB \(1\.0 GB\)\s+1048576 kB \(1\.0 GB\)$/m);
    expect(legacy.stdout).toMatch(/^VmPTE\s+0 kB\s+2060 kB \(2\.0 MB\)$/m);
  });

  it("replay: the figures table", async () => {
    const r = await mmsim(["replay", join(TRACES, "fork-remap.trace"), "--reclaim", "none", "--iec"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VIRT \(VmSize\)\s+\d+ kB \(\d+\.\d MiB\)$/m);
  });
});

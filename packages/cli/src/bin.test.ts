// One end-to-end check of the built bin (skipped until `npx tsup` has built dist/).
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./testing.js";

const BIN = fileURLToPath(new URL("../bin/mmsim.js", import.meta.url));
const built = existsSync(fileURLToPath(new URL("../dist/mmsim.js", import.meta.url)));

describe.skipIf(!built)("bin/mmsim.js (the committed bin running dist/mmsim.js)", () => {
  it("is committed executable: npm links it before anything is built, with no prepare script", () => {
    expect(statSync(BIN).mode & 0o111).toBe(0o111);
  });

  it("is an executable bin that runs a script", () => {
    const dir = tempDir({ "t.mms": "status a\nmmap m 2M\ntouch m 0 2M\nstatus b\n" });
    const r = spawnSync(BIN, ["run", "t.mms"], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^a dVmSize=0 dVmRSS=0 dVmPTE=0\nb dVmSize=2048 dVmRSS=2048 dVmPTE=12\n\n\/proc\/1\/status \(reclaim: none\):\nVmPeak:/);
  });

  it("runs a status line in a long loop in constant memory: 3,000,000 status lines in a 64 MB heap (run keeps none of them, compare the first and last)", () => {
    const dir = tempDir({ "big.mms": "mmap a 4K\nstatus s0\nrepeat 3000000\n  status s\nend\nstatus s1\n" });
    for (const args of [["run", "big.mms"], ["compare", "big.mms", "--reclaim", "none", "--json"]]) {
      const r = spawnSync(process.execPath, ["--max-old-space-size=64", BIN, ...args], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 30 });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      if (args[0] === "run") {
        expect(r.stdout.split("\n").length).toBeGreaterThan(3_000_002);
        expect(r.stdout).toContain("\ns1 dVmSize=0 dVmRSS=0 dVmPTE=0\n\n/proc/1/status");
      } else expect(JSON.parse(r.stdout)).toEqual([{ reclaim: null, before: { VmSize: 4, VmRSS: 0, VmPTE: 0 }, after: { VmSize: 4, VmRSS: 0, VmPTE: 0 } }]);
    }
  }, 120_000);

  it("ends quietly when its reader closes the pipe (`| head`): exit 0, nothing on stderr", () => {
    for (const args of ["list", "run seed-small", "compare seed-small --json --reclaim none"]) {
      const r = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${BIN}" ${args} | true`], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
  });
});

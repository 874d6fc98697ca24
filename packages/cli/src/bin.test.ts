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

  it("ends quietly when its reader closes the pipe (`| head`): exit 0, nothing on stderr", () => {
    for (const args of ["list", "run seed-small", "compare seed-small --json --reclaim none"]) {
      const r = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${BIN}" ${args} | true`], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
  });
});

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

  it("a plugin module that does not exist: 'no such file', as in-process (bad-inputs.cases.ts), without Node's absolute path", () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [BIN, "run", "seed-small", "--reclaim", "./missing.mjs"], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("error: --reclaim ./missing.mjs: cannot load module: no such file\n");
    expect(r.status).toBe(2);
  });

  it("a plugin that imports a name its import does not export (a misspelt kernel function): Node's message and the importing line, not 'not valid JavaScript'", () => {
    // Only the bin shows it: under vitest the import is vite's, which binds the missing name to undefined.
    const dir = tempDir({
      "p.mjs": 'import { pte_fre } from "./kernel.mjs";\nexport default { specificationVersion: "v1", name: "p", version: "0", models: "m", supports: {} };\n',
      "kernel.mjs": "export const pte_free = 1;\n",
    });
    const r = spawnSync(process.execPath, [BIN, "run", "seed-small", "--reclaim", "./p.mjs"], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe(`error: --reclaim ./p.mjs: cannot load module: The requested module './kernel.mjs' does not provide an export named 'pte_fre' (at ${dir}/p.mjs:1)\n`);
    expect(r.status).toBe(2);
  });

  it("a plugin given as TypeScript source: compile it first, not Node's 'Unknown file extension'", () => {
    // Only the bin shows it: vitest (vite) would compile the file itself.
    const dir = tempDir({ "p.ts": 'export default { specificationVersion: "v1", name: "p", version: "0", models: "m", supports: {} } as const;\n' });
    const r = spawnSync(process.execPath, [BIN, "conformance", "./p.ts"], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("error: plugin ./p.ts: cannot load module: a TypeScript file: Node runs JavaScript only; compile the plugin first (tsc, tsup) and load the built .js file (as the module path, or as the entry package.json exports)\n");
    expect(r.status).toBe(2);
  });

  it.skipIf(!existsSync("/dev/full"))("standard output on a full disk: one line and exit 1, not an internal error's stack", () => {
    for (const args of ["list", "run seed-small", "explore fault-vs-dontneed --budget 2", "conformance pt-reclaim --budget 2 --fuzz-runs 2 --shard 1/9"]) {
      const r = spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" ${args} > /dev/full`], { encoding: "utf8" });
      expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual(["error: cannot write to standard output: no space left on device"]);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.status).toBe(1);
    }
  });

  it.skipIf(!existsSync("/dev/full"))("standard error on a full disk changes nothing: the same stdout and exit code", () => {
    for (const [args, code] of [["explore fault-vs-dontneed --budget 2", 0], ["explore fault-vs-dontneed --reclaim mutant:no-rescan --budget 2", 1], ["explore nosuch", 2]] as const) {
      const full = spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" ${args} 2> /dev/full`], { encoding: "utf8" });
      const plain = spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" ${args} 2> /dev/null`], { encoding: "utf8" });
      expect(full.status).toBe(code);
      expect(full.stdout).toBe(plain.stdout);
    }
  });
});

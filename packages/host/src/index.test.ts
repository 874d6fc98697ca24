import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseScript } from "@mmsim/core/workload";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { afterAll, describe, expect, test } from "vitest";
import * as api from "./index.js";
import { packageDir } from "./paths.js";

const readme = readFileSync(join(packageDir(), "README.md"), "utf8");
const canRun = process.platform === "linux" && api.findSystemCompiler() !== null;
const cacheDir = mkdtempSync(join(tmpdir(), "mmsim-host-readme-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("the package", () => {
  test("exports the referee, the compiler/cache helper and the corpus tools", () => {
    for (const name of ["runOnHost", "checkHost", "formatReport", "compileHelper", "compileC", "ensureCacheDir", "cacheDirPath", "kernelHasPtReclaim", "recordCorpus", "defaultCorpusDir"]) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe("function");
    }
    expect(api.PROTOCOL_VERSION).toBe(2);
    expect(api.DEFAULT_RSS_TOLERANCE_KB).toBe(0);
  });

  test("the corpus is in the package directory", () => {
    expect(api.listScenarios(api.defaultCorpusDir()).length).toBeGreaterThanOrEqual(25);
  });

  test.skipIf(!canRun)("gives the README example's output (needs Linux and cc)", () => {
    const script = parseScript("mmap a 4M @0x200000000000\nstatus s0\ntouch a 0 4M write 1M\nstatus s1\n", "example.wl");
    const lines = api.runOnHost(script, { compile: { cacheDir } }).lines;
    expect(lines).toEqual(["s0 dVmSize=0 dVmRSS=0 dVmPTE=0", "s1 dVmSize=0 dVmRSS=16 dVmPTE=16"]);
    expect(readme).toContain(`// [ '${lines[0]}', '${lines[1]}' ]`);
    const report = api.checkHost([script], { reclaim: ptReclaim(), host: { compile: { cacheDir } } });
    const text = api.formatReport(report);
    expect(text).toBe("ok   example.wl (2 lines)\n1 of 1 scripts match (simulator reclaim: pt-reclaim, dVmRSS tolerance 0 kB)");
    for (const l of text.split("\n")) expect(readme).toContain(`// ${l}`);
  });
});

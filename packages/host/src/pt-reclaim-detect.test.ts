import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { configHasPtReclaim, detectPtReclaim, probePtReclaim } from "./pt-reclaim-detect.js";
import { findSystemCompiler } from "./compile.js";
import type { HostRunResult } from "./run.js";

const tmp = mkdtempSync(join(tmpdir(), "mmsim-detect-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const missing = join(tmp, "missing");

describe("detectPtReclaim", () => {
  test("/proc/config.gz first, then /boot/config-<release>, saying which", () => {
    const gz = join(tmp, "config.gz");
    writeFileSync(gz, gzipSync("CONFIG_MMU=y\nCONFIG_PT_RECLAIM=y\n"));
    const boot = join(tmp, "config-6.1");
    writeFileSync(boot, "CONFIG_MMU=y\n# CONFIG_PT_RECLAIM is not set\n");
    const never = () => {
      throw new Error("probed although a config was readable");
    };
    expect(detectPtReclaim({ configGz: gz, bootConfig: boot, probe: never })).toEqual({ enabled: true, how: gz });
    expect(detectPtReclaim({ configGz: missing, bootConfig: boot, probe: never })).toEqual({ enabled: false, how: boot });
  });

  test("no config: the probe decides; a probe that cannot run leaves it unknown", () => {
    expect(detectPtReclaim({ configGz: missing, bootConfig: missing, probe: () => true }).enabled).toBe(true);
    expect(detectPtReclaim({ configGz: missing, bootConfig: missing, probe: () => false }).how).toMatch(/^a probe \(MADV_DONTNEED of a touched 4M range kept its PTE table/);
    const r = detectPtReclaim({ configGz: missing, bootConfig: missing, probe: () => { throw new Error("no C compiler"); } });
    expect(r).toEqual({ enabled: null, how: `no ${missing} or ${missing}, and the probe could not run: no C compiler` });
    expect(detectPtReclaim({ configGz: missing, bootConfig: missing, probe: false }).enabled).toBeNull();
  });

  test("the config text: =y only (mutant: matching the comment line '# CONFIG_PT_RECLAIM is not set' is caught)", () => {
    expect(configHasPtReclaim("CONFIG_PT_RECLAIM=y\n")).toBe(true);
    expect(configHasPtReclaim("# CONFIG_PT_RECLAIM is not set\n")).toBe(false);
    expect(configHasPtReclaim("CONFIG_PT_RECLAIM_X=y\n")).toBe(false);
    const mutant = (t: string) => /CONFIG_PT_RECLAIM/.test(t);
    expect(mutant("# CONFIG_PT_RECLAIM is not set\n")).not.toBe(configHasPtReclaim("# CONFIG_PT_RECLAIM is not set\n"));
  });

  test("the probe reads VmPTE before and after the MADV_DONTNEED", () => {
    const fake = (after: number) => (): HostRunResult => ({ lines: [], statuses: [{ label: "touched", VmSize: 4096, VmRSS: 4096, VmPTE: 12 }, { label: "after", VmSize: 4096, VmRSS: 0, VmPTE: after }] });
    expect(probePtReclaim(fake(8))).toBe(true);
    expect(probePtReclaim(fake(12))).toBe(false);
  });

  test.skipIf(process.platform !== "linux" || findSystemCompiler() === null)("on this machine the probe agrees with the configuration", () => {
    const config = detectPtReclaim({ probe: false });
    const probed = probePtReclaim(undefined, { compile: { cacheDir: tmp } });
    if (config.enabled !== null) expect(probed).toBe(config.enabled);
  }, 600_000);
});

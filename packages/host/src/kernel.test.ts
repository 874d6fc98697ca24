import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { kernelHasPtReclaim, thpMode } from "./kernel.js";

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
});

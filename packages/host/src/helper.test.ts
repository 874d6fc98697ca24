import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { findSystemCompiler } from "./compile.js";
import { HostUnavailableError } from "./errors.js";
import { checkHostSupport, compileHelper, helperSourcePath } from "./helper.js";

const tmp = mkdtempSync(join(tmpdir(), "mmsim-host-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("host support errors", () => {
  test("not Linux", () => {
    for (const platform of ["darwin", "win32", "freebsd"]) {
      expect(() => checkHostSupport({ platform, findCompiler: () => "/usr/bin/cc" })).toThrow(new HostUnavailableError(`mmsim host needs Linux (this is ${platform})`));
    }
  });

  test("no compiler", () => {
    expect(() => checkHostSupport({ platform: "linux", findCompiler: () => null })).toThrow(
      "mmsim host needs a C compiler (cc) to build its helper: install gcc or clang",
    );
    expect(() => compileHelper({ platform: "linux", findCompiler: () => null })).toThrow(HostUnavailableError);
  });

  test("Linux is checked before the compiler", () => {
    let looked = false;
    expect(() =>
      checkHostSupport({
        platform: "darwin",
        findCompiler: () => {
          looked = true;
          return null;
        },
      }),
    ).toThrow(/needs Linux/);
    expect(looked).toBe(false);
  });
});

test("the C source ships in helper/", () => {
  expect(helperSourcePath()).toMatch(/[/\\]helper[/\\]mmsim-host\.c$/);
  expect(readFileSync(helperSourcePath(), "utf8")).toContain("PROTOCOL (version 2");
});

const cc = process.platform === "linux" ? findSystemCompiler() : null;

describe.skipIf(cc === null)("building the helper (needs Linux and cc)", () => {
  test("compiles once per source and compiler, then reuses the cache", () => {
    const cacheDir = join(tmp, "cache");
    const a = compileHelper({ cacheDir });
    expect(a.startsWith(join(cacheDir, "mmsim-host-"))).toBe(true);
    const t = statSync(a).mtimeMs;
    expect(compileHelper({ cacheDir })).toBe(a);
    expect(statSync(a).mtimeMs).toBe(t);
    // Another source: another binary.
    const src = join(tmp, "edited.c");
    writeFileSync(src, readFileSync(helperSourcePath(), "utf8") + "\n/* edited */\n");
    const b = compileHelper({ cacheDir, source: src });
    expect(b).not.toBe(a);
  });

  test("by default in $XDG_CACHE_HOME/mmsim", () => {
    const xdg = join(tmp, "xdg");
    const bin = compileHelper({ env: { ...process.env, XDG_CACHE_HOME: xdg } });
    expect(bin.startsWith(join(xdg, "mmsim", "mmsim-host-"))).toBe(true);
    expect(statSync(join(xdg, "mmsim")).mode & 0o777).toBe(0o700);
  });

  test("a compile error is reported with the compiler's message", () => {
    const src = join(tmp, "broken.c");
    writeFileSync(src, "int main(void) { return nope; }\n");
    expect(() => compileHelper({ cacheDir: join(tmp, "cache2"), source: src })).toThrow(/^mmsim host: building the helper failed: .*\n.*nope/s);
  });

  test("a cache directory others can write to is refused", () => {
    const cacheDir = join(tmp, "cache3");
    compileHelper({ cacheDir });
    chmodSync(cacheDir, 0o777);
    expect(() => compileHelper({ cacheDir })).toThrow(HostUnavailableError);
    expect(() => compileHelper({ cacheDir })).toThrow(/^mmsim host: refusing to use cache directory .*cache3: writable by group or others \(mode 0777\)/);
  });
});

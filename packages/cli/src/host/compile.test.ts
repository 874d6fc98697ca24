import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { checkHostSupport, ensureHelper, findSystemCompiler, helperSourcePath, HostUnavailableError } from "./compile.js";

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
    expect(() => ensureHelper({ platform: "linux", findCompiler: () => null })).toThrow(HostUnavailableError);
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

describe("findSystemCompiler", () => {
  const bin = join(tmp, "bin");
  mkdirSync(bin, { recursive: true });
  const exe = (name: string) => {
    writeFileSync(join(bin, name), "#!/bin/sh\n");
    chmodSync(join(bin, name), 0o755);
    return join(bin, name);
  };

  test("none on an empty PATH", () => {
    expect(findSystemCompiler({ PATH: join(tmp, "nothing-here") })).toBeNull();
  });

  test("cc, gcc or clang from PATH; $CC first", () => {
    const clang = exe("clang");
    expect(findSystemCompiler({ PATH: bin })).toBe(clang);
    const gcc = exe("gcc");
    expect(findSystemCompiler({ PATH: bin })).toBe(gcc);
    const mycc = exe("mycc");
    expect(findSystemCompiler({ PATH: bin, CC: "mycc" })).toBe(mycc);
    expect(findSystemCompiler({ PATH: bin, CC: mycc })).toBe(mycc);
    expect(findSystemCompiler({ PATH: bin, CC: "missing-cc" })).toBe(gcc);
  });
});

test("the C source ships next to src/", () => {
  expect(readFileSync(helperSourcePath(), "utf8")).toContain("PROTOCOL (version 1");
});

const cc = process.platform === "linux" ? findSystemCompiler() : null;

describe.skipIf(cc === null)("building the helper (needs Linux and cc)", () => {
  test("compiles once per source and compiler, then reuses the cache", () => {
    const cacheRoot = join(tmp, "cache");
    const a = ensureHelper({ cacheRoot });
    expect(a.startsWith(join(cacheRoot, "mmsim-host-"))).toBe(true);
    const t = statSync(a).mtimeMs;
    expect(ensureHelper({ cacheRoot })).toBe(a);
    expect(statSync(a).mtimeMs).toBe(t);
    // Another source: another directory.
    const src = join(tmp, "edited.c");
    writeFileSync(src, readFileSync(helperSourcePath(), "utf8") + "\n/* edited */\n");
    const b = ensureHelper({ cacheRoot, source: src });
    expect(b).not.toBe(a);
  });

  test("a compile error is reported with the compiler's message", () => {
    const src = join(tmp, "broken.c");
    writeFileSync(src, "int main(void) { return nope; }\n");
    expect(() => ensureHelper({ cacheRoot: join(tmp, "cache2"), source: src })).toThrow(/building the helper failed: .*\n.*nope/s);
  });

  test("a cache directory others can write to is refused", () => {
    const cacheRoot = join(tmp, "cache3");
    const bin = ensureHelper({ cacheRoot });
    const dir = join(bin, "..");
    chmodSync(dir, 0o777);
    expect(() => ensureHelper({ cacheRoot })).toThrow(/refusing to use helper cache/);
  });
});

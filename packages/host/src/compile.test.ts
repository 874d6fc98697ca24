import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, test } from "vitest";
import { compileC, findSystemCompiler } from "./compile.js";
import { CacheDirError, CompileError } from "./errors.js";

const tmp = mkdtempSync(join(tmpdir(), "mmsim-compile-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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

describe("compileC errors that need no compiler", () => {
  const src = join(tmp, "x.c");
  writeFileSync(src, "int main(void) { return 0; }\n");

  test("no compiler", () => {
    expect(() => compileC(src, { name: "x", env: { PATH: join(tmp, "nothing-here") }, cacheDir: join(tmp, "c0") })).toThrow(CompileError);
    expect(() => compileC(src, { name: "x", env: { PATH: join(tmp, "nothing-here") }, cacheDir: join(tmp, "c0") })).toThrow(/no C compiler found/);
  });

  test("a binary name that is not a plain file name", () => {
    for (const name of ["", "../x", "a/b", ".hidden"]) expect(() => compileC(src, { name, cc: "/bin/false" }), name).toThrow(/bad binary name/);
  });
});

const cc = findSystemCompiler();

describe.skipIf(cc === null || process.platform === "win32")("compileC (needs cc)", () => {
  const src = join(tmp, "hello.c");
  writeFileSync(src, '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');

  test("builds a runnable binary in the cache and reuses it", () => {
    const cacheDir = join(tmp, "cache");
    const a = compileC(src, { name: "hello", cacheDir });
    expect(a.startsWith(join(cacheDir, "hello-"))).toBe(true);
    expect(execFileSync(a, { encoding: "utf8" })).toBe("hello\n");
    const t = statSync(a).mtimeMs;
    expect(compileC(src, { name: "hello", cacheDir })).toBe(a);
    expect(statSync(a).mtimeMs).toBe(t);
  });

  test("other flags or another source: another binary", () => {
    const cacheDir = join(tmp, "cache");
    const a = compileC(src, { name: "hello", cacheDir });
    expect(compileC(src, { name: "hello", cacheDir, flags: ["-O0"] })).not.toBe(a);
    const edited = join(tmp, "hello2.c");
    writeFileSync(edited, readFileSync(src, "utf8") + "/* edited */\n");
    expect(compileC(edited, { name: "hello", cacheDir })).not.toBe(a);
  });

  test("the cache directory follows XDG_CACHE_HOME", () => {
    const xdg = join(tmp, "xdg");
    const bin = compileC(src, { name: "hello", env: { ...process.env, XDG_CACHE_HOME: xdg } });
    expect(bin.startsWith(join(xdg, "mmsim", "hello-"))).toBe(true);
  });

  test("a compiler failure is a CompileError with the compiler's output", () => {
    const broken = join(tmp, "broken.c");
    writeFileSync(broken, "int main(void) { return nope; }\n");
    let err: unknown;
    try {
      compileC(broken, { name: "broken", cacheDir: join(tmp, "cache") });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompileError);
    const ce = err as CompileError;
    expect(ce.command?.[0]).toBe(cc);
    expect(ce.command?.slice(1, 3)).toEqual(["-O2", "-o"]);
    expect(ce.output).toMatch(/nope/);
    expect(ce.message).toMatch(/^compiling .*broken\.c failed: /);
  });

  test("a world-writable cache directory is refused before anything is built", () => {
    const cacheDir = join(tmp, "open");
    mkdirSync(cacheDir, { mode: 0o700 });
    chmodSync(cacheDir, 0o777);
    expect(() => compileC(src, { name: "hello", cacheDir })).toThrow(CacheDirError);
  });
});

import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { cacheDirPath, ensureCacheDir } from "./cache.js";
import { CacheDirError } from "./errors.js";

const tmp = mkdtempSync(join(tmpdir(), "mmsim-cache-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;
const posix = process.platform !== "win32";

describe("where the cache is", () => {
  test("$XDG_CACHE_HOME/mmsim when XDG_CACHE_HOME is absolute", () => {
    expect(cacheDirPath({ env: { XDG_CACHE_HOME: "/x/cache" }, home: "/home/u" })).toBe(join("/x/cache", "mmsim"));
  });

  test("~/.cache/mmsim without XDG_CACHE_HOME, or with a relative one (the XDG spec ignores those)", () => {
    expect(cacheDirPath({ env: {}, home: "/home/u" })).toBe(join("/home/u", ".cache", "mmsim"));
    expect(cacheDirPath({ env: { XDG_CACHE_HOME: "" }, home: "/home/u" })).toBe(join("/home/u", ".cache", "mmsim"));
    expect(cacheDirPath({ env: { XDG_CACHE_HOME: "rel/cache" }, home: "/home/u" })).toBe(join("/home/u", ".cache", "mmsim"));
  });

  test("no home and no XDG_CACHE_HOME: a clear error", () => {
    expect(() => cacheDirPath({ env: {}, home: "" })).toThrow(/set XDG_CACHE_HOME/);
  });

  test("an explicit directory wins", () => {
    expect(cacheDirPath({ dir: "/some/where", env: { XDG_CACHE_HOME: "/x" } })).toBe("/some/where");
  });
});

describe.skipIf(!posix)("creating and checking it", () => {
  test("created with mode 0700, parents too", () => {
    const xdg = join(tmp, "fresh", "cache");
    const dir = ensureCacheDir({ env: { XDG_CACHE_HOME: xdg } });
    expect(dir).toBe(join(xdg, "mmsim"));
    expect(mode(dir)).toBe(0o700);
    expect(mode(xdg)).toBe(0o700);
    expect(statSync(dir).uid).toBe(process.getuid!());
    // Again: found, accepted, unchanged.
    expect(ensureCacheDir({ env: { XDG_CACHE_HOME: xdg } })).toBe(dir);
  });

  test("~/.cache/mmsim under the home directory", () => {
    const home = join(tmp, "home");
    mkdirSync(home);
    expect(ensureCacheDir({ env: {}, home })).toBe(join(home, ".cache", "mmsim"));
  });

  test("an existing 0755 directory of ours is accepted (readable, not writable by others)", () => {
    const dir = join(tmp, "readable");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    expect(ensureCacheDir({ dir })).toBe(dir);
  });

  test("a world-writable cache directory is refused, not repaired", () => {
    const xdg = join(tmp, "open");
    mkdirSync(join(xdg, "mmsim"), { recursive: true });
    chmodSync(join(xdg, "mmsim"), 0o777);
    expect(() => ensureCacheDir({ env: { XDG_CACHE_HOME: xdg } })).toThrow(CacheDirError);
    expect(() => ensureCacheDir({ env: { XDG_CACHE_HOME: xdg } })).toThrow(`refusing to use cache directory ${join(xdg, "mmsim")}: writable by group or others (mode 0777)`);
    expect(mode(join(xdg, "mmsim"))).toBe(0o777);
  });

  test("a group-writable one too (sticky or not)", () => {
    const dir = join(tmp, "group");
    mkdirSync(dir);
    chmodSync(dir, 0o770);
    expect(() => ensureCacheDir({ dir })).toThrow(/writable by group or others \(mode 0770\)/);
    chmodSync(dir, 0o1777);
    expect(() => ensureCacheDir({ dir })).toThrow(CacheDirError);
  });

  test("one owned by another user is refused", () => {
    const dir = join(tmp, "theirs");
    mkdirSync(dir, { mode: 0o700 });
    const me = process.getuid!();
    expect(() => ensureCacheDir({ dir, uid: me + 1 })).toThrow(`refusing to use cache directory ${dir}: owned by uid ${me}, not by this user (uid ${me + 1})`);
  });

  test("a symlink is judged by its target", () => {
    const target = join(tmp, "target");
    mkdirSync(target, { mode: 0o700 });
    const link = join(tmp, "link");
    symlinkSync(target, link);
    expect(ensureCacheDir({ dir: link })).toBe(link);
    chmodSync(target, 0o777);
    expect(() => ensureCacheDir({ dir: link })).toThrow(/writable by group or others/);
  });

  test("a file where the directory should be", () => {
    const file = join(tmp, "file");
    writeFileSync(file, "");
    expect(() => ensureCacheDir({ dir: file })).toThrow(CacheDirError);
  });
});

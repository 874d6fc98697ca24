import { describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { tempDir } from "./testing.js";
import { builtinNames, fsReason, loadWorkload } from "./workload.js";

describe("loadWorkload", () => {
  it("loads builtins by name and counts their operations", async () => {
    const w = await loadWorkload("seed-small", "/nonexistent");
    expect(w.builtin).toBe(true);
    expect(w.script.file).toBe("<builtin:seed-small>");
    expect(w.statuses).toBe(2);
    expect(w.ops).toBe(1 + 2 + 512 * 2);
    expect(builtinNames()).toContain("seed");
  });

  it("parses files relative to cwd, keeping the path as given for locations", async () => {
    const dir = tempDir({ "w.mms": "mmap a 2M\nstatus x\n" });
    const w = await loadWorkload("w.mms", dir);
    expect(w.builtin).toBe(false);
    expect(w.script.file).toBe("w.mms");
    expect([w.ops, w.statuses]).toEqual([2, 1]);
  });

  it("turns ScriptErrors into CliErrors with file:line:col", async () => {
    const dir = tempDir({ "w.mms": "mmap a 2M\nfrobnicate a\n" });
    const e = await loadWorkload("w.mms", dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).message).toMatch(/^w\.mms:2:1: /);
    expect((e as CliError).exitCode).toBe(1);
  });
});

describe("fsReason", () => {
  it("keeps the reason of a Node fs error", () => {
    expect(fsReason(new Error("ENOENT: no such file or directory, open '/x/y'"))).toBe("no such file or directory");
    expect(fsReason(new Error("EACCES: permission denied, open 'z'"))).toBe("permission denied");
    expect(fsReason(new Error("EISDIR: illegal operation on a directory, read"))).toBe("illegal operation on a directory");
    expect(fsReason("odd")).toBe("odd");
  });
});

import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { replayCommand, shellWord } from "./checks.js";

describe("replay lines", () => {
  test("name the plugin as given and the arch unless it is the default", () => {
    expect(replayCommand("fault-vs-dontneed", "./my plugin.mjs", "x86_64", "s1:a1b2")).toBe("mmsim explore fault-vs-dontneed --reclaim './my plugin.mjs' --replay s1:a1b2");
    expect(replayCommand("x", "pt-reclaim", "x86_64-la57", "s1:a1")).toBe("mmsim explore x --reclaim pt-reclaim --arch x86_64-la57 --replay s1:a1");
  });

  test("a quoted word reads back as itself in a POSIX shell", () => {
    for (const w of ["plain", "a b", "it's", "$HOME", "a\"b", "`x`", "*", "mutant:no-rescan", "../p/x.mjs"]) {
      expect(execFileSync("sh", ["-c", `printf %s ${shellWord(w)}`], { encoding: "utf8" })).toBe(w);
    }
    expect(shellWord("mutant:no-rescan")).toBe("mutant:no-rescan");
  });
});

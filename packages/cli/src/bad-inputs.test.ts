/**
 * No input crashes or hangs mmsim: each bad input of bad-inputs.cases.ts gives
 * its exit code and the exact first line of its message, with no JavaScript stack
 * trace and no "internal error", well within 20 s. In-process (`mmsim()` of
 * testing.ts), so the whole table takes seconds.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BAD_INPUTS } from "./bad-inputs.cases.js";
import { mmsim, tempDir } from "./testing.js";

const STACK = /^\s+at .+[:(]\d+:\d+\)?$|\bat file:\/\//m;

describe("bad inputs", () => {
  it("the table has at least 150 inputs, each named once", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(BAD_INPUTS.map((b) => b.name)).size).toBe(BAD_INPUTS.length);
  });

  for (const b of BAD_INPUTS) {
    it(b.name, async () => {
      const dir = tempDir();
      for (const [name, text] of Object.entries(b.files ?? {})) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), text, "latin1");
      }
      const t0 = performance.now();
      const r = await mmsim(b.argv, dir);
      const seconds = (performance.now() - t0) / 1000;
      // Where a message names a file of the test's directory, the table writes <dir>.
      const first = r.stderr.split("\n")[0].replaceAll(dir, "<dir>");
      if (process.env.BAD_INPUTS_RECORD) appendFileSync(process.env.BAD_INPUTS_RECORD, JSON.stringify({ name: b.name, code: r.code, first }) + "\n");
      expect({ code: r.code, first }).toEqual({ code: b.code, first: b.first });
      expect(r.stderr).not.toContain("internal error");
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stdout).not.toMatch(STACK);
      expect(seconds).toBeLessThan(20);
    }, 30_000);
  }
});

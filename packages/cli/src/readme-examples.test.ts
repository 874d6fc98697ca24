/**
 * The README's console examples print what they say: every `$ npx mmsim ...`
 * line of a ```console block is run in-process from the repository root and
 * its output compared with the lines the README shows under it, byte for byte
 * (a last line `...` means "and more": the shown lines are a prefix). `$ echo $?`
 * checks the exit code of the command before it; `$ echo '...' > FILE` and
 * `$ printf '...' > FILE` write FILE. `> /dev/null` keeps only stderr. Paths
 * under /tmp/ are those of a fresh directory.
 *
 * Skipped, and why: `compare seed` (8 designs × 7-12 s; the seed figures are
 * pinned by `compare seed | cmp` against the recorded output and by
 * packages/bench's digest test; MMSIM_README_SLOW=1 runs it too) and
 * `check-host` (needs the running kernel and a C compiler: @mmsim/host's tests).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { mmsim, tempDir, type Result } from "./testing.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const README = readFileSync(resolve(import.meta.dirname, "../README.md"), "utf8");

interface Step {
  /** The command after `$ `. */
  command: string;
  /** The lines the README shows under it. */
  expected: string[];
  /** README line of the command (1-based). */
  line: number;
}

/** The ```console blocks: each a list of commands with their shown output. Indented blocks (in a list item) included. */
export function consoleBlocks(text: string): Step[][] {
  const lines = text.split("\n");
  const blocks: Step[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```console\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const steps: Step[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) {
      const l = lines[i].slice(indent);
      if (l.startsWith("$ ")) steps.push({ command: l.slice(2), expected: [], line: i + 1 });
      else if (steps.length) steps[steps.length - 1].expected.push(l);
    }
    blocks.push(steps);
  }
  return blocks;
}

const SLOW = /^npx mmsim compare seed(\s|$)/;
const NEEDS_KERNEL = /^npx mmsim check-host /;

/** Splits a command line into words: single-quoted words kept whole, no other shell syntax. */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** The actual output lines of a step, or null when the step is only a file write. */
async function runStep(command: string, tmp: string, last: Result | null): Promise<{ result: Result | null; out: string | null }> {
  const cmd = command.replaceAll("/tmp/", tmp + "/");
  const write = /^(echo|printf) '([^']*)' > (\S+)$/.exec(cmd);
  if (write) {
    writeFileSync(write[3], write[1] === "echo" ? write[2] + "\n" : write[2].replaceAll("\\n", "\n"));
    return { result: last, out: null };
  }
  if (cmd === "echo $?") {
    if (last === null) throw new Error("`echo $?` with no command before it");
    return { result: last, out: `${last.code}\n` };
  }
  const quiet = cmd.endsWith(" > /dev/null");
  const argv = words(quiet ? cmd.slice(0, -" > /dev/null".length) : cmd);
  if (argv[0] !== "npx" || argv[1] !== "mmsim") throw new Error(`not an mmsim command: ${command}`);
  const r = await mmsim(argv.slice(2), ROOT);
  return { result: r, out: (quiet ? "" : r.stdout) + r.stderr };
}

describe("the README's console examples", () => {
  const blocks = consoleBlocks(README);

  it("finds the examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  for (const steps of blocks) {
    const first = steps[0];
    const skip = steps.some((s) => (SLOW.test(s.command) && !process.env.MMSIM_README_SLOW) || NEEDS_KERNEL.test(s.command));
    it.skipIf(skip)(`README.md:${first.line}: ${steps.map((s) => s.command).join("; ")}`, async () => {
      const tmp = tempDir();
      let last: Result | null = null;
      for (const step of steps) {
        const { result, out } = await runStep(step.command, tmp, last);
        last = result;
        if (out === null) continue;
        const actual = out.replaceAll(tmp + "/", "/tmp/").replace(/\n$/, "").split("\n");
        const shown = step.expected;
        const more = shown.length > 0 && shown[shown.length - 1] === "...";
        const want = more ? shown.slice(0, -1) : shown;
        expect({ line: step.line, output: more ? actual.slice(0, want.length) : actual }).toEqual({ line: step.line, output: want });
      }
    }, 300_000);
  }
});

describe("consoleBlocks", () => {
  it("reads commands, their output and indented blocks", () => {
    const text = "x\n```console\n$ a\nout 1\nout 2\n$ b\n```\n- item\n\n  ```console\n  $ c\n  err\n  ```\n";
    expect(consoleBlocks(text)).toEqual([
      [
        { command: "a", expected: ["out 1", "out 2"], line: 3 },
        { command: "b", expected: [], line: 6 },
      ],
      [{ command: "c", expected: ["err"], line: 11 }],
    ]);
  });
});

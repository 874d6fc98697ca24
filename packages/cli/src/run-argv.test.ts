/**
 * run-argv.ts reads the plain `mmsim run` lines without commander: every line
 * it accepts, commander's `run` parses to the same workload and options (its
 * action is replaced by one that records them) without printing anything; every
 * other line it leaves to commander. Checked on a few thousand random lines of
 * run's options, good and bad values, repeats, help and version flags, `--x=y`
 * words, `--`, `mutant:` words and stray words. main() then prints and returns
 * what the commander program does, for a good run and for failing ones.
 * Mutants: `--arch` dropped ("arch-ignored": the options differ) or its value
 * unchecked ("arch-unchecked": commander rejects a line the reader took).
 */
import { isDeepStrictEqual } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "./cli.js";
import { bufferIo } from "./io.js";
import { buildProgram, runProgram } from "./program.js";
import { plainRun, set_run_argv_mutant, type PlainRun } from "./run-argv.js";

afterEach(() => set_run_argv_mutant(null));

/** What commander's `run` makes of `argv`: the action's arguments, or what it printed and threw. */
async function commanderRun(argv: string[]): Promise<{ got: PlainRun | null; printed: string; thrown: string }> {
  const io = bufferIo();
  const program = buildProgram(io, () => {}, "run");
  let got: PlainRun | null = null;
  program.commands
    .find((c) => c.name() === "run")!
    .action((target: string, opts: PlainRun["opts"]) => {
      got = { target, opts: { ...opts } };
    });
  let thrown = "";
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    thrown = String(e);
  }
  return { got, printed: io.stdout + io.stderr, thrown };
}

const WORKLOADS = ["seed", "seed-small", "./w.wl", "w.mms"];
const VALUES: Record<string, string[]> = {
  "--reclaim": ["pt-reclaim", "none", "bogus", "freept", "@mmsim/reclaim-pt-reclaim", "./p.mjs", "@acme/reclaim-x", "pt-reclaim,none", "mutant:no-rescan", "-", ""],
  "--arch": ["x86_64", "x86_64-la57", "x86_64-pv", "arm64", "sparc", "-", ""],
  "--plot": ["p.svg", "P.SVG", "p.png", "-"],
};
const STRAY = ["--json", "--json", "--json", "-", "", "--", "-h", "--help", "-V", "--version", "--reclaim=pt-reclaim", "--json=1", "--iec", "--budget", "--reclaim", "--arch", "--plot"];

/** One piece of a random line: a workload, an option with a value, or a stray word. */
function piece(rand: (n: number) => number): string[] {
  const k = rand(10);
  if (k < 3) return [WORKLOADS[rand(WORKLOADS.length)]!];
  if (k < 8) {
    const opt = Object.keys(VALUES)[rand(3)]!;
    return [opt, VALUES[opt]![rand(VALUES[opt]!.length)]!];
  }
  return [STRAY[rand(STRAY.length)]!];
}

/** A few thousand `run` lines: fixed ones, then random words (a fixed seed). */
function lines(): string[][] {
  const fixed = [
    ["run", "seed", "--reclaim", "pt-reclaim"],
    ["run", "seed"],
    ["run", "--reclaim", "pt-reclaim", "seed"],
    ["run", "w.mms", "--json", "--arch", "arm64", "--plot", "p.svg", "--reclaim", "none"],
    ["run", "seed", "--arch", "x86_64-la57", "--reclaim", "@acme/reclaim-x"],
    ["run", "seed", "--reclaim", "./p.mjs", "--json"],
    ["run", "seed", "--arch", "sparc"],
    ["run", "seed", "--reclaim", "pt-reclaim", "--reclaim", "none"],
    ["run", "seed", "--json", "--json"],
    ["run", "seed", "--reclaim"],
    ["run"],
    ["run", "seed", "extra"],
    ["compare", "seed"],
  ];
  let x = 12345;
  const rand = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const random = Array.from({ length: 3000 }, () => ["run", ...Array.from({ length: rand(6) }, () => piece(rand)).flat()]);
  return [...fixed, ...random];
}

/** The lines the reader takes but commander parses otherwise (or rejects), and how many it took. */
async function disagreements(): Promise<{ bad: string[]; taken: number }> {
  const bad: string[] = [];
  let taken = 0;
  for (const argv of lines()) {
    const plain = plainRun(argv);
    if (plain === null) continue;
    taken++;
    const c = await commanderRun(argv);
    if (c.thrown !== "" || c.printed !== "" || !isDeepStrictEqual(c.got, plain)) bad.push(`${JSON.stringify(argv)}: ${JSON.stringify(plain)} vs ${JSON.stringify(c)}`);
  }
  return { bad, taken };
}

describe("run-argv: plain `mmsim run` lines read without commander", () => {
  it("takes the plain lines, as commander parses them", async () => {
    for (const argv of [
      ["run", "seed", "--reclaim", "pt-reclaim"],
      ["run", "seed"],
      ["run", "--reclaim", "pt-reclaim", "seed"],
      ["run", "w.mms", "--json", "--arch", "arm64", "--plot", "p.svg", "--reclaim", "none"],
    ])
      expect(plainRun(argv)).not.toBeNull();
    const { bad, taken } = await disagreements();
    expect(bad).toEqual([]);
    expect(taken).toBeGreaterThan(200); // the random lines do hit the reader
  });

  it("leaves help, version, other commands, bad, repeated and `--x=y` options and mutant: words to commander", () => {
    for (const argv of [
      ["run", "seed", "--help"],
      ["run", "-h"],
      ["run", "seed", "-V"],
      ["compare", "seed"],
      ["run", "seed", "--arch", "sparc"],
      ["run", "seed", "--reclaim", "bogus"],
      ["run", "seed", "--plot", "p.png"],
      ["run", "seed", "--reclaim", "none", "--reclaim", "none"],
      ["run", "seed", "--reclaim=pt-reclaim"],
      ["run", "seed", "--reclaim", "mutant:no-rescan"],
      ["run", "seed", "--reclaim"],
      ["run", "seed", "--", "x"],
      ["run", "seed", "extra"],
      ["run"],
      [],
    ])
      expect(plainRun(argv)).toBeNull();
  });

  it("main() prints and returns what the commander program does", async () => {
    for (const argv of [
      ["run", "seed-small", "--reclaim", "pt-reclaim"],
      ["run", "seed-small", "--json", "--arch", "arm64"],
      ["run", "no-such-workload.mms"],
      ["run", "seed-small", "--reclaim", "./no-such-plugin.mjs"],
      ["run", "seed-small", "--reclaim", "freept"], // a deprecated name: the warning
    ]) {
      expect(plainRun(argv)).not.toBeNull();
      const a = bufferIo();
      const b = bufferIo();
      const codes = [await main(argv, a), await runProgram(argv, b)];
      expect({ code: codes[0], out: a.stdout, err: a.stderr }).toEqual({ code: codes[1], out: b.stdout, err: b.stderr });
    }
  });

  it("mutant: `--arch` dropped is caught", async () => {
    set_run_argv_mutant("arch-ignored");
    expect((await disagreements()).bad.length).toBeGreaterThan(0);
  });

  it("mutant: `--arch` values unchecked is caught", async () => {
    set_run_argv_mutant("arch-unchecked");
    expect((await disagreements()).bad.length).toBeGreaterThan(0);
  });
});

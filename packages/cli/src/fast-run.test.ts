/**
 * The bin's commander-free `run` (fast-run.ts, start.ts) parses what commander
 * parses and prints what main() prints. Every command line below that
 * parseFastRun() takes gives the target and options commander's `run` action
 * receives (the action replaced by a recorder); every other one is declined.
 * Mutants: another default --arch or --reclaim, `json: false` for no --json, a
 * duplicate option or `--opt=value` taken, a bad value taken (commander would
 * print its error).
 */
import { describe, expect, it } from "vitest";
import { buildProgram, main } from "./cli.js";
import { parseFastRun } from "./fast-run.js";
import { bufferIo } from "./io.js";
import { start } from "./start.js";

/** What commander hands `run`'s action for `argv`, or null when it does not reach the action. */
async function commanderRun(argv: string[]): Promise<{ target: string; opts: object } | null> {
  let got: { target: string; opts: object } | null = null;
  const program = buildProgram(bufferIo(), () => {});
  program.commands.find((c) => c.name() === "run")!.action((target: string, opts: object) => void (got = { target, opts }));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch {
    return null;
  }
  return got;
}

const TARGETS = ["seed-small", "my.wl", "./dir/x.wl"];
const RECLAIMS = [[], ["--reclaim", "none"], ["--reclaim", "pt-reclaim"], ["--reclaim", "freept"], ["--reclaim", "./p.mjs"], ["--reclaim", "@acme/reclaim-x"]];
const ARCHS = [[], ["--arch", "x86_64"], ["--arch", "x86_64-la57"], ["--arch", "x86_64-pv"], ["--arch", "arm64"]];
const JSONS = [[], ["--json"]];

function* lines(): Generator<string[]> {
  for (const t of TARGETS)
    for (const r of RECLAIMS)
      for (const a of ARCHS)
        for (const j of JSONS) {
          yield ["run", t, ...r, ...a, ...j];
          yield ["run", ...j, ...a, ...r, t];
        }
}

const DECLINED = [
  ["run"],
  ["run", "--help"],
  ["run", "-h", "x"],
  ["run", "x", "y"],
  ["run", "x", "--json", "--json"],
  ["run", "x", "--reclaim", "none", "--reclaim", "pt-reclaim"],
  ["run", "x", "--reclaim=pt-reclaim"],
  ["run", "x", "--reclaim"],
  ["run", "x", "--reclaim", "nope"],
  ["run", "x", "--reclaim", "mutant:no-rescan"],
  ["run", "x", "--arch", "sparc"],
  ["run", "x", "--arch"],
  ["run", "x", "--plot", "p.svg"],
  ["run", "x", "--"],
  ["run", ""],
  ["run", "-"],
  ["compare", "x"],
  ["--version"],
  [],
];

describe("parseFastRun", () => {
  it("takes plain `run` lines and gives what commander's run action receives", async () => {
    let taken = 0;
    for (const argv of lines()) {
      const fast = parseFastRun(argv);
      expect(fast, argv.join(" ")).not.toBeNull();
      expect(fast, argv.join(" ")).toEqual(await commanderRun(argv));
      taken++;
    }
    expect(taken).toBe(TARGETS.length * RECLAIMS.length * ARCHS.length * JSONS.length * 2);
  });

  it.each(DECLINED)("leaves %j to commander", (...argv) => {
    expect(parseFastRun(argv)).toBeNull();
  });
});

describe("start", () => {
  it.each([[["run", "seed-small"]], [["run", "seed-small", "--reclaim", "pt-reclaim", "--json"]], [["run", "/nonexistent.wl"]], [["run", "seed-small", "--arch", "sparc"]], [["--version"]]])(
    "%j: the output and exit code main() gives",
    async (argv) => {
      const a = bufferIo();
      const b = bufferIo();
      const ca = await start(argv, a);
      const cb = await main(argv, b);
      expect([ca, a.stdout, a.stderr]).toEqual([cb, b.stdout, b.stderr]);
    },
  );
});

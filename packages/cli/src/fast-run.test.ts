/**
 * The bin's commander-free `run` and `compare` (fast-run.ts, start.ts) parse what
 * commander parses and print what main() prints. Every command line below that
 * parseFastLine() takes gives the target and options commander's action receives
 * (the action replaced by a recorder); every other one is declined.
 * Mutants: another default --arch or --reclaim, `json: false` for no --json, a
 * duplicate option or `--opt=value` taken, a bad value taken (commander would
 * print its error).
 */
import { describe, expect, it } from "vitest";
import { buildProgram, main } from "./cli.js";
import { parseFastLine } from "./fast-run.js";
import { bufferIo } from "./io.js";
import { start } from "./start.js";

/** What commander hands the action of `argv[0]` for `argv`, or null when it does not reach the action. */
async function commanderLine(argv: string[]): Promise<{ command: string; target: string; opts: object } | null> {
  let got: { command: string; target: string; opts: object } | null = null;
  const program = buildProgram(bufferIo(), () => {});
  for (const c of program.commands) c.action((target: string, opts: object) => void (got = { command: c.name(), target, opts }));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch {
    return null;
  }
  return got;
}

const TARGETS = ["seed-small", "my.wl", "./dir/x.wl"];
const RECLAIMS = [[], ["--reclaim", "none"], ["--reclaim", "pt-reclaim"], ["--reclaim", "freept"], ["--reclaim", "./p.mjs"], ["--reclaim", "@acme/reclaim-x"]];
const RECLAIM_LISTS = [[], ["--reclaim", "none,pt-reclaim"], ["--reclaim", "none", "--reclaim", "freept, ./p.mjs"], ["--reclaim", "@acme/reclaim-x"]];
const FLAGS = [[], ["--json"], ["--iec"], ["--iec", "--json"]];
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
  for (const t of TARGETS)
    for (const r of RECLAIM_LISTS)
      for (const a of ARCHS)
        for (const f of FLAGS) {
          yield ["compare", t, ...r, ...a, ...f];
          yield ["compare", ...f, ...r, t, ...a];
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
  ["run", "x", "--iec"],
  ["compare"],
  ["compare", "x", "--reclaim", "none,,pt-reclaim"],
  ["compare", "x", "--reclaim", "none,nope"],
  ["compare", "x", "--iec", "--iec"],
  ["compare", "x", "--plot", "p.svg"],
  ["compare", "x", "--reclaim", "mutant:no-rescan"],
  ["list"],
  ["--version"],
  [],
];

describe("parseFastLine", () => {
  it("takes plain `run` and `compare` lines and gives what commander's action receives", async () => {
    let taken = 0;
    for (const argv of lines()) {
      const fast = parseFastLine(argv);
      expect(fast, argv.join(" ")).not.toBeNull();
      expect(fast, argv.join(" ")).toEqual(await commanderLine(argv));
      taken++;
    }
    expect(taken).toBe(TARGETS.length * 2 * (RECLAIMS.length * ARCHS.length * JSONS.length + RECLAIM_LISTS.length * ARCHS.length * FLAGS.length));
  });

  it.each(DECLINED)("leaves %j to commander", (...argv) => {
    expect(parseFastLine(argv)).toBeNull();
  });
});

describe("start", () => {
  it.each([[["run", "seed-small"]], [["run", "seed-small", "--reclaim", "pt-reclaim", "--json"]], [["run", "/nonexistent.wl"]], [["run", "seed-small", "--arch", "sparc"]], [["compare", "seed-small", "--reclaim", "none,pt-reclaim", "--iec"]], [["compare", "/dev/null"]], [["--version"]]])(
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

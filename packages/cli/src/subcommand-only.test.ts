/**
 * `main` builds only the subcommand a command line starts with (issue #10:
 * start-up). What commander prints and returns must be what the full program
 * gives: for every subcommand, its help, an unknown option, a bad or missing
 * argument, and options in the wrong place are parsed by both programs and
 * compared byte for byte (no action runs: every case is a parse error or help).
 * Mutant: building the wrong subcommand for a name (`want` comparing against
 * another name) or none at all (the full program's dispatch then differs).
 */
import { describe, expect, it } from "vitest";
import { buildProgram } from "./program.js";
import { bufferIo } from "./io.js";

const COMMANDS = ["run", "compare", "explore", "conformance", "merge", "fuzz", "host", "check-host", "record", "replay", "list"] as const;

async function parse(argv: string[], only?: (typeof COMMANDS)[number]): Promise<{ out: string; err: string; thrown: string }> {
  const io = bufferIo();
  const program = buildProgram(io, () => {}, only);
  let thrown = "";
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    thrown = `${(e as { code?: string }).code ?? ""} ${(e as { exitCode?: number }).exitCode ?? ""} ${(e as Error).message}`;
  }
  return { out: io.stdout, err: io.stderr, thrown };
}

describe("a program with one subcommand parses as the full program", () => {
  it("lists every subcommand in the full program's help, in COMMANDS order", async () => {
    const { out } = await parse(["--help"]);
    const section = out.slice(out.indexOf("\nCommands:\n"), out.indexOf("\nExamples:\n"));
    const listed = [...section.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]).filter((c) => c !== "help");
    expect(listed).toEqual([...COMMANDS]);
  });

  for (const name of COMMANDS) {
    it.each([[["--help"]], [["-h"]], [["--frobnicate"]], [["--arch", "sparc"]], [["--reclaim", "nope"]], [["--shard", "9/2"]], [["--budget"]], [[]]])(
      `${name} %j`,
      async (rest) => {
        const argv = [name, ...(rest as string[])];
        if (argv.length === 1 && name === "list") return; // `list` alone runs
        const full = await parse(argv);
        expect(full.thrown).not.toBe(""); // a parse error or help: no action ran
        expect(await parse(argv, name)).toEqual(full);
      },
    );
  }
});

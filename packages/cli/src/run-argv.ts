/**
 * The plain `mmsim run` command line, read without commander: `run <workload>`
 * with at most one each of `--reclaim <plugin>`, `--arch <arch>`, `--json` and
 * `--plot <file.svg>`, in any order, every value valid. main() (cli.ts) runs
 * such a line at once, and loads commander and the program (program.ts) for
 * every other line: help, --version, another command, a bad or repeated option,
 * a value that starts with "-", an `--opt=value` word, a `mutant:` word (the
 * program loads the mutants first), ... Commander then parses, prints and
 * fails exactly as before; what this accepts, commander parses to the same
 * workload and options (run-argv.test.ts compares the two on many lines).
 *
 * Why: loading, compiling and running commander (bundled, ~125 KB), building the
 * `run` subcommand and parsing with it cost `mmsim run` ~4 ms of its ~40 ms of
 * start-up (issue #10; measured with `node --cpu-prof`: buildProgram 1.3 ms,
 * parseAsync 1.2 ms, commander's module body 0.6 ms, plus its compile).
 */
import { ARCH_NAMES, type ArchName } from "./arch-names.js";
import { parseReclaimSpec } from "./plugins.js";
import type { RunCommandOptions } from "./commands/run.js";

/** The workload and options of a plain `run` line, as commander's `run` action receives them. */
export interface PlainRun {
  target: string;
  opts: RunCommandOptions;
}

let mutant: "arch-ignored" | "arch-unchecked" | null = null;
/** Set (or clear, null) the reader's mutant (tests only): "arch-ignored" drops `--arch`; "arch-unchecked" accepts any `--arch` value. */
export function set_run_argv_mutant(m: typeof mutant): void {
  mutant = m;
}

const VALUED = new Set(["--reclaim", "--arch", "--plot"]);

/** `argv` (the words after the program name) as a plain `run` line, or null: commander must read it. */
export function plainRun(argv: readonly string[]): PlainRun | null {
  if (argv[0] !== "run") return null;
  let target: string | undefined;
  const values = new Map<string, string>();
  let json = false;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "" || word.includes("mutant:")) return null;
    if (word === "--json") {
      if (json) return null;
      json = true;
    } else if (VALUED.has(word)) {
      const value = argv[++i];
      if (value === undefined || value === "" || value.startsWith("-") || value.includes("mutant:") || values.has(word)) return null;
      values.set(word, value);
    } else if (word.startsWith("-") || target !== undefined) {
      return null;
    } else {
      target = word;
    }
  }
  if (target === undefined) return null;

  const arch = values.get("--arch");
  if (arch !== undefined && mutant !== "arch-unchecked" && !(ARCH_NAMES as readonly string[]).includes(arch)) return null;
  const plot = values.get("--plot");
  if (plot !== undefined && !/\.svg$/i.test(plot)) return null;
  const reclaimWord = values.get("--reclaim");
  let reclaim: RunCommandOptions["reclaim"] = { kind: "none" };
  if (reclaimWord !== undefined) {
    try {
      reclaim = parseReclaimSpec(reclaimWord);
    } catch {
      return null; // commander reports it (options.ts: reclaimOption)
    }
  }
  // What commander's opts() holds: the defaults (reclaim none, arch x86_64; options.ts), then the flags given.
  const opts: RunCommandOptions = { reclaim, arch: ((mutant === "arch-ignored" ? undefined : arch) ?? "x86_64") as ArchName };
  if (json) opts.json = true;
  if (plot !== undefined) opts.plot = plot;
  return { target, opts };
}

/**
 * The command lines the bin runs without commander (issue #10, start-up):
 * `mmsim run <workload>` with at most one each of `--reclaim <name>`,
 * `--arch <arch>` and `--json`, and `mmsim compare <workload>` with `--reclaim
 * <list>` (repeatable, as commander takes it) and at most one each of `--arch`,
 * `--json` and `--iec`; every value valid. Parsed to exactly the arguments
 * commander would give the command; any other command line (help, an error,
 * another option or form, `--opt=value`, a `mutant:` word) is left to commander
 * (cli.ts), which loads in ~5 ms. So a declined line costs nothing but that, and
 * what commander prints is unchanged.
 */
import { ARCH_NAMES, type ArchName } from "./arch-names.js";
import { parseReclaimList, parseReclaimSpec, type ReclaimSpec } from "./plugins.js";
import type { CompareCommandOptions } from "./commands/compare.js";
import type { RunCommandOptions } from "./commands/run.js";

export type FastLine =
  | { readonly command: "run"; readonly target: string; readonly opts: RunCommandOptions }
  | { readonly command: "compare"; readonly target: string; readonly opts: CompareCommandOptions };

/** The command, workload and options of a plain `run` or `compare` line, as commander parses them; null to leave it to commander. */
export function parseFastLine(argv: readonly string[]): FastLine | null {
  const command = argv[0];
  if (command !== "run" && command !== "compare") return null;
  if (argv.some((a) => a.includes("mutant:"))) return null; // commander's preSubcommand hook loads the mutants first
  let target: string | undefined;
  const reclaims: string[] = [];
  let arch: string | undefined;
  const flags = new Set<string>();
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json" || (a === "--iec" && command === "compare")) {
      if (flags.has(a)) return null;
      flags.add(a);
    } else if (a === "--reclaim" || a === "--arch") {
      const v = argv[++i];
      if (v === undefined || v === "" || v.startsWith("-")) return null;
      if (a === "--arch") {
        if (arch !== undefined) return null;
        arch = v;
      } else {
        if (reclaims.length > 0 && command === "run") return null;
        reclaims.push(v);
      }
    } else if (a === "" || a.startsWith("-") || target !== undefined) return null;
    else target = a;
  }
  if (target === undefined) return null;
  if (arch !== undefined && !(ARCH_NAMES as readonly string[]).includes(arch)) return null;
  const archName = (arch ?? "x86_64") as ArchName;
  try {
    if (command === "run") {
      const opts: RunCommandOptions = { reclaim: reclaims.length > 0 ? parseReclaimSpec(reclaims[0]) : { kind: "none" }, arch: archName };
      if (flags.has("--json")) opts.json = true;
      return { command, target, opts };
    }
    const opts: CompareCommandOptions = { arch: archName };
    if (reclaims.length > 0) opts.reclaim = reclaims.flatMap(parseReclaimList) satisfies ReclaimSpec[];
    if (flags.has("--json")) opts.json = true;
    if (flags.has("--iec")) opts.iec = true;
    return { command, target, opts };
  } catch {
    return null; // a bad --reclaim word: commander says why
  }
}

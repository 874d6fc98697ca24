/**
 * The command lines the bin runs without commander (issue #10, start-up):
 * `mmsim run <workload>` with at most one each of `--reclaim <name>`,
 * `--arch <arch>` and `--json`, every value valid. Parsed to exactly the
 * arguments commander would give runCommand(); any other command line (help, an
 * error, another option or form, `--opt=value`, a `mutant:` word) is left to
 * commander (cli.ts), which loads in ~5 ms. So a declined line costs nothing
 * but that, and what commander prints is unchanged.
 */
import { ARCH_NAMES, type ArchName } from "./arch-names.js";
import { parseReclaimSpec, type ReclaimSpec } from "./plugins.js";
import type { RunCommandOptions } from "./commands/run.js";

export interface FastRun {
  readonly target: string;
  readonly opts: RunCommandOptions;
}

/** The workload and options of a plain `run` command line, as commander parses them; null to leave it to commander. */
export function parseFastRun(argv: readonly string[]): FastRun | null {
  if (argv[0] !== "run") return null;
  let target: string | undefined;
  let reclaim: string | undefined;
  let arch: string | undefined;
  let json = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") {
      if (json) return null;
      json = true;
    } else if (a === "--reclaim" || a === "--arch") {
      const v = argv[++i];
      if (v === undefined || v === "" || v.startsWith("-")) return null;
      if (a === "--reclaim") {
        if (reclaim !== undefined) return null;
        reclaim = v;
      } else {
        if (arch !== undefined) return null;
        arch = v;
      }
    } else if (a === "" || a.startsWith("-") || target !== undefined) return null;
    else target = a;
  }
  if (target === undefined) return null;
  if (arch !== undefined && !(ARCH_NAMES as readonly string[]).includes(arch)) return null;
  let spec: ReclaimSpec = { kind: "none" };
  if (reclaim !== undefined) {
    if (reclaim.includes("mutant:")) return null; // commander's preSubcommand hook loads the mutants first
    try {
      spec = parseReclaimSpec(reclaim);
    } catch {
      return null; // commander says why
    }
  }
  const opts: RunCommandOptions = { reclaim: spec, arch: (arch ?? "x86_64") as ArchName };
  if (json) opts.json = true;
  return { target, opts };
}

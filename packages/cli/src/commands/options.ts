/** Options shared by the commands, with their parsers (a bad value is a usage error, exit 2). */
import { InvalidArgumentError, Option } from "commander";
import { UsageError } from "../errors.js";
import { parseReclaimList, parseReclaimSpec, type ReclaimSpec } from "../plugins.js";
import { ARCH_NAMES } from "../arch-names.js";

/** Runs a parser, turning its UsageError into commander's "argument ... is invalid" error. */
function asArgument<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (e) {
      if (e instanceof UsageError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  };
}

export function archOption(): Option {
  return new Option("--arch <arch>", "paging: x86_64 (4 levels), x86_64-la57 (5 levels), x86_64-pv (paravirt TLB flush) or arm64 (4 KiB granule, 48-bit VA, broadcast TLBI)")
    .choices(ARCH_NAMES)
    .default("x86_64");
}

/** `--iec`: label sizes MiB, GiB, TiB (the values are binary either way). */
export function iecOption(): Option {
  return new Option("--iec", "label sizes in IEC binary units (MiB, GiB, TiB); without it they read MB, GB, TB (the values are binary either way)");
}

export function jsonOption(what: string): Option {
  return new Option("--json", `print ${what} as JSON (no progress bar)`);
}

/** `--reclaim <name|path>`: one plugin. */
export function reclaimOption(): Option {
  return new Option("--reclaim <name|path>", "reclaim plugin: none, a bundled name, an installed plugin package (@scope/name), or a plugin module path")
    .default({ kind: "none" } satisfies ReclaimSpec, "none")
    .argParser(asArgument(parseReclaimSpec));
}

/** `--reclaim <a,b,...>`: several plugins; repeatable. */
export function reclaimListOption(): Option {
  return new Option(
    "--reclaim <list>",
    "comma-separated reclaim plugins: none, bundled names, installed packages (@scope/name), module paths (default: none and every installed plugin)",
  )
    .argParser((value: string, previous: ReclaimSpec[] | undefined) => [
      ...(previous ?? []),
      ...asArgument(parseReclaimList)(value),
    ]);
}

/** `--plot <file.svg>` (plot-file.ts writes it; here so that `run` loads no commander for it). */
export function plotOption(what: string): Option {
  return new Option("--plot <file.svg>", `also draw VmPTE and VmRSS ${what}, one line per design, as an SVG file`).argParser((v: string) => {
    if (!/\.svg$/i.test(v)) throw new InvalidArgumentError("the plot is an SVG file: give a name ending in .svg");
    return v;
  });
}

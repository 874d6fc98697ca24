/**
 * A scenario file's setup, run once before the exploration (core's run_setup):
 * every operation must succeed. The setup is single-threaded and deterministic,
 * so an mmap refused (EINVAL for a bad length, EEXIST over another mapping: the
 * scenarios map with MAP_FIXED_NOREPLACE) or a touch that faults (SIGSEGV outside
 * any mapping) is a mistake in the file, and the actors would race over memory
 * that is not there: the exploration would print a vacuous "no rule broken".
 * The error names the operation's path, as scenario-schema.ts's do.
 */
import { errno_name, strerror } from "@mmsim/core";
import { run_setup, type Scenario } from "@mmsim/core/check";
import type { Arch, ReclaimPlugin } from "@mmsim/core";
import { ScenarioFileError } from "./scenario-schema.js";

/** Operations whose result is a return value, negative for -errno. */
const SYSCALLS = new Set(["mmap", "munmap", "mprotect", "madvise", "swapon"]);

/** Why setup operation `op` failed, from its result; null when it succeeded. */
export function setupFailure(op: Scenario["setup"][number], result: string): string | null {
  if (SYSCALLS.has(op.op)) {
    const r = Number(result);
    return r < 0 ? `${op.op} failed with ${errno_name(-r)} (${strerror(-r)})` : null;
  }
  if (op.op === "touch") {
    const values = result === "" ? [] : result.split(",");
    const at = values.findIndex((v) => !/^-?\d+$/.test(v));
    return at < 0 ? null : `touch got ${values[at]} at its page ${at} (a setup access must hit mapped, accessible memory)`;
  }
  return null;
}

/** Throws ScenarioFileError `file: setup[i]: <why>` for the first setup operation of `s` that fails with this plugin and arch. */
export function checkScenarioSetup(s: Scenario, file: string, plugin: ReclaimPlugin | null, arch: Arch): void {
  const results = run_setup(s, { plugin, arch });
  if (results === null) return; // a rule broke in the setup: the exploration reports it
  results.forEach((r, i) => {
    const why = setupFailure(s.setup[i], r.result);
    if (why === null) return;
    const unsupported = s.requires !== undefined && !(plugin?.supports as Record<string, unknown> | undefined)?.[s.requires];
    const hint = unsupported ? ` (the scenario requires ${s.requires}, which ${plugin ? `plugin '${plugin.name}'` : "no plugin"} supports)` : "";
    throw new ScenarioFileError(`${file}: setup[${i}]: ${why}${hint}; the setup must succeed, or the actors race over nothing`);
  });
}

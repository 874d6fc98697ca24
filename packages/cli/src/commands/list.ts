/** `mmsim list`: builtin workloads and installed reclaim plugins. */
import { type ReclaimSupports } from "@mmsim/core";
import { BUILTIN_WORKLOADS } from "@mmsim/core/workload";
import { MUTANTS, SCENARIOS } from "@mmsim/conformance";
import { EXIT_OK } from "../errors.js";
import { formatSupports, renderTable } from "../format.js";
import type { Io } from "../io.js";
import { installedReclaims, NONE, type Reclaim } from "../plugins.js";

export interface ListCommandOptions {
  json?: boolean;
}

export interface ListJson {
  workloads: { name: string; description: string }[];
  plugins: { name: string; version: string; package: string; models: string; supports: ReclaimSupports }[];
  scenarios: { name: string; description: string }[];
  mutants: { name: string; description: string }[];
}

export async function listCommand(opts: ListCommandOptions, io: Io): Promise<number> {
  const data = listJson(await installedReclaims());
  io.out(opts.json ? JSON.stringify(data, null, 2) + "\n" : renderList(data));
  return EXIT_OK;
}

export function listJson(reclaims: readonly Reclaim[]): ListJson {
  const workloads = Object.entries(BUILTIN_WORKLOADS).map(([name, w]) => ({ name, description: w.description }));
  const plugins = reclaims.flatMap((r) =>
    r.info ? [{ name: r.info.name, version: r.info.version, package: r.source, models: r.info.models, supports: r.info.supports }] : [],
  );
  const scenarios = SCENARIOS.map((s) => ({ name: s.name, description: s.description }));
  const mutants = MUTANTS.map((m) => ({ name: `mutant:${m.name}`, description: m.description }));
  return { workloads, plugins, scenarios, mutants };
}

function renderList(data: ListJson): string {
  const workloads = renderTable(data.workloads.map((w) => ["  " + w.name, w.description]));
  const plugins = data.plugins.map(
    (p) => `  ${p.name} ${p.version} (${p.package})\n      models:   ${p.models}\n      supports: ${formatSupports(p.supports)}\n`,
  );
  return [
    "Builtin workloads (mmsim run <name>):",
    workloads,
    "Reclaim plugins (--reclaim <name>):",
    `  ${NONE} (no plugin: Linux without page-table reclaim)\n${plugins.join("")}`,
    "Race scenarios (mmsim explore <name>):",
    renderTable(data.scenarios.map((s) => ["  " + s.name, s.description.split(":")[0]])),
    "Mutants of pt-reclaim (--reclaim mutant:<name>; the conformance kit must catch each):",
    renderTable(data.mutants.map((m) => ["  " + m.name, m.description])),
  ].join("\n");
}

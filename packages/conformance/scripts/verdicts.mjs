#!/usr/bin/env node
/**
 * The verdict table of packages/conformance/README.md: each thread scenario
 * (issue #8, seed-designs.md §2 R-numbers) explored on each bundled design with
 * the `mmsim` CLI itself, fixed seed and budget, PCT then random as the kit does.
 * A failure cell names the rule broken and gives the replay line the CLI printed.
 *
 *   node packages/conformance/scripts/verdicts.mjs [--budget N] [--seed N] [--write] [--check]
 *
 * --write  replaces the table between the README's verdict markers;
 * --check  pastes every replay line back into the CLI and fails unless each
 *          reproduces its rule.
 * Run from the repository root after `npm run build`.
 */
import { CLI, bundledDesigns, checkReplays, cli, flag, option, writeBetweenMarkers } from "./readme-table.mjs";

const BEGIN = "<!-- verdicts:begin (scripts/verdicts.mjs --write) -->";
const END = "<!-- verdicts:end -->";
const budget = Number(option("--budget", "100"));
const seed = Number(option("--seed", "1"));

/** Scenario rows: the objection each stands for, and the arch it needs. */
export const ROWS = [
  { scenario: "walker-vs-dontneed-vs-fault", objection: "R3" },
  { scenario: "walker-vs-dontneed-vs-thp-fault", objection: "R3 (huge PMD)" },
  { scenario: "walker-vs-scan-vs-fault", objection: "R3 (scanner)" },
  { scenario: "gup-fast-vs-dontneed", objection: "R4" },
  { scenario: "gup-fast-vs-dontneed-vs-fault", objection: "R4, R13" },
  { scenario: "gup-fast-vs-dontneed", objection: "R14 (paravirt flush)", arch: "x86_64-pv" },
  { scenario: "gup-fast-vs-dontneed-vs-fault", objection: "R14 (paravirt flush)", arch: "x86_64-pv" },
  { scenario: "fault-vs-fault-install", objection: "R11" },
  { scenario: "khugepaged-vs-dontneed-vs-fault", objection: "R28" },
  { scenario: "walker-vs-dontneed", objection: "R31" },
  { scenario: "fault-vs-dontneed", objection: "R32" },
];

/** Mutants for the objections: each on the scenario meant to catch it (and, for R14, on native x86 where it must pass). */
export const MUTANT_ROWS = [
  { reclaim: "mutant:immediate-free-after-flush", scenario: "gup-fast-vs-dontneed", objection: "R14" },
  { reclaim: "mutant:immediate-free-after-flush", scenario: "gup-fast-vs-dontneed", objection: "R14", arch: "x86_64-pv" },
  { reclaim: "packages/conformance/scripts/mutants/refcount-install-double-get.mjs", scenario: "fault-vs-fault-install", objection: "R11" },
  { reclaim: "packages/conformance/scripts/mutants/refcount-install-no-get.mjs", scenario: "fault-vs-fault-install", objection: "R11" },
  { reclaim: "packages/conformance/scripts/mutants/refcount-walker-missing-pte-unmap.mjs", scenario: "walker-vs-dontneed", objection: "R17" },
  { reclaim: "packages/conformance/scripts/mutants/refcount-gup-fast-unmap-puts.mjs", scenario: "gup-fast-vs-dontneed", objection: "R17" },
  { reclaim: "packages/conformance/scripts/mutants/percpu-gup-fast-unmap-puts.mjs", scenario: "gup-fast-vs-dontneed", objection: "R17" },
  { reclaim: "mutant:dtor-before-grace-period", scenario: "walker-vs-dontneed", objection: "R31" },
  { reclaim: "mutant:no-rescan", scenario: "fault-vs-dontneed", objection: "R32" },
];

/**
 * The rows whose verdict can depend on the arch, again on arm64 (issue #12 §5):
 * GUP-fast with no IPI to wait for (broadcast TLBI), and khugepaged's collapse
 * (pmdp_collapse_flush). The other scenarios take page-table locks only and have
 * no CPU walking through another's TLB; the kit's per-arch table (scripts/kit-verdicts.mjs)
 * runs every scenario on both arches. Rendered as a table of their own after the
 * mutants, so the x86 rows and their replay numbers stay as they were.
 */
export const ARM64_ROWS = [
  { scenario: "gup-fast-vs-dontneed", objection: "R4, R14 (no IPI)", arch: "arm64" },
  { scenario: "gup-fast-vs-dontneed-vs-fault", objection: "R4, R13, R14 (no IPI)", arch: "arm64" },
  { scenario: "khugepaged-vs-dontneed-vs-fault", objection: "R28", arch: "arm64" },
];

/** The R14 mutant on arm64, where RCU table freeing alone keeps GUP-fast safe. */
export const ARM64_MUTANT_ROWS = [{ reclaim: "mutant:immediate-free-after-flush", scenario: "gup-fast-vs-dontneed", objection: "R14 (no IPI)", arch: "arm64" }];

/** `mmsim list --json`: the bundled plugins (registry order). */
function designs() {
  const names = bundledDesigns();
  // The 2021 v1 posting (pte_free at once after flush_tlb_range) as a module: R14's target.
  const extra = [];
  if (names.includes("refcount")) extra.push("packages/conformance/scripts/designs/refcount-v1.mjs");
  return ["none", ...names, ...extra];
}

/** One CLI run; returns { rule, detail, replay } or null when no rule broke. */
function explore(scenario, reclaim, arch, strategy) {
  const argv = [CLI, "explore", scenario, "--reclaim", reclaim, "--strategy", strategy, "--budget", String(budget), "--seed", String(seed)];
  if (arch) argv.push("--arch", arch);
  const r = cli(argv);
  if (r.status === 0) return null;
  const v = /\nVIOLATION: (.*)\n {2}(.*)\n/.exec(r.stdout);
  const replay = /\n {2}replay: (.*)\n/.exec(r.stdout);
  if (!v || !replay) throw new Error(`mmsim ${argv.slice(1).join(" ")}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return { rule: v[1], detail: v[2], replay: replay[1] };
}

const short = (d) => (d.includes("/") ? d.split("/").pop().replace(/\.mjs$/, "") : d);

/** PCT, then random if PCT found nothing (the kit's order). */
function verdict(scenario, reclaim, arch) {
  for (const strategy of ["pct", "random"]) {
    const f = explore(scenario, reclaim, arch, strategy);
    if (f) return f;
  }
  return null;
}

function run() {
  const cols = designs();
  const cells = [];
  const mutants = [];
  for (const m of [...MUTANT_ROWS, ...ARM64_MUTANT_ROWS]) {
    const f = verdict(m.scenario, m.reclaim, m.arch);
    process.stderr.write(`verdicts: mutant ${short(m.reclaim)} on ${m.scenario}${m.arch ? ` (${m.arch})` : ""}: ${f ? f.rule : "pass"}\n`);
    mutants.push({ ...m, row: m, failure: f });
  }
  for (const row of [...ROWS, ...ARM64_ROWS])
    for (const d of cols) {
      const f = verdict(row.scenario, d, row.arch);
      process.stderr.write(`verdicts: ${row.scenario}${row.arch ? ` (${row.arch})` : ""} × ${short(d)}: ${f ? f.rule : "pass"}\n`);
      cells.push({ row, design: d, failure: f });
    }
  return { cols, cells, mutants };
}

function render({ cols, cells, mutants }) {
  const lines = [];
  lines.push(`| scenario | objection | ${cols.map(short).join(" | ")} |`);
  lines.push(`|---|---|${cols.map(() => "---").join("|")}|`);
  const replays = [];
  const scenarioRow = (row) => {
    const rowCells = cols.map((d) => {
      const c = cells.find((x) => x.row === row && x.design === d);
      if (!c.failure) return "pass";
      replays.push(c.failure.replay);
      return `**${c.failure.rule}** [${replays.length}]`;
    });
    return `| \`${row.scenario}\`${row.arch ? ` on \`${row.arch}\`` : ""} | ${row.objection} | ${rowCells.join(" | ")} |`;
  };
  for (const row of ROWS) lines.push(scenarioRow(row));
  lines.push("", "Mutants for the objections, each on the scenario meant to catch it:", "");
  lines.push("| mutant | scenario | objection | verdict |", "|---|---|---|---|");
  const mutantRow = (m) => {
    let v = "pass";
    if (m.failure) {
      replays.push(m.failure.replay);
      v = `**${m.failure.rule}** [${replays.length}]`;
    }
    return `| \`${short(m.reclaim)}\` | \`${m.scenario}\`${m.arch ? ` on \`${m.arch}\`` : ""} | ${m.objection} | ${v} |`;
  };
  for (const m of mutants.filter((x) => MUTANT_ROWS.includes(x.row))) lines.push(mutantRow(m));
  lines.push("", "On arm64 (broadcast TLBI: no IPI, nothing waits for GUP-fast's IRQ-off section), the rows whose verdict can depend on the arch:", "");
  lines.push(`| scenario | objection | ${cols.map(short).join(" | ")} |`);
  lines.push(`|---|---|${cols.map(() => "---").join("|")}|`);
  for (const row of ARM64_ROWS) lines.push(scenarioRow(row));
  lines.push("", "| mutant | scenario | objection | verdict |", "|---|---|---|---|");
  for (const m of mutants.filter((x) => ARM64_MUTANT_ROWS.includes(x.row))) lines.push(mutantRow(m));
  lines.push("", `Budget ${budget} executions per strategy (PCT, then random), seed ${seed}. Replay lines, as the CLI printed them:`, "");
  replays.forEach((r, i) => lines.push(`${i + 1}. \`${r}\``));
  return lines.join("\n");
}

const table = render(run());
process.stdout.write(table + "\n");
if (flag("--write")) writeBetweenMarkers(BEGIN, END, table);
if (flag("--check") && checkReplays(table) > 0) process.exitCode = 1;

#!/usr/bin/env node
/**
 * The kit's verdict on every bundled design on both arches (issue #12 §5), for
 * packages/conformance/README.md: `mmsim conformance <design> --arch x86_64|arm64
 * --json` run with the CLI itself, one design and arch after another (fixed seed
 * and budgets), rendered as one row per design with a column per arch. A cell is
 * "N passed", or the checks that failed with the rule each broke and a number
 * pointing at its replay line, as the CLI printed it.
 *
 *   node packages/conformance/scripts/kit-verdicts.mjs [--budget N] [--fuzz-runs N] [--seed N] [--write] [--check]
 *
 * --write  replaces the table between the README's kit-verdict markers;
 * --check  pastes every replay line back into the CLI and fails unless each
 *          reproduces its rule.
 * Run from the repository root after `npx turbo build --filter=@mmsim/cli...`.
 * Standard output (the table) is the same byte for byte for the same options;
 * the per-run and total times go to stderr.
 */
import { CLI, bundledDesigns, checkReplays, cli, flag, option, writeBetweenMarkers } from "./readme-table.mjs";

const BEGIN = "<!-- kit-verdicts:begin (scripts/kit-verdicts.mjs --write) -->";
const END = "<!-- kit-verdicts:end -->";
const budget = Number(option("--budget", "30"));
const fuzzRuns = Number(option("--fuzz-runs", "10"));
const seed = Number(option("--seed", "1"));

export const ARCHES = ["x86_64", "arm64"];

/** One `mmsim conformance --json` run: { passed, failed, skipped, failures: [{ check, suite, rule, replay }] }. */
function conformance(design, arch) {
  const argv = [CLI, "conformance", design, "--arch", arch, "--json", "--budget", String(budget), "--fuzz-runs", String(fuzzRuns), "--seed", String(seed)];
  const t0 = Date.now();
  const r = cli(argv);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`mmsim ${argv.slice(1).join(" ")}: exit ${r.status}, no JSON report\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 4000)}`);
  }
  const failures = [];
  for (const s of report.suites)
    for (const c of s.checks) {
      if (c.result.ok) continue;
      const replay = /\n {2}replay: (.*)\n/.exec(c.result.message + "\n")?.[1] ?? null;
      // A race check is named "<scenario>: <description>"; the scenario is the name to print.
      const check = s.suite === "races" ? c.name.split(":")[0] : c.name;
      failures.push({ suite: s.suite, check, rule: c.result.rule ?? "failed", replay, first: c.result.message.split("\n")[0] });
    }
  // A check skipped for the design's kernel era (the CLI's `skip` lines) counts apart from the passed ones.
  const skipped = report.skipped ?? 0;
  process.stderr.write(`kit-verdicts: ${design} on ${arch}: ${report.passed} passed, ${report.failed} failed, ${skipped} skipped (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  return { passed: report.passed, failed: report.failed, skipped, failures };
}

const key = (f) => `${f.suite}\0${f.check}\0${f.rule}`;

function run() {
  const rows = [];
  for (const d of bundledDesigns()) {
    const cells = {};
    for (const a of ARCHES) cells[a] = conformance(d, a);
    rows.push({ design: d, cells });
  }
  return rows;
}

function render(rows) {
  const replays = [];
  const cell = (c) => {
    const passed = `${c.passed} passed${c.skipped ? `, ${c.skipped} skipped` : ""}`;
    if (!c.failed) return passed;
    const fs = c.failures.map((f) => {
      let ref = "";
      if (f.replay) {
        replays.push(f.replay);
        ref = ` [${replays.length}]`;
      }
      return `${f.suite === "races" ? `\`${f.check}\`` : f.check}: **${f.rule}**${ref}`;
    });
    return `${passed}, ${c.failed} FAIL: ${fs.join("; ")}`;
  };
  /** What the arches disagree on: a (check, rule) failing on one only. */
  const differs = (r) => {
    const [x, m] = ARCHES.map((a) => r.cells[a]);
    const only = (p, q) => p.failures.filter((f) => !q.failures.some((g) => key(g) === key(f)));
    const xo = only(x, m).map((f) => f.check);
    const mo = only(m, x).map((f) => f.check);
    const out = [];
    if (xo.length) out.push(`fails on x86_64 only: ${xo.map((c) => `\`${c}\``).join(", ")}`);
    if (mo.length) out.push(`fails on arm64 only: ${mo.map((c) => `\`${c}\``).join(", ")}`);
    if (!out.length && x.passed + x.failed + x.skipped !== m.passed + m.failed + m.skipped) out.push("the number of checks");
    return out.length ? out.join("; ") : "nothing";
  };
  const lines = [];
  lines.push(`| design | ${ARCHES.join(" | ")} | what differs |`);
  lines.push(`|---|${ARCHES.map(() => "---").join("|")}|---|`);
  for (const r of rows) lines.push(`| ${r.design} | ${ARCHES.map((a) => cell(r.cells[a])).join(" | ")} | ${differs(r)} |`);
  lines.push(
    "",
    `\`mmsim conformance <design> --arch <arch> --json --budget ${budget} --fuzz-runs ${fuzzRuns} --seed ${seed}\`: ${budget} executions per race scenario and strategy (PCT, then random), ${fuzzRuns} fuzz runs. Replay lines, as the CLI printed them:`,
    "",
  );
  replays.forEach((r, i) => lines.push(`${i + 1}. \`${r}\``));
  if (!replays.length) lines.push("(none: no race check failed)");
  return lines.join("\n");
}

const t0 = Date.now();
const table = render(run());
process.stdout.write(table + "\n");
if (flag("--write")) writeBetweenMarkers(BEGIN, END, table);
if (flag("--check") && checkReplays(table) > 0) process.exitCode = 1;
process.stderr.write(`kit-verdicts: total ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);

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
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const CLI = join(root, "packages/cli/dist/mmsim.js");
const README = join(root, "packages/conformance/README.md");
const BEGIN = "<!-- kit-verdicts:begin (scripts/kit-verdicts.mjs --write) -->";
const END = "<!-- kit-verdicts:end -->";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const budget = Number(opt("--budget", "20"));
const fuzzRuns = Number(opt("--fuzz-runs", "10"));
const seed = Number(opt("--seed", "1"));

export const ARCHES = ["x86_64", "arm64"];

/** `mmsim list --json`: the bundled plugins (registry order; `none` has no kit verdict). */
function designs() {
  const list = JSON.parse(cli([CLI, "list", "--json"]).stdout);
  return list.plugins.map((p) => (typeof p === "string" ? p : p.name)).filter((n) => n !== "none" && n !== "freept");
}

/**
 * Run the CLI. A build running in the same checkout can remove a dist file for a
 * moment (ERR_MODULE_NOT_FOUND): wait and run again.
 */
function cli(argv) {
  for (let tries = 0; ; tries++) {
    const r = spawnSync(process.execPath, argv, { cwd: root, encoding: "utf8", maxBuffer: 256 << 20 });
    if (!/ERR_MODULE_NOT_FOUND|Failed to resolve entry/.test(r.stderr) || tries === 10) return r;
    execFileSync("sleep", ["15"]);
  }
}

/** One `mmsim conformance --json` run: { passed, failed, failures: [{ check, suite, rule, replay }] }. */
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
  process.stderr.write(`kit-verdicts: ${design} on ${arch}: ${report.passed} passed, ${report.failed} failed (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  return { passed: report.passed, failed: report.failed, failures };
}

const key = (f) => `${f.suite}\0${f.check}\0${f.rule}`;

function run() {
  const rows = [];
  for (const d of designs()) {
    const cells = {};
    for (const a of ARCHES) cells[a] = conformance(d, a);
    rows.push({ design: d, cells });
  }
  return rows;
}

function render(rows) {
  const replays = [];
  const cell = (c) => {
    if (!c.failed) return `${c.passed} passed`;
    const fs = c.failures.map((f) => {
      let ref = "";
      if (f.replay) {
        replays.push(f.replay);
        ref = ` [${replays.length}]`;
      }
      return `${f.suite === "races" ? `\`${f.check}\`` : f.check}: **${f.rule}**${ref}`;
    });
    return `${c.passed} passed, ${c.failed} FAIL: ${fs.join("; ")}`;
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
    if (!out.length && x.passed + x.failed !== m.passed + m.failed) out.push("the number of checks");
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

function check(text) {
  let bad = 0;
  for (const m of text.matchAll(/^(\d+)\. `mmsim (.*)`$/gm)) {
    const argv = m[2].match(/'[^']*'|\S+/g).map((w) => w.replace(/^'(.*)'$/, "$1"));
    const r = cli([CLI, ...argv]);
    // The cell that cites [n] names the rule just before it: "**rule** [n]".
    const expected = new RegExp(`\\*\\*([^*]+)\\*\\* \\[${m[1]}\\]`).exec(text)?.[1];
    const rule = /\nVIOLATION: (.*)\n/.exec(r.stdout)?.[1];
    const ok = rule !== undefined && rule === expected;
    process.stderr.write(`check: ${ok ? "ok " : "BAD"} mmsim ${m[2]}${ok ? "" : ` -> ${rule ?? `exit ${r.status}`}, expected ${expected}`}\n`);
    if (!ok) bad++;
  }
  return bad;
}

const t0 = Date.now();
const table = render(run());
process.stdout.write(table + "\n");
if (args.includes("--write")) {
  const readme = readFileSync(README, "utf8");
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${relative(root, README)}: no kit-verdict markers`);
  writeFileSync(README, readme.slice(0, a + BEGIN.length) + "\n" + table + "\n" + readme.slice(b));
}
if (args.includes("--check") && check(table) > 0) process.exitCode = 1;
process.stderr.write(`kit-verdicts: total ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);

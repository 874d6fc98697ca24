/** `mmsim conformance <plugin>`: run the shared kit on a plugin and report per suite. */
import { count } from "../format.js";
import { parseSeed } from "../seed.js";
import { CHECKS, checkPlugin, measureCoverage, type CheckResult, type CoverageReport, type SuiteReport } from "@mmsim/conformance";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { EXIT_FAILURE, EXIT_OK, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { loadReclaim, parseReclaimSpec, resolveReclaimSpec, reclaimArg } from "../plugins.js";
import { archOf, type ArchName } from "../simulate.js";
import { resolvePackage } from "../package-resolve.js";
import { checkPluginShard } from "../conformance-shard.js";
import { envelope, inShard, shardLabel, type Shard } from "../shard.js";
import { createProgress } from "../progress.js";
import { checkWritable, writeOutFile } from "../out-file.js";

export interface ConformanceCommandOptions {
  json?: boolean;
  junit?: string;
  budget: string;
  fuzzRuns: string;
  seed: string;
  arch: string;
  /** Also measure which branches of the plugin's own source the kit executed, and which hooks never ran. */
  coverage?: boolean;
  /** `--shard i/n`: this machine's checks (conformance-shard.ts). */
  shard?: Shard;
}

function positive(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive integer (got '${v}')`);
  return n;
}

/**
 * Text for an XML 1.0 attribute or element: the five markup characters escaped,
 * and the characters XML 1.0 forbids even as references (C0 controls but tab,
 * newline and carriage return; U+FFFE, U+FFFF; lone surrogates), which a plugin's
 * name or a hook's error message may hold, written as visible `\uXXXX` text: one
 * of them left in makes the whole report unreadable to a CI's JUnit parser.
 */
export function xmlEscape(s: string): string {
  return s
    .replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!)
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids are what it looks for
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The suites as `--json` prints them: each check without its time (`ms`), so the output is the same, byte for byte, run after run. */
export function withoutTimes(reports: readonly SuiteReport[]): (Omit<SuiteReport, "checks"> & { checks: Omit<SuiteReport["checks"][number], "ms">[] })[] {
  return reports.map((r) => ({ ...r, checks: r.checks.map(({ ms: _ms, ...check }) => check) }));
}

/** Checks that did not apply to the plugin's era and were not run (CheckResult.skipped): counted apart from the passed ones. */
export function skippedOf(checks: readonly { result: CheckResult }[]): number {
  return checks.filter((c) => c.result.ok && c.result.skipped !== undefined).length;
}

/** "N passed, M failed", and ", K skipped" when a check was skipped. */
export function tally(total: number, failed: number, skipped: number): string {
  return `${total - failed - skipped} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
}

/** JUnit XML, one testsuite per kit suite. */
export function junitXml(plugin: string, reports: readonly SuiteReport[]): string {
  const suites = reports.map((s) => {
    const failures = s.checks.filter((c) => !c.result.ok).length;
    const cases = s.checks
      .map(
        (c) =>
          `    <testcase classname="${xmlEscape(`${plugin}.${s.suite}`)}" name="${xmlEscape(c.name)}" time="${(c.ms / 1000).toFixed(3)}">` +
          (c.result.ok
            ? c.result.skipped !== undefined
              ? `<skipped message="${xmlEscape(c.result.skipped)}"/>`
              : ""
            : `<failure message="${xmlEscape(c.result.rule ?? "failed")}">${xmlEscape(c.result.message)}</failure>`) +
          "</testcase>",
      )
      .join("\n");
    const skipped = skippedOf(s.checks);
    return `  <testsuite name="${xmlEscape(s.suite)}" tests="${s.checks.length}" failures="${failures}"${skipped ? ` skipped="${skipped}"` : ""}>\n${cases}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mmsim conformance: ${xmlEscape(plugin)}">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** The built files whose coverage counts as the plugin's own: its package's dist, or the module file. */
function pluginFiles(spec: ReturnType<typeof parseReclaimSpec>, cwd: string): string[] {
  if (spec.kind === "registry") return [dirname(createRequire(import.meta.url).resolve(spec.entry.package))];
  if (spec.kind === "module") return [resolve(cwd, spec.path)];
  if (spec.kind === "package") {
    const entry = resolvePackage(spec.name, cwd);
    if (entry !== null) return [dirname(entry)];
  }
  throw new UsageError("--coverage measures a plugin package or module, not a mutant or 'none'");
}

const pct = (n: { covered: number; total: number }) => `${n.covered}/${n.total} (${n.total ? ((100 * n.covered) / n.total).toFixed(1) : "100.0"} %)`;

/** The coverage section of the text report. */
export function coverageText(c: CoverageReport): string {
  const out: string[] = [`\ncoverage of ${c.plugin}'s own source (V8 block coverage, mapped through source maps where it has them)`];
  out.push(`  files: ${c.files.join(", ") || "(none executed)"}`);
  const ran = c.hooks.filter((h) => h.calls > 0);
  out.push(`  hooks reached: ${pct({ covered: ran.length, total: c.hooks.length })}: ${c.hooks.map((h) => `${h.name} ${h.calls}`).join(", ")}`);
  const never = c.hooks.filter((h) => h.calls === 0).map((h) => h.name);
  out.push(`  hooks never run: ${never.length ? never.join(", ") : "none"}`);
  for (const g of ["races", "races + fuzz", "all"]) {
    const f = c.by[g];
    if (f) out.push(`  branches reached by ${g === "all" ? "the whole kit" : g}: ${pct(f.branches)}; lines with a block ${pct(f.lines)}`);
  }
  const races = c.by["races"];
  if (races?.uncovered.length) {
    out.push("  branches the races never reached:");
    for (const u of races.uncovered) out.push(`    ${u.file}:${u.line}${c.by["all"]?.uncovered.some((a) => a.file === u.file && a.line === u.line) ? "" : " (reached by another suite)"}`);
  }
  return out.join("\n") + "\n";
}

export async function conformanceCommand(target: string, opts: ConformanceCommandOptions, io: Io): Promise<number> {
  const spec = await resolveReclaimSpec(target);
  const reclaim = await loadReclaim(spec, io.cwd, (line) => io.err(line + "\n"), "plugin");
  const info = reclaim.info;
  if (!info) throw new UsageError("conformance needs a plugin (not 'none')");
  const budget = positive(opts.budget, "--budget");
  const fuzz_runs = positive(opts.fuzzRuns, "--fuzz-runs");
  const seed = parseSeed(opts.seed);
  if (opts.shard && opts.coverage) throw new UsageError("--coverage measures the whole kit: run it without --shard");
  if (opts.junit !== undefined) checkWritable("--junit", opts.junit, io.cwd); // before the kit, not after minutes of it
  const t0 = performance.now();
  let lastSuite = "";
  // A bar on stderr (a terminal, not --json) counting the checks this run makes, drawn between checks.
  const probe = reclaim.create()!;
  const total = CHECKS.filter((c) => c.applies(probe)).filter((_, k) => inShard(k, opts.shard)).length;
  const progress = createProgress(opts.json ? null : io.progress, { label: `conformance ${reclaim.info.name}${opts.shard ? ` shard ${shardLabel(opts.shard)}` : ""}`, unit: "checks" });
  let checked = 0;
  const line = (suite: string, name: string, r: CheckResult) => {
    progress.update(++checked, total);
    if (opts.json) return;
    progress.clear();
    if (suite !== lastSuite) io.out(`\n${suite}\n`);
    lastSuite = suite;
    io.out(`  ${r.skipped !== undefined ? "skip" : r.ok ? "ok  " : "FAIL"} ${name}\n`);
    if (!r.ok) io.out(r.message.replace(/^/gm, "       ") + "\n");
    else if (r.skipped !== undefined) io.out(r.skipped.replace(/^/gm, "       ") + "\n");
  };
  if (!opts.json) io.out(`mmsim conformance: ${reclaim.info.name} ${reclaim.info.version} (${reclaim.info.models})\n`);
  const runKit = async (): Promise<number> => {
    const o = { plugin: () => reclaim.create()!, arch: archOf(opts.arch as ArchName), budget, fuzz_runs, seed, reclaim_arg: reclaimArg(spec) };
    if (opts.shard) {
      const shard = opts.shard;
      const timed: SuiteReport[] = [];
      const part = checkPluginShard(o, shard, (suite, name, r, ms) => {
        line(suite, name, r);
        if (timed.at(-1)?.suite !== suite) timed.push({ suite, checks: [] });
        timed.at(-1)!.checks.push({ name, result: r, ms });
      });
      if (opts.junit) writeOutFile("--junit", opts.junit, junitXml(info.name, timed), io.cwd);
      const failed = part.checks.filter((c) => !c.result.ok).length;
      const skipped = skippedOf(part.checks);
      if (opts.json) {
        const run = { plugin: info.name, version: info.version, reclaim: reclaimArg(spec), budget, fuzz_runs, seed, arch: opts.arch };
        io.out(JSON.stringify(envelope("conformance", shard, run, part), null, 2) + "\n");
      } else io.out(`\nshard ${shardLabel(shard)}: ${part.checks.length} of ${count(part.total, "check")}; ${tally(part.checks.length, failed, skipped)}\n`);
      io.err(`conformance: shard ${shardLabel(shard)}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return failed ? EXIT_FAILURE : EXIT_OK;
    }
    const coverage = opts.coverage ? await measureCoverage({ ...o, files: pluginFiles(spec, io.cwd) }, line, io.cwd) : null;
    const reports = coverage ? coverage.reports : checkPlugin(o, line);
    const all = reports.flatMap((s) => s.checks);
    const failed = all.filter((c) => !c.result.ok).length;
    const skipped = skippedOf(all);
    if (opts.junit) writeOutFile("--junit", opts.junit, junitXml(info.name, reports), io.cwd);
    // --json is the same, byte for byte, for the same plugin and options: each check's time goes only to JUnit and stderr.
    const suites = withoutTimes(reports);
    const cov = coverage ? { hooks: coverage.hooks, files: coverage.files, by: coverage.by } : undefined;
    if (opts.json) io.out(JSON.stringify({ plugin: info.name, passed: all.length - failed - skipped, failed, ...(skipped ? { skipped } : {}), suites, ...(cov ? { coverage: cov } : {}) }, null, 2) + "\n");
    else {
      if (coverage) io.out(coverageText(coverage));
      io.out(`\n${tally(all.length, failed, skipped)}\n`);
    }
    io.err(`conformance: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return failed ? EXIT_FAILURE : EXIT_OK;
  };
  try {
    return await runKit();
  } finally {
    progress.stop();
  }
}

/**
 * `measureCoverage` on pt-reclaim at a small budget: the hooks it defines all run,
 * its branches are mapped back to its TypeScript source, and a check's coverage
 * is attributed to its suite. The measurement runs in a plain Node child on the
 * built packages, as `mmsim conformance --coverage` runs it: under vitest the
 * plugin runs as rewritten code, which the kit refuses to measure.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { countingHooks, measureCoverage, type CoverageReport } from "./coverage.js";

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve("@mmsim/reclaim-pt-reclaim"));

describe("coverage of a plugin's own source", () => {
  it("maps V8 block coverage of pt-reclaim's dist back to src/, per suite, with every hook reached", async () => {
    const script = `
      const { measureCoverage } = await import("@mmsim/conformance");
      const { x86_64 } = await import("@mmsim/arch-x86_64");
      const { ptReclaim } = await import("@mmsim/reclaim-pt-reclaim");
      const r = await measureCoverage({ plugin: ptReclaim, arch: x86_64(), budget: 4, fuzz_runs: 3, files: [${JSON.stringify(dist)}] });
      process.stdout.write(JSON.stringify(r));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dirname(dist), encoding: "utf8", maxBuffer: 1 << 26 });
    const r = JSON.parse(out) as CoverageReport;
    expect(r.reports.flatMap((s) => s.checks).length).toBeGreaterThan(10);
    expect(r.plugin).toBe("pt-reclaim");
    expect(r.files).toEqual(["src/index.ts", "src/pt_reclaim.ts"]); // relative to the working directory, the plugin package
    expect(r.hooks.map((h) => h.name).sort()).toEqual(["reclaim_pt_is_enabled", "zap_pte_range_end", "zap_pte_range_locked"]);
    expect(r.hooks.every((h) => h.calls > 0)).toBe(true);
    const races = r.by["races"];
    expect(races.branches.total).toBeGreaterThan(10);
    expect(r.by["all"].branches.total).toBe(races.branches.total); // one branch set for every group
    expect(races.branches.covered).toBeGreaterThan(0);
    expect(r.by["all"].branches.covered).toBeGreaterThanOrEqual(races.branches.covered);
    for (const u of races.uncovered) expect(u.line).toBeGreaterThan(0);
  }, 600_000);

  it("writes no code cache of core from the measuring process (its bytecode carries block counters), where a plain process writes one", () => {
    const run = (measure: boolean): string[] => {
      const cache = mkdtempSync(join(tmpdir(), "mmsim-cov-cache-"));
      const script = measure
        ? `const { measureCoverage } = await import("@mmsim/conformance");
           const { x86_64 } = await import("@mmsim/arch-x86_64");
           const { ptReclaim } = await import("@mmsim/reclaim-pt-reclaim");
           await measureCoverage({ plugin: ptReclaim, arch: x86_64(), budget: 1, fuzz_runs: 1, files: [${JSON.stringify(dist)}] });`
        : `await import("@mmsim/conformance");`;
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dirname(dist), encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, MMSIM_CODE_CACHE_DIR: cache, MMSIM_CODE_CACHE: "1" } });
      const files = readdirSync(cache);
      rmSync(cache, { recursive: true, force: true });
      return files;
    };
    expect(run(false).length).toBeGreaterThan(0); // the cache is on here: a plain process writes it
    expect(run(true)).toEqual([]);
  }, 600_000);

  it("measures a plugin written in JavaScript, without a source map, line by line in its own file (not 0/0 branches)", async () => {
    // examples/third-party-plugin: a package directory whose node_modules (here: none; in a real checkout, its
    // dependencies) is not the plugin's own code.
    const example = fileURLToPath(new URL("../../../examples/third-party-plugin/", import.meta.url));
    const script = `
      const { measureCoverage } = await import("@mmsim/conformance");
      const { x86_64 } = await import("@mmsim/arch-x86_64");
      const { default: myPlugin } = await import(${JSON.stringify(pathToFileURL(join(example, "my-plugin.mjs")).href)});
      const r = await measureCoverage({ plugin: myPlugin, arch: x86_64(), budget: 3, fuzz_runs: 2, files: [${JSON.stringify(example)}] });
      process.stdout.write(JSON.stringify(r));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: example, encoding: "utf8", maxBuffer: 1 << 26 });
    const r = JSON.parse(out) as CoverageReport;
    expect(r.files).toEqual(["my-plugin.mjs"]);
    const all = r.by["all"];
    expect(all.branches.total).toBeGreaterThan(3);
    expect(all.branches.covered).toBeGreaterThan(0);
    expect(all.lines.total).toBeGreaterThan(3);
    for (const u of all.uncovered) expect(u.file).toBe("my-plugin.mjs");
  }, 600_000);

  it("leaves out what a plugin package's directory holds in node_modules (its dependencies)", async () => {
    const root = mkdtempSync(join(tmpdir(), "mmsim-coverage-"));
    try {
      mkdirSync(join(root, "node_modules", "helper"), { recursive: true });
      writeFileSync(join(root, "node_modules", "helper", "package.json"), JSON.stringify({ name: "helper", type: "module", main: "index.js" }));
      writeFileSync(join(root, "node_modules", "helper", "index.js"), "export function wide(k, start, end, details) {\n  if (details === null) return false;\n  return details.reclaim_pt && end - start >= k.arch.PMD_SIZE;\n}\n");
      const ptUrl = pathToFileURL(require.resolve("@mmsim/reclaim-pt-reclaim")).href;
      writeFileSync(
        join(root, "plugin.mjs"),
        `import { wide } from "helper";\nimport { ptReclaim } from ${JSON.stringify(ptUrl)};\nexport default function () {\n  const p = ptReclaim();\n  return { ...p, name: "with-helper", reclaim_pt_is_enabled(k, s, e, d) {\n    return wide(k, s, e, d);\n  } };\n}\n`,
      );
      const script = `
        const { measureCoverage } = await import("@mmsim/conformance");
        const { x86_64 } = await import("@mmsim/arch-x86_64");
        const { default: plugin } = await import(${JSON.stringify(pathToFileURL(join(root, "plugin.mjs")).href)});
        const r = await measureCoverage({ plugin, arch: x86_64(), budget: 2, fuzz_runs: 2, files: [${JSON.stringify(root)}] });
        process.stdout.write(JSON.stringify(r));`;
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dirname(dist), encoding: "utf8", maxBuffer: 1 << 26 });
      const r = JSON.parse(out) as CoverageReport;
      expect(r.files.map((f) => f.slice(f.lastIndexOf("/") + 1))).toEqual(["plugin.mjs"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 600_000);

  it("refuses to measure a plugin that ran as rewritten code (here, vitest's transform of its dist)", async () => {
    await expect(measureCoverage({ plugin: ptReclaim, arch: x86_64(), budget: 1, fuzz_runs: 1, files: [dist] })).rejects.toThrow(
      /reclaim-pt-reclaim\/dist\/index\.(c?js) ran as rewritten code .* measure under plain Node/,
    );
  }, 600_000);

  it("counting hooks keeps generator hooks generators and counts each call", () => {
    const calls = new Map<string, number>();
    const p = countingHooks(ptReclaim(), calls);
    expect(p.zap_pte_range_end!.constructor.name).toBe("GeneratorFunction");
    expect(p.name).toBe("pt-reclaim");
    p.reclaim_pt_is_enabled!(x86_64() as never, 0, 0, null);
    expect(calls.get("reclaim_pt_is_enabled")).toBe(1);
    expect(calls.get("zap_pte_range_end")).toBe(0);
  });
});

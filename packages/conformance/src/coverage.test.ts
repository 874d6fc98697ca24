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
import { dirname } from "node:path";
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

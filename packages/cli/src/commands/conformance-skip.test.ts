/**
 * A check that does not apply to the plugin's kernel era (the kit's guard-marker
 * check before 6.13) is reported `skip` with its reason and counted apart from
 * the passed ones: text, --json (merged shards the same, byte for byte) and JUnit.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { mmsim, tempDir } from "../testing.js";

const REASON = "guard regions (MADV_GUARD_INSTALL, Linux 6.13) do not exist in the plugin's kernel era 6.10";
const GUARD = "a PTE table holding guard markers is kept: the guard pages still raise SIGSEGV";

/** pt-reclaim declared for the 6.10 era, as a module plugin. */
function oldEra(): string {
  const pt = pathToFileURL(createRequire(import.meta.url).resolve("@mmsim/reclaim-pt-reclaim").replace(/\.cjs$/, ".js")).href;
  return tempDir({ "old.mjs": `import { ptReclaim } from ${JSON.stringify(pt)};\nexport default () => ({ ...ptReclaim(), name: "pt-reclaim-6.10", era: "6.10" });\n` });
}

describe("conformance: a check skipped for the plugin's era", () => {
  const argv = ["conformance", "./old.mjs", "--budget", "1", "--fuzz-runs", "1"];

  it("text: a skip line with the reason, and the count apart", async () => {
    const r = await mmsim(argv, oldEra());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\nnon-present entries\n  skip ${GUARD}\n       ${REASON}\n  ok   a PTE table holding swap entries`);
    expect(r.stdout).toMatch(/\n28 passed, 0 failed, 1 skipped\n$/);
  }, 600_000);

  it("--json: skipped counted, passed without it; the merged shards are the same bytes; JUnit has a <skipped>", async () => {
    const dir = oldEra();
    const whole = await mmsim([...argv, "--json", "--junit", "kit.xml"], dir);
    const report = JSON.parse(whole.stdout) as { passed: number; failed: number; skipped?: number; suites: { suite: string; checks: { name: string; result: { ok: boolean; skipped?: string } }[] }[] };
    expect([report.passed, report.failed, report.skipped]).toEqual([28, 0, 1]);
    expect(report.suites.at(-1)!.checks[0]).toMatchObject({ name: GUARD, result: { ok: true, skipped: REASON } });
    const files: string[] = [];
    for (const i of [1, 2, 3]) {
      writeFileSync(join(dir, `s${i}.json`), (await mmsim([...argv, "--json", "--shard", `${i}/3`], dir)).stdout);
      files.push(`s${i}.json`);
    }
    expect((await mmsim(["merge", ...files], dir)).stdout).toBe(whole.stdout);
    const xml = readFileSync(join(dir, "kit.xml"), "utf8");
    expect(xml).toContain(`<testsuite name="non-present entries" tests="2" failures="0" skipped="1">`);
    expect(xml).toMatch(new RegExp(`name="${GUARD}" time="[0-9.]+"><skipped message="${REASON.replace(/[()]/g, "\\$&")}"/></testcase>`));
  }, 600_000);

  it("a plugin of the 6.18 era runs the check: no skip line, no skipped count", async () => {
    const r = await mmsim(["conformance", "pt-reclaim", "--budget", "1", "--fuzz-runs", "1", "--json"]);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report.skipped).toBeUndefined();
    expect(report.passed).toBe(29);
  }, 600_000);
});

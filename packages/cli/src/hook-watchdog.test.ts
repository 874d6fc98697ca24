/**
 * A plugin hook that never returns (hook-watchdog.ts): the built bin stops it with
 * one error naming the plugin and the hook, a replay line, exit 1, where `run`,
 * `fuzz`, `explore` and `conformance` used to hang. Mutants: guardPlugin() not
 * watching (plugins.ts passing watch=false) or the worker never firing hangs every
 * case (the spawn's own timeout kills it: status null); the bin not arming the
 * watchdog (mmsim.ts) the same.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hookTimeoutMs } from "./hook-watchdog.js";
import { mmsim, tempDir } from "./testing.js";

const MMSIM = fileURLToPath(new URL("../dist/mmsim.js", import.meta.url));
const built = existsSync(MMSIM);

const HEAD = `import { pmd_lock, spin_unlock } from "@mmsim/core/kernel";
const base = { specificationVersion: "v1", version: "0", supports: { madv_dontneed: true, rcu_table_free: true } };
`;
/** A plain hook in a synchronous endless loop. */
const SYNC = `${HEAD}export default () => ({ ...base, name: "spin", models: "plain hook loops", reclaim_pt_is_enabled() { for (;;) {} } });\n`;
/** A kernel-path hook looping over kernel functions (it yields under the explorer, not in a bulk run). */
const YIELDING = `${HEAD}export default () => ({ ...base, name: "relock", models: "kernel path loops",
  reclaim_pt_is_enabled: (k, s, e, d) => d !== null && d.reclaim_pt,
  *zap_pte_range_end(t, tlb, mm, pmdp) { for (;;) { const pml = yield* pmd_lock(t, pmdp); yield* spin_unlock(t, pml); } } });\n`;
function withCore(files: Record<string, string>): string {
  const dir = tempDir(files);
  mkdirSync(join(dir, "node_modules", "@mmsim"), { recursive: true });
  for (const p of ["core", "spec"]) symlinkSync(fileURLToPath(new URL(`../../${p}`, import.meta.url)), join(dir, "node_modules", "@mmsim", p));
  return dir;
}

function bin(args: string[], cwd: string, timeout = "1") {
  return spawnSync(process.execPath, [MMSIM, ...args], { cwd, encoding: "utf8", timeout: 60_000, env: { ...process.env, MMSIM_HOOK_TIMEOUT: timeout, MMSIM_PROGRESS: "0" } });
}

describe.skipIf(!built)("a plugin hook that never returns (the bin's hook watchdog)", () => {
  const cases: [string, string, string[], string, string][] = [
    ["run, plain hook", SYNC, ["run", "seed-small", "--reclaim", "./p.mjs"], "spin", "reclaim_pt_is_enabled"],
    ["run, kernel-path hook", YIELDING, ["run", "seed-small", "--reclaim", "./p.mjs"], "relock", "zap_pte_range_end"],
    ["compare", SYNC, ["compare", "seed-small", "--reclaim", "none,./p.mjs"], "spin", "reclaim_pt_is_enabled"],
    ["fuzz", YIELDING, ["fuzz", "./p.mjs", "--ops", "200"], "relock", "zap_pte_range_end"],
    ["explore", SYNC, ["explore", "fault-vs-dontneed", "--reclaim", "./p.mjs", "--budget", "5"], "spin", "reclaim_pt_is_enabled"],
    ["conformance", SYNC, ["conformance", "./p.mjs", "--budget", "2", "--fuzz-runs", "2"], "spin", "reclaim_pt_is_enabled"],
  ];
  for (const [what, source, args, plugin, hook] of cases)
    it(`${what}: stopped, the plugin and hook named, a replay line, exit 1`, () => {
      const dir = withCore({ "p.mjs": source });
      const r = bin(args, dir);
      expect(r.status, r.stderr).toBe(1);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines.slice(-2)).toEqual([
        `error: plugin '${plugin}': hook ${hook} did not return within 1 s (a loop that never ends?); mmsim stopped it (MMSIM_HOOK_TIMEOUT sets the timeout)`,
        `replay: mmsim ${args.join(" ")}`,
      ]);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    }, 60_000);

  it("the replay line replays it: the same error again", () => {
    const dir = withCore({ "p.mjs": YIELDING });
    const args = ["fuzz", "./p.mjs", "--ops", "200", "--seed", "3"];
    const first = bin(args, dir);
    const replay = first.stderr.trimEnd().split("\n").at(-1)!;
    expect(replay).toBe(`replay: mmsim ${args.join(" ")}`);
    const again = bin(replay.slice("replay: mmsim ".length).split(" "), dir);
    expect(again.stderr).toBe(first.stderr);
    expect(again.status).toBe(1);
  }, 60_000);

  it("a plugin whose hooks return is not stopped, and a run ends at once (the watchdog thread does not keep the process alive)", () => {
    const dir = withCore({ "p.mjs": YIELDING.replace("for (;;) {", "for (let i = 0; i < 3; i++) {") });
    const t0 = Date.now();
    const r = bin(["run", "seed-small", "--reclaim", "./p.mjs"], dir, "30");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 60_000);

  it("MMSIM_HOOK_TIMEOUT: seconds, 0 turns it off, anything else a usage error naming the variable", async () => {
    expect(hookTimeoutMs({})).toBe(30_000);
    expect(hookTimeoutMs({ MMSIM_HOOK_TIMEOUT: "0.5" })).toBe(500);
    expect(hookTimeoutMs({ MMSIM_HOOK_TIMEOUT: "0" })).toBe(0);
    for (const bad of ["-1", "abc", "1e3", "Infinity"]) expect(() => hookTimeoutMs({ MMSIM_HOOK_TIMEOUT: bad })).toThrow(`MMSIM_HOOK_TIMEOUT=${JSON.stringify(bad)}: not a number of seconds`);
    const dir = withCore({ "p.mjs": SYNC });
    const r = bin(["run", "seed-small", "--reclaim", "./p.mjs"], dir, "soon");
    expect(r.stderr).toBe('error: MMSIM_HOOK_TIMEOUT="soon": not a number of seconds (0 turns the hook watchdog off)\n');
    expect(r.status).toBe(2);
    // In-process (main() called by a program, as tests do): never armed, the hooks not watched.
    const ok = withCore({ "p.mjs": YIELDING.replace("for (;;) {", "for (let i = 0; i < 3; i++) {") });
    expect((await mmsim(["run", "seed-small", "--reclaim", "./p.mjs"], ok)).code).toBe(0);
  }, 60_000);
});

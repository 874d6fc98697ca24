#!/usr/bin/env node
/**
 * The long differential-fuzz job (issue #9 §3): `mmsim fuzz <plugin> --ops N`
 * on every bundled design, one after another, through the CLI itself; prints a
 * Markdown row per plugin (operations, sequences, tables reclaimed, divergence,
 * seconds, ops/s) and exits 1 if any plugin diverged (its replay line is shown).
 * A benchmark/CI-matrix job, not a unit test: at 1 M operations it takes about
 * 15–25 minutes per plugin on a 2-core machine. Split it with --shard i/n (the
 * same flag as `mmsim fuzz`; merge the shards' --json with `mmsim merge`).
 *
 *   npm run build && node packages/conformance/scripts/fuzz-long.mjs [--ops 1000000] [--seed 1] [--plugins pt-reclaim,percpu] [--shard i/n]
 */
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const CLI = join(root, "packages/cli/dist/mmsim.js");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ops = opt("--ops", "1000000");
const seed = opt("--seed", "1");
const shard = opt("--shard", undefined);
const plugins = opt("--plugins", "pt-reclaim,rcu-freept,percpu,refcount").split(",");

console.log(`| plugin | operations | sequences | PTE tables reclaimed | divergence | time | ops/s |`);
console.log(`|---|---|---|---|---|---|---|`);
let failed = 0;
for (const plugin of plugins) {
  const argv = [CLI, "fuzz", plugin, "--ops", ops, "--seed", seed, "--json", ...(shard ? ["--shard", shard] : [])];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", maxBuffer: 1 << 26 });
  const secs = (performance.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 1) {
    console.log(`| ${plugin} | error (exit ${r.status}) | | | ${r.stderr.trim().split("\n")[0]} | | |`);
    failed++;
    continue;
  }
  const j = JSON.parse(r.stdout);
  const res = j.part ?? j; // a shard's envelope carries its part
  const d = res.divergence;
  if (d) failed++;
  console.log(
    `| ${plugin} | ${res.ops} | ${res.sequences} | ${res.reclaimed ?? "—"} | ${d ? `**${d.rule}**: \`${d.replay}\`` : "none"} | ${secs.toFixed(0)} s | ${Math.round(res.ops / secs)} |`,
  );
}
process.exit(failed ? 1 : 0);

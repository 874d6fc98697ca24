#!/usr/bin/env node
/**
 * The explorer's exactness check (issue #10 §4): a sha256 over what the explorer
 * produces for every kit scenario × every bundled design (and none) × the three
 * strategies, to compare two builds (before/after a speed-up) byte for byte:
 *
 * - explore()'s result (executions, failure: rule, detail, schedule,
 *   preemptions, found_after, trace), elapsed time left out;
 * - every ExecutionResult (violation, choices, runnable sets, preemptions,
 *   steps, op results) of the first --budget executions of each strategy, run
 *   with execute() as explore() runs them, with a post-setup snapshot cache
 *   when the build has one (a build without it ignores the option).
 *
 *   node packages/bench/scripts/explore-digest.mjs [--budget N] [--arch x86_64|arm64] [--verbose]
 *
 * Prints one line per design and the total; run it on both builds (after
 * `npm run build`) and compare the totals. --verbose also prints, per design,
 * scenario and strategy, the digest of explore()'s result and of the
 * executions, to find which scenarios two builds differ on.
 */
import { createHash } from "node:crypto";
import { arm64 } from "@mmsim/arch-arm64";
import { x86_64 } from "@mmsim/arch-x86_64";
import { installedReclaims } from "@mmsim/cli";
import { SCENARIOS } from "@mmsim/conformance";
import * as check from "@mmsim/core/check";

const opt = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const budget = Number(opt("--budget", "30"));
const archName = opt("--arch", "x86_64");
const verbose = process.argv.includes("--verbose");
const arch = archName === "arm64" ? arm64() : x86_64();
const { explore, execute, actorNames, DfsStrategy, PctStrategy, RandomStrategy, SetupCache } = check;

/** The strategy explore() uses for `name` (explore.ts strategyFor, seed 1). */
function strategyFor(name, s) {
  const seed = 1 * 7919;
  if (name === "dfs") return new DfsStrategy(s.actors.length, 2);
  if (name === "pct") return new PctStrategy(seed, actorNames(s).length, 3, 200);
  return new RandomStrategy(seed);
}

const designs = [{ name: "none", create: () => null }, ...(await installedReclaims())];
const total = createHash("sha256");
const t0 = performance.now();
let executions = 0;
for (const d of designs) {
  const h = createHash("sha256");
  for (const s of SCENARIOS) {
    const probe = d.create();
    if (probe !== null && s.requires && !probe.supports[s.requires]) continue;
    for (const strategy of ["pct", "random", "dfs"]) {
      const r = explore(s, { plugin: d.create(), arch, strategy, budget, seed: 1 });
      const { elapsed_ms: _, ...rest } = r;
      const line = JSON.stringify(rest);
      h.update(line);
      const st = strategyFor(strategy, s);
      const plugin = d.create();
      const setup_cache = SetupCache ? new SetupCache() : undefined;
      const he = verbose ? createHash("sha256") : null;
      for (let n = 0; n < budget && st.new_execution(); n++) {
        const e = JSON.stringify(execute(s, st, { plugin, arch, setup_cache }));
        executions++;
        h.update(e);
        he?.update(e);
      }
      if (verbose) console.log(d.name, s.name, strategy, createHash("sha256").update(line).digest("hex").slice(0, 12), he.digest("hex").slice(0, 12), r.executions, r.failure?.rule ?? "");
    }
  }
  const hex = h.digest("hex");
  total.update(hex);
  console.log(`${d.name.padEnd(12)} ${hex}`);
}
console.log(`total (${archName}, budget ${budget}) ${total.digest("hex")}  [${executions} executions checked one by one, ${((performance.now() - t0) / 1000).toFixed(1)} s]`);

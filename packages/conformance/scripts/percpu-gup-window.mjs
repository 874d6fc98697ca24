#!/usr/bin/env node
/**
 * Issue #9 §1, the percpu coverage note (README, "Coverage"): can a GUP-fast see
 * the PMD cleared between its own pmdp_get_lockless() and the re-read in
 * percpu's pte_offset_map hook (packages/reclaim-percpu/src/index.ts, the
 * `return null` of a "lockless" map)? Explores MADV_DONTNEED of a one-page slice
 * against one GUP-fast of that page with bounded-preemption DFS (every schedule
 * with at most N preemptions; the kit's races use PCT and random schedules only)
 * and counts the hook's "lockless" calls that returned null, by wrapping the
 * hook. Deterministic (DFS has no seed).
 *
 *   node packages/conformance/scripts/percpu-gup-window.mjs [N=2]
 *
 * Run from the repository root after `npx turbo build`. Not a test: the kit
 * cannot depend on @mmsim/reclaim-percpu (that package tests itself with the kit).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { DfsStrategy, execute, validateScenario } from "@mmsim/core/check";
import { percpu } from "@mmsim/reclaim-percpu";
import { readFileSync } from "node:fs";

const bound = Number(process.argv[2] ?? 2);
const s = validateScenario(JSON.parse(readFileSync(new URL("../../reclaim-percpu/scenarios/gup-window.json", import.meta.url), "utf8")), "gup-window.json");
const st = new DfsStrategy(2, bound);
let executions = 0;
let lockless = 0;
let refused = 0;
let first = null;
let violations = 0;
while (st.new_execution()) {
  const p = percpu();
  const hook = p.pte_offset_map;
  let hit = false;
  p.pte_offset_map = function* (t, pmdp, addr, kind) {
    const r = yield* hook.call(this, t, pmdp, addr, kind);
    if (kind === "lockless") {
      lockless++;
      if (r === null) {
        refused++;
        hit = true;
      }
    }
    return r;
  };
  const r = execute(s, st, { plugin: p, arch: x86_64() });
  if (r.violation) violations++;
  if (hit && first === null) first = executions;
  executions++;
}
console.log(`preemption bound ${bound}: ${executions} executions, ${lockless} lockless maps, ${refused} refused (PMD cleared after GUP-fast's read; first in execution ${first}), ${violations} rule(s) broken`);

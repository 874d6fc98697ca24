#!/usr/bin/env node
/**
 * Issue #9 §1, the pmd coverage exception `pmd_reclaim.ts:199` (README,
 * "Coverage"): try_to_free_pmd() keeping an emptied PMD table because a sleeping
 * `.pmd_entry` walker holds a reference on it, found under pud_lock + pmd_lock.
 * The lockless pre-scan must see the PMD table empty and, before the locked
 * recheck, a fault must install a PTE table in it and the walker take its
 * references ("rcu-refcount"). The kit's PCT and random schedules do not produce
 * that order (600 executions of this scenario, none); this script drives it
 * directly: the DONTNEED runs until its zap_pmd_range_done hook plus X steps, the
 * fault runs to its end, the walker Y steps, then the DONTNEED and the rest. It
 * counts the schedules in which @mmsim/reclaim-pmd's `kept_for_walker` grew (the
 * walker's PTE table is not in the discarded slice, so only `:199` counts) and
 * prints the first one's replay line. Deterministic.
 *
 *   node packages/conformance/scripts/pmd-walker-recheck.mjs
 *
 * Run from the repository root after `npx turbo build`. Not a test: the kit
 * cannot depend on @mmsim/reclaim-pmd (that package tests itself with the kit).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { x86_64 } from "@mmsim/arch-x86_64";
import { encodeSchedule, execute, validateScenario } from "@mmsim/core/check";
import { reclaimPmd } from "@mmsim/reclaim-pmd";

const scenario = {
  name: "pmd-walker-recheck",
  description: "MADV_DONTNEED empties and frees a 1 GiB's PMD table while a fault installs a PTE table in it and a sleeping .pmd_entry walker takes references on both",
  requires: "rcu_upper_levels",
  setup: [
    { op: "mmap", at: 0, len: "1G" },
    { op: "touch", at: 0, len: "4K", write: true },
  ],
  actors: [
    { name: "dontneed", cpu: 0, ops: [{ op: "madvise", at: 0, len: "2M", advice: "dontneed" }] },
    { name: "fault", cpu: 1, ops: [{ op: "touch", at: "4M", len: "4K", write: true }] },
    { name: "walker", cpu: 2, ops: [{ op: "walk", at: "4M", len: "2M", sleep: true }] },
  ],
};
const s = validateScenario(scenario);
let executions = 0;
let kept = 0;
let violations = 0;
let first = null;
for (let X = 0; X <= 10; X++)
  for (let Y = 1; Y <= 80; Y++) {
    const hook = { entered: false };
    let phase = 0;
    let n = 0;
    let started = false;
    const strategy = {
      new_execution() {
        if (started) return false;
        started = true;
        return true;
      },
      choose(runnable) {
        const can = (i) => runnable.includes(i);
        if (phase === 0) {
          if (hook.entered && n++ >= X) {
            phase = 1;
            n = 0;
          } else if (can(0)) return 0;
          else phase = 1;
        }
        if (phase === 1) {
          if (can(1)) return 1;
          phase = 2;
        }
        if (phase === 2) {
          if (n++ < Y && can(2)) return 2;
          phase = 3;
        }
        return can(0) ? 0 : runnable[0];
      },
    };
    const p = reclaimPmd();
    const done = p.zap_pmd_range_done;
    p.zap_pmd_range_done = function* (...args) {
      hook.entered = true;
      return yield* done.apply(this, args);
    };
    const r = execute(s, strategy, { plugin: p, arch: x86_64() });
    executions++;
    if (r.violation) violations++;
    if (p.stats.kept_for_walker > 0) {
      kept++;
      first ??= { X, Y, schedule: encodeSchedule(r.choices), preemptions: r.preemptions };
    }
  }
const file = join(tmpdir(), "pmd-walker-recheck.json");
writeFileSync(file, JSON.stringify(scenario, null, 2) + "\n");
console.log(`${executions} schedules, ${kept} kept the PMD table for the walker under the locks (pmd_reclaim.ts:199), ${violations} rule(s) broken`);
if (first)
  console.log(`first: X=${first.X} Y=${first.Y}, ${first.preemptions} preemption(s); replay: mmsim explore ${file} --reclaim pmd --replay ${first.schedule}`);

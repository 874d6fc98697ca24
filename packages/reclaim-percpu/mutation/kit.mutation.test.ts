/**
 * The conformance kit as the test suite of the mutation job (`npm run mutation`,
 * stryker.config.mjs), one test per check, so a mutant dies at its first failing
 * check. Not part of `npm test` (vitest.config.ts includes only src/**). The plugin
 * comes from ../src, the copy Stryker mutates. Budgets: MMSIM_MUTATION_BUDGET
 * executions per race scenario and strategy (default 20), MMSIM_MUTATION_FUZZ runs
 * of the differential fuzz (default 5). The design as posted fails three checks
 * on x86_64 (src/conformance.test.ts, the README's findings); each of those tests
 * expects exactly that failure, so a mutant that makes one pass, or fail another
 * way, is killed too.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { expectingFailures, runConformance } from "@mmsim/conformance";
import { describe, it } from "vitest";
import { percpu } from "../src/index.js";

const budget = Number(process.env.MMSIM_MUTATION_BUDGET ?? 20);
const fuzz_runs = Number(process.env.MMSIM_MUTATION_FUZZ ?? 5);

/** The checks the design as posted fails, with the rule each breaks. */
const EXPECTED_FAILURES: Record<string, RegExp> = {
  "speculative-walk-vs-dontneed": /^stale paging-structure cache: CPU 2 still caches PMD→table/,
  "huge-pmd-walkers": /^stale paging-structure cache: CPU 3 still caches PMD→table/,
  "dontneed-twice-vs-pmd-install": /^lost mapping: d2 freed PTE table \d+ with entry \d+ still mapped/,
};

runConformance(expectingFailures({ describe, it }, EXPECTED_FAILURES), { plugin: () => percpu(), arch: x86_64(), budget, fuzz_runs });

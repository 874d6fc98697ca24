/**
 * The conformance kit as the test suite of the mutation job (`npm run mutation`,
 * stryker.config.mjs), one test per check, so a mutant dies at its first failing
 * check. Not part of `npm test` (vitest.config.ts includes only src/**). The plugin
 * comes from ../src, the copy Stryker mutates. Budgets: MMSIM_MUTATION_BUDGET
 * executions per race scenario and strategy (default 20), MMSIM_MUTATION_FUZZ runs
 * of the differential fuzz (default 5). The RFC as posted fails one check,
 * `scan-speculative-walk` (src/conformance.test.ts): that test expects exactly that
 * failure, so a mutant that makes it pass is killed too.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { expectingFailures, runConformance } from "@mmsim/conformance";
import { describe, it } from "vitest";
import { rcuFreept } from "../src/index.js";

const budget = Number(process.env.MMSIM_MUTATION_BUDGET ?? 20);
const fuzz_runs = Number(process.env.MMSIM_MUTATION_FUZZ ?? 5);

/** The check the design as posted fails, with the rule it breaks. */
const EXPECTED_FAILURES: Record<string, RegExp> = {
  "scan-speculative-walk": /stale paging-structure cache/,
};

runConformance(expectingFailures({ describe, it }, EXPECTED_FAILURES), { plugin: rcuFreept, arch: x86_64(), budget, fuzz_runs });

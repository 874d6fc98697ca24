/**
 * The conformance kit as the test suite of the mutation job (`npm run mutation`,
 * stryker.config.mjs), one test per check, on the deprecated alias's factory from
 * ../src (the copy Stryker mutates). Not part of `npm test`. Budgets:
 * MMSIM_MUTATION_BUDGET executions per race scenario and strategy (default 20),
 * MMSIM_MUTATION_FUZZ runs of the differential fuzz (default 5). The plugin is
 * rcu-freept, which fails exactly `scan-speculative-walk` (see
 * packages/reclaim-rcu-freept/mutation/kit.mutation.test.ts); that test expects
 * that failure.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { expectingFailures, runConformance } from "@mmsim/conformance";
import { describe, it } from "vitest";
import { freept } from "../src/index.js";

const budget = Number(process.env.MMSIM_MUTATION_BUDGET ?? 20);
const fuzz_runs = Number(process.env.MMSIM_MUTATION_FUZZ ?? 5);

/** The check rcu-freept as posted fails, with the rule it breaks. */
const EXPECTED_FAILURES: Record<string, RegExp> = {
  "scan-speculative-walk": /^stale paging-structure cache: CPU 2 still caches PMD→table/,
};

runConformance(expectingFailures({ describe, it }, EXPECTED_FAILURES), { plugin: freept, arch: x86_64(), budget, fuzz_runs });

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
import { runConformance, type TestApi } from "@mmsim/conformance";
import { describe, expect, it } from "vitest";
import { freept } from "../src/index.js";

const budget = Number(process.env.MMSIM_MUTATION_BUDGET ?? 20);
const fuzz_runs = Number(process.env.MMSIM_MUTATION_FUZZ ?? 5);

const api: TestApi = {
  describe,
  it: (name, fn, timeout) =>
    it(
      name,
      () => {
        if (!name.startsWith("scan-speculative-walk:")) return fn();
        expect(fn).toThrow(/^stale paging-structure cache: CPU 2 still caches PMD→table/);
      },
      timeout,
    ),
};

runConformance(api, { plugin: freept, arch: x86_64(), budget, fuzz_runs });

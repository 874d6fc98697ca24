/**
 * The conformance kit as the test suite of the mutation job (`npm run mutation`,
 * stryker.config.mjs). Not part of `npm test`: vitest.config.ts includes only
 * src/**. It imports the plugin from ../src (the copy Stryker mutates), not the
 * built dist. Budgets: MMSIM_MUTATION_BUDGET executions per race scenario and
 * strategy (default 20), MMSIM_MUTATION_FUZZ runs of the differential fuzz
 * (default 5).
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { runConformance } from "@mmsim/conformance";
import { describe, it } from "vitest";
import { reclaimPmd } from "../src/index.js";

const budget = Number(process.env.MMSIM_MUTATION_BUDGET ?? 20);
const fuzz_runs = Number(process.env.MMSIM_MUTATION_FUZZ ?? 5);

runConformance({ describe, it }, { plugin: reclaimPmd, arch: x86_64(), budget, fuzz_runs });

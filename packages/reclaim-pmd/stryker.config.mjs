// @ts-check
// Mutation job of @mmsim/reclaim-pmd: npx turbo run mutation --filter=@mmsim/reclaim-pmd
// The suite is vitest.mutation.config.ts: mutation/kit.mutation.test.ts (the kit
// on ../src; budgets MMSIM_MUTATION_BUDGET, MMSIM_MUTATION_FUZZ) and src/ tests.
// src/mutants.ts is not mutated: it is the tests' hand-written mutants.
import { pluginMutation } from "../../stryker.base.mjs";

const base = pluginMutation("vitest.mutation.config.ts");
export default { ...base, mutate: [...(base.mutate ?? []), "!src/mutants.ts"] };

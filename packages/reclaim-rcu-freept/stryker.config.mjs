// @ts-check
// Mutation job of @mmsim/reclaim-rcu-freept: npx turbo run mutation --filter=@mmsim/reclaim-rcu-freept
// The suite is vitest.mutation.config.ts: mutation/kit.mutation.test.ts (the kit
// on ../src, one test per check; budgets MMSIM_MUTATION_BUDGET, MMSIM_MUTATION_FUZZ)
// and src/ tests but conformance.test.ts.
import { pluginMutation } from "../../stryker.base.mjs";

export default pluginMutation("vitest.mutation.config.ts");

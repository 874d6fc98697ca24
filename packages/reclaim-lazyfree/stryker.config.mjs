// @ts-check
// Mutation job of @mmsim/reclaim-lazyfree: npx turbo run mutation --filter=@mmsim/reclaim-lazyfree
// The suite is vitest.mutation.config.ts: mutation/kit.mutation.test.ts (the kit
// on ../src; budgets MMSIM_MUTATION_BUDGET, MMSIM_MUTATION_FUZZ) and src/ tests.
import { pluginMutation } from "../../stryker.base.mjs";

export default pluginMutation("vitest.mutation.config.ts");

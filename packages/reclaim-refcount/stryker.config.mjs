// @ts-check
// Mutation job of @mmsim/reclaim-refcount: npx turbo run mutation --filter=@mmsim/reclaim-refcount
// The suite is vitest.mutation.config.ts: mutation/kit.mutation.test.ts (the kit
// on ../src, one test per check; budgets MMSIM_MUTATION_BUDGET, MMSIM_MUTATION_FUZZ)
// and src/ tests (conformance.test.ts without its fixed-budget kit run).
import { pluginMutation } from "../../stryker.base.mjs";

export default pluginMutation("vitest.mutation.config.ts");

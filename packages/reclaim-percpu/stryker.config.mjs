// @ts-check
// Mutation job of @mmsim/reclaim-percpu: npx turbo run mutation --filter=@mmsim/reclaim-percpu
// The suite is vitest.mutation.config.ts: mutation/kit.mutation.test.ts (the kit
// on ../src, one test per check; budgets MMSIM_MUTATION_BUDGET, MMSIM_MUTATION_FUZZ)
// and src/ tests but contract.test.ts (it lints the file on disk, which Stryker has
// rewritten); conformance.test.ts without its fixed-budget kit run.
import { pluginMutation } from "../../stryker.base.mjs";

export default pluginMutation("vitest.mutation.config.ts");

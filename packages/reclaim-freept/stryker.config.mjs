// @ts-check
// Mutation job of @mmsim/reclaim-freept (the deprecated alias of rcu-freept):
// npx turbo run mutation --filter=@mmsim/reclaim-freept
// The suite is vitest.mutation.config.ts: src/alias.test.ts and
// mutation/kit.mutation.test.ts (the kit on the alias's plugin from ../src;
// budgets MMSIM_MUTATION_BUDGET, MMSIM_MUTATION_FUZZ). src/index.ts only
// re-exports; the code it re-exports is mutated by rcu-freept's job.
import { pluginMutation } from "../../stryker.base.mjs";

export default pluginMutation("vitest.mutation.config.ts");

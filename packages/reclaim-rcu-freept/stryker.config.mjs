// @ts-check
// Mutation job of @mmsim/reclaim-rcu-freept: npx turbo run mutation --filter=@mmsim/reclaim-rcu-freept
import { pluginMutation } from "../../stryker.base.mjs";

export default pluginMutation("vitest.config.ts");

// @ts-check
// Mutation job of @mmsim/reclaim-percpu: npx turbo run mutation --filter=@mmsim/reclaim-percpu
// The suite is vitest.mutation.config.ts: src/ tests without contract.test.ts,
// which lints the file on disk that Stryker has rewritten.
import { pluginMutation } from "../../stryker.base.mjs";

export default pluginMutation("vitest.mutation.config.ts");

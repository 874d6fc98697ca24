// @ts-check
// Mutation job of @mmsim/reclaim-refcount: npx turbo run mutation --filter=@mmsim/reclaim-refcount
import { pluginMutation } from "../../stryker.base.mjs";

export default pluginMutation("vitest.config.ts");

/**
 * @mmsim/spec — the contracts between mmsim's packages, as include/linux/*.h is
 * to mm code. Interfaces only, plus the branded error class and the plugin
 * validator:
 *   - `Arch`: what an architecture package implements (arch.ts);
 *   - the kernel types a reclaim plugin sees (kernel.ts);
 *   - `ReclaimPlugin`, specificationVersion "v1", with each hook's contract (plugin.ts).
 * Plugins import runtime kernel functions from `@mmsim/core/kernel`, which
 * re-exports everything here.
 */
export * from "./arch.js";
export * from "./kernel.js";
export * from "./plugin.js";
export * from "./errors.js";
export { validate_options, validate_plugin } from "./validate.js";

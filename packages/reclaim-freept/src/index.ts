/**
 * @mmsim/reclaim-freept — DEPRECATED alias of @mmsim/reclaim-rcu-freept, kept for
 * one minor version (0.2.x) and then removed. It re-exports the new package; its
 * factory returns the same plugin, named "rcu-freept".
 */
import { rcuFreept } from "@mmsim/reclaim-rcu-freept";

export * from "@mmsim/reclaim-rcu-freept";

/** @deprecated Renamed: import `rcuFreept` from `@mmsim/reclaim-rcu-freept`. */
export const freept: typeof rcuFreept = rcuFreept;

/** @deprecated Renamed: the default export of `@mmsim/reclaim-rcu-freept`. */
export default rcuFreept;

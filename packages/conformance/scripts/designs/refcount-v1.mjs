// The 2021 atomic pte_refcount as posted in v1 (seed 004; v2 5/9 + 6/9): pte_try_get()
// under pmd_lock and pte_free() at once after flush_tlb_range(). For
// `mmsim … --reclaim packages/conformance/scripts/designs/refcount-v1.mjs`.
import { refcount } from "@mmsim/reclaim-refcount";

export default () => refcount({ version: "v1" });

// The 2022 percpu_ref design with the fix Qi Zheng stated for R5 (self-reply to
// 13/18: switching back to percpu mode after MADV_DONTNEED "will drastically
// reduce performance"; the fix, not posted, is not to switch back). For
// `mmsim … --reclaim packages/conformance/scripts/designs/percpu-no-switch-back.mjs`.
import { percpu } from "@mmsim/reclaim-percpu";

export default () => percpu({ switch_back: false });

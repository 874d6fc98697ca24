// A third party's plugin: the merged pt-reclaim design, re-labelled, with its own
// zap_pte_range_end that logs how many tables it freed. Replace with your design.
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";

export default function myPlugin() {
  const base = ptReclaim();
  let freed = 0;
  return {
    ...base,
    name: "my-plugin",
    version: "0.0.1",
    models: "pt-reclaim, counting its frees",
    *zap_pte_range_end(t, tlb, mm, pmdp, start, st) {
      freed++;
      yield* base.zap_pte_range_end(t, tlb, mm, pmdp, start, st);
    },
    get freed() {
      return freed;
    },
  };
}

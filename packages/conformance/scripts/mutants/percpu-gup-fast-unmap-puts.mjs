// REFERENCE_MUTANTS' gup-fast-unmap-puts on @mmsim/reclaim-percpu, for
// `mmsim … --reclaim packages/conformance/scripts/mutants/percpu-gup-fast-unmap-puts.mjs`.
import { REFERENCE_MUTANTS } from "@mmsim/conformance";
import { percpu } from "@mmsim/reclaim-percpu";

const mutant = REFERENCE_MUTANTS.find((m) => m.name === "gup-fast-unmap-puts");
export default () => mutant.wrap(percpu());

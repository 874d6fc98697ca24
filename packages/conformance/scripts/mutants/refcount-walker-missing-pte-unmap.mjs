// REFERENCE_MUTANTS' walker-missing-pte-unmap on @mmsim/reclaim-refcount, for
// `mmsim … --reclaim packages/conformance/scripts/mutants/refcount-walker-missing-pte-unmap.mjs`.
import { REFERENCE_MUTANTS } from "@mmsim/conformance";
import { refcount } from "@mmsim/reclaim-refcount";

const mutant = REFERENCE_MUTANTS.find((m) => m.name === "walker-missing-pte-unmap");
export default () => mutant.wrap(refcount());

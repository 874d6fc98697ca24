// REFERENCE_MUTANTS' gup-fast-unmap-puts on @mmsim/reclaim-refcount, for
// `mmsim … --reclaim packages/conformance/scripts/mutants/refcount-gup-fast-unmap-puts.mjs`.
import { REFERENCE_MUTANTS } from "@mmsim/conformance";
import { refcount } from "@mmsim/reclaim-refcount";

const mutant = REFERENCE_MUTANTS.find((m) => m.name === "gup-fast-unmap-puts");
export default () => mutant.wrap(refcount());

// REFERENCE_MUTANTS' install-no-get on @mmsim/reclaim-refcount, for
// `mmsim … --reclaim packages/conformance/scripts/mutants/refcount-install-no-get.mjs`.
import { REFERENCE_MUTANTS } from "@mmsim/conformance";
import { refcount } from "@mmsim/reclaim-refcount";

const mutant = REFERENCE_MUTANTS.find((m) => m.name === "install-no-get");
export default () => mutant.wrap(refcount());

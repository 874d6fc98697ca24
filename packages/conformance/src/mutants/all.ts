/** Every bundled mutant (`mmsim … --reclaim mutant:<name>`): pt-reclaim's, then the thread objections', then the swap one, then pt-reclaim slow-path and rcu-freept scanner mutants (issue #9), then the non-present-entry one. */
import { MUTANTS as PT_RECLAIM_MUTANTS, type Mutant } from "./pt_reclaim_mutants.js";
import { NONPRESENT_MUTANTS } from "./nonpresent_mutants.js";
import { RCU_FREEPT_MUTANTS } from "./rcu_freept_mutants.js";
import { SLOW_PATH_MUTANTS } from "./slow_path_mutants.js";
import { SWAP_MUTANTS } from "./swap_mutants.js";
import { THREAD_MUTANTS } from "./thread_mutants.js";

export const MUTANTS: readonly Mutant[] = [...PT_RECLAIM_MUTANTS, ...THREAD_MUTANTS, ...SWAP_MUTANTS, ...SLOW_PATH_MUTANTS, ...RCU_FREEPT_MUTANTS, ...NONPRESENT_MUTANTS];

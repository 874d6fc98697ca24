/** The race scenarios that ship with the kit (packages/conformance/scenarios/*.json). */
import { validateScenario, type Scenario } from "@mmsim/core/check";
import dontneedTwiceVsFault from "../scenarios/dontneed-twice-vs-fault.json" with { type: "json" };
import dontneedVsDontneed from "../scenarios/dontneed-vs-dontneed.json" with { type: "json" };
import faultVsDontneed from "../scenarios/fault-vs-dontneed.json" with { type: "json" };
import freePageoutVsFault from "../scenarios/free-pageout-vs-fault.json" with { type: "json" };
import gupFastVsDontneed from "../scenarios/gup-fast-vs-dontneed.json" with { type: "json" };
import khugepagedVsDontneed from "../scenarios/khugepaged-vs-dontneed.json" with { type: "json" };
import mprotectVsDontneed from "../scenarios/mprotect-vs-dontneed.json" with { type: "json" };
import munmapVsDontneed from "../scenarios/munmap-vs-dontneed.json" with { type: "json" };
import scanSpeculativeWalk from "../scenarios/scan-speculative-walk.json" with { type: "json" };
import scanVsFault from "../scenarios/scan-vs-fault.json" with { type: "json" };
import speculativeWalkVsDontneed from "../scenarios/speculative-walk-vs-dontneed.json" with { type: "json" };
import swapVsDontneed from "../scenarios/swap-vs-dontneed.json" with { type: "json" };
import walkerVsDontneed from "../scenarios/walker-vs-dontneed.json" with { type: "json" };
import dontneedTwiceVsPmdInstall from "../scenarios/dontneed-twice-vs-pmd-install.json" with { type: "json" };
import dontneedVsPmdInstall from "../scenarios/dontneed-vs-pmd-install.json" with { type: "json" };
import hugePmdWalkers from "../scenarios/huge-pmd-walkers.json" with { type: "json" };
import scanVsGupFast from "../scenarios/scan-vs-gup-fast.json" with { type: "json" };
import scanVsKhugepaged from "../scenarios/scan-vs-khugepaged.json" with { type: "json" };
import scanVsMprotect from "../scenarios/scan-vs-mprotect.json" with { type: "json" };
import scanVsMunmap from "../scenarios/scan-vs-munmap.json" with { type: "json" };
import scanVsThp from "../scenarios/scan-vs-thp.json" with { type: "json" };
import twoScannersVsFault from "../scenarios/two-scanners-vs-fault.json" with { type: "json" };
import zeroFaultVsShrink from "../scenarios/zero-fault-vs-shrink.json" with { type: "json" };
import gupFastVsDontneedOnePage from "../scenarios/gup-fast-vs-dontneed-one-page.json" with { type: "json" };
import dontneedVsShrink from "../scenarios/dontneed-vs-shrink.json" with { type: "json" };
import freeReclaimVsFaultMarked from "../scenarios/free-reclaim-vs-fault-marked.json" with { type: "json" };
import upperWalkerVsPmdFree from "../scenarios/upper-walker-vs-pmd-free.json" with { type: "json" };
import gupFastVsPmdFree from "../scenarios/gup-fast-vs-pmd-free.json" with { type: "json" };
import faultVsPmdFree from "../scenarios/fault-vs-pmd-free.json" with { type: "json" };
import sleepingPmdEntryVsPmdFree from "../scenarios/sleeping-pmd-entry-vs-pmd-free.json" with { type: "json" };
import reclaimVsPmdFree from "../scenarios/reclaim-vs-pmd-free.json" with { type: "json" };
import ptReclaimShrinkVsMunmap from "../scenarios/pt-reclaim-shrink-vs-munmap.json" with { type: "json" };
import zeroShrinkVsMprotect from "../scenarios/zero-shrink-vs-mprotect.json" with { type: "json" };
import dontneedPairVsPmdFree from "../scenarios/dontneed-pair-vs-pmd-free.json" with { type: "json" };
import { THREAD_SCENARIOS } from "./scenarios_threads.js";

export const SCENARIOS: readonly Scenario[] = [
  faultVsDontneed,
  gupFastVsDontneed,
  walkerVsDontneed,
  speculativeWalkVsDontneed,
  dontneedVsDontneed,
  dontneedTwiceVsFault,
  munmapVsDontneed,
  khugepagedVsDontneed,
  mprotectVsDontneed,
  freePageoutVsFault,
  scanVsFault,
  scanSpeculativeWalk,
  // Issue #9: the slow path, two discards of one table, huge PMDs where walkers look, the scanner's neighbours.
  dontneedVsPmdInstall,
  dontneedTwiceVsPmdInstall,
  hugePmdWalkers,
  twoScannersVsFault,
  scanVsMunmap,
  scanVsMprotect,
  scanVsThp,
  scanVsKhugepaged,
  scanVsGupFast,
  ...THREAD_SCENARIOS,
  swapVsDontneed,
  // Issue #12 §3: the zero-page table reclaimer (the shrink hook) against a read fault mapping the zero page.
  zeroFaultVsShrink,
  // Issue #9 §1: the PMD cleared between GUP-fast's read and the pte_offset_map hook's re-read.
  gupFastVsDontneedOnePage,
  // Issue #12 §3: steps 1 and 3 freeing the same table.
  dontneedVsShrink,
  // Issue #12 §2: step 2's shrink pass frees a marked, MADV_FREE'd table after kswapd discarded its folios.
  freeReclaimVsFaultMarked,
  // Issue #12 §4: seed 001's "another plan" (RCU-freed upper levels, PMD-table reclaim).
  upperWalkerVsPmdFree,
  gupFastVsPmdFree,
  faultVsPmdFree,
  sleepingPmdEntryVsPmdFree,
  reclaimVsPmdFree,
  // Issue #9 §1: the shrink passes' mmap_read_trylock() failure and the VMAs they pass over; two PMD-table reclaimers.
  ptReclaimShrinkVsMunmap,
  zeroShrinkVsMprotect,
  dontneedPairVsPmdFree,
].map((s) => validateScenario(s, `scenario ${(s as { name?: string }).name}`));

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
  ...THREAD_SCENARIOS,
  swapVsDontneed,
].map((s) => validateScenario(s, `scenario ${(s as { name?: string }).name}`));

/**
 * Race scenarios for the reviewers' objections in the seed threads (issue #8;
 * ../shared/notes/seed-designs.md §2, R-numbers). Each is data like the kit's
 * other scenarios (packages/conformance/scenarios/*.json) and is appended to
 * SCENARIOS, so every plugin's kit explores them. The verdict of each on every
 * bundled design is in this package's README (scripts/verdicts.mjs).
 *
 *   R3   walker vs MADV_DONTNEED vs fault (and a MADV_HUGEPAGE variant, and the
 *        asynchronous scanner's variant)
 *   R4, R13, R14  GUP-fast vs MADV_DONTNEED vs fault: IRQ-off as the RCU read
 *        side; with `--arch x86_64-pv` the flush no longer waits for GUP-fast
 *   R11  two faults racing pmd_install, then a discard: reference balance
 *   R28  khugepaged vs MADV_DONTNEED then a fault: recheck the PMD under the locks
 *
 * Already in the kit: R4 `gup-fast-vs-dontneed`, R31 `walker-vs-dontneed` (with
 * the sanitizer's "ptlock use after free" rule), R32 `fault-vs-dontneed` (the
 * `no-rescan` mutant).
 */
import faultVsFaultInstall from "../scenarios/fault-vs-fault-install.json" with { type: "json" };
import gupFastVsDontneedVsFault from "../scenarios/gup-fast-vs-dontneed-vs-fault.json" with { type: "json" };
import khugepagedVsDontneedVsFault from "../scenarios/khugepaged-vs-dontneed-vs-fault.json" with { type: "json" };
import walkerVsDontneedVsFault from "../scenarios/walker-vs-dontneed-vs-fault.json" with { type: "json" };
import walkerVsDontneedVsThpFault from "../scenarios/walker-vs-dontneed-vs-thp-fault.json" with { type: "json" };
import walkerVsScanVsFault from "../scenarios/walker-vs-scan-vs-fault.json" with { type: "json" };

/** The thread scenarios, in R-number order: JSON as read, validated where SCENARIOS is built. */
export const THREAD_SCENARIOS: readonly unknown[] = [
  walkerVsDontneedVsFault,
  walkerVsDontneedVsThpFault,
  walkerVsScanVsFault,
  gupFastVsDontneedVsFault,
  faultVsFaultInstall,
  khugepagedVsDontneedVsFault,
];

/** The kit on the merged design: pt-reclaim must pass every check that applies to it. */
import { x86_64 } from "@mmsim/arch-x86_64";
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";
import { describe, it } from "vitest";
import { runConformance } from "./run.js";

runConformance({ describe, it }, { plugin: ptReclaim, arch: x86_64(), budget: 80, fuzz_runs: 30 });

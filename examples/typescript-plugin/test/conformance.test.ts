// Run the whole mmsim conformance kit on the plugin (its TypeScript source), under vitest.
import { x86_64 } from "@mmsim/arch-x86_64";
import { runConformance } from "@mmsim/conformance";
import { describe, it } from "vitest";
import wholeTableReclaim from "../src/index.js";

runConformance({ describe, it }, { plugin: wholeTableReclaim, arch: x86_64(), budget: 20, fuzz_runs: 10 });

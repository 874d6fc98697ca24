// Run the whole mmsim conformance kit on the plugin, under vitest.
import { x86_64 } from "@mmsim/arch-x86_64";
import { runConformance } from "@mmsim/conformance";
import { describe, it } from "vitest";
import myPlugin from "./my-plugin.mjs";

runConformance({ describe, it }, { plugin: myPlugin, arch: x86_64(), budget: 40, fuzz_runs: 15 });

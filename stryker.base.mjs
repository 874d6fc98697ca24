// @ts-check
/**
 * The StrykerJS options every bundled plugin's mutation job uses (issue #9 §2):
 * the plugin's src/ mutated, the conformance kit as the test suite. A separate
 * job, not part of `npm test`; see packages/conformance/README.md, "Mutation
 * testing":  npx turbo run mutation --filter=@mmsim/reclaim-<plugin>
 * `inPlace: true`: the tests resolve @mmsim/core and @mmsim/conformance (built
 * dist) through the workspace's hoisted node_modules; src/ is mutated in place
 * and restored afterwards (a backup is kept in .stryker-tmp/ until then).
 * @param {string} vitestConfig the vitest config whose tests form the suite
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function pluginMutation(vitestConfig) {
  return {
    packageManager: "npm",
    testRunner: "vitest",
    vitest: { configFile: vitestConfig, related: false },
    mutate: ["src/**/*.ts", "!src/**/*.test.ts"],
    inPlace: true,
    coverageAnalysis: "perTest",
    concurrency: 2,
    timeoutMS: 60_000,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: "reports/mutation/index.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    tempDirName: ".stryker-tmp",
    cleanTempDir: true,
  };
}

// @ts-check
/**
 * Mutation testing of the plugin with its tests, the conformance kit among them
 * (src/conformance.test.ts), as the test suite (issue #9 §2). A separate job, not
 * part of `npm test`; see packages/conformance/README.md, "Mutation testing":
 *   npx turbo run mutation --filter=@mmsim/reclaim-refcount
 * `inPlace: true`: the tests resolve @mmsim/core and @mmsim/conformance (built
 * dist) through the workspace's hoisted node_modules; src/ is mutated in place
 * and restored afterwards (a backup is kept in .stryker-tmp/ until then).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  vitest: { configFile: "vitest.config.ts", related: false },
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

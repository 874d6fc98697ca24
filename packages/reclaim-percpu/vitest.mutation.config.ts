import { defineConfig } from "vitest/config";

/**
 * The mutation job's suite (stryker.config.mjs): the package's own tests, with the
 * conformance kit run one check per test at the MMSIM_MUTATION_* budgets
 * (mutation/kit.mutation.test.ts) instead of
 * conformance.test.ts's kit run at fixed budgets, so a mutant dies at its first failing check.
 */
export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 600_000,
    include: ["src/**/*.test.ts", "mutation/**/*.test.ts"],
    // MMSIM_MUTATION: src/conformance.test.ts leaves out its kit run at fixed budgets
    // (mutation/ runs it per check) and keeps its replays.
    env: { MMSIM_MUTATION: "1" },
    // contract.test.ts lints the source file on disk, which Stryker (inPlace) has instrumented.
    exclude: ["src/contract.test.ts", "**/node_modules/**"],
  },
});

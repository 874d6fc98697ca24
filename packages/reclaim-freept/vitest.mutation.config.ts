import { defineConfig } from "vitest/config";

/** The mutation job's suite (stryker.config.mjs): the package's own tests plus the conformance kit on the alias from ../src. */
export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 600_000,
    include: ["src/**/*.test.ts", "mutation/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
  },
});

import { defineConfig } from "vitest/config";

/** The mutation job's suite (stryker.config.mjs): the package's own tests plus the conformance kit on ../src. */
export default defineConfig({
  test: { testTimeout: 600_000, hookTimeout: 600_000, include: ["src/**/*.test.ts", "mutation/**/*.test.ts"],
    // contract.test.ts lints the source file on disk, which Stryker (inPlace) has instrumented;
    // conformance.test.ts runs the kit at fixed budgets on both arches (mutation/ runs it per check).
    exclude: ["src/contract.test.ts", "src/conformance.test.ts", "**/node_modules/**"],
  },
});

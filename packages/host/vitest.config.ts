import { defineConfig } from "vitest/config";

// Generous timeouts: the corpus runs 47 scenarios on the simulator, and the real-kernel tests compile the helper.
export default defineConfig({ test: { testTimeout: 600_000, hookTimeout: 600_000, include: ["src/**/*.test.ts"] } });

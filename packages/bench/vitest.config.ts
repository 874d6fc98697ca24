import { defineConfig } from "vitest/config";

// Only the bench's pure parts are tested (fast); the bench itself never runs in a test.
export default defineConfig({ test: { testTimeout: 600_000, include: ["src/**/*.test.ts"] } });

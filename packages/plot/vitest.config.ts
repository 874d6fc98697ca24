import { defineConfig } from "vitest/config";

// Generous timeouts: speed is measured by `npm run bench`, never by a test.
export default defineConfig({ test: { testTimeout: 600_000, hookTimeout: 600_000, include: ["src/**/*.test.ts"] } });

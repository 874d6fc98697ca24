import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
// @ts-expect-error plain ESM build helper without types
import { desyncVite } from "./build/desync.mjs";

const src = fileURLToPath(new URL("./src/", import.meta.url));

export default defineConfig({
  plugins: [desyncVite(src)],
  test: { testTimeout: 600_000, hookTimeout: 600_000, include: ["src/**/*.test.ts", "build/**/*.test.mjs"] },
});

/**
 * The plot the root README shows is what the CLI draws, byte for byte:
 *   mmsim replay packages/trace/traces/jemalloc.trace --reclaim none,pt-reclaim --plot packages/cli/docs/replay-jemalloc.svg
 * run from the repository root. After a deliberate change to the model or the
 * chart, regenerate it with `MMSIM_REGENERATE_PLOT=1 npx vitest run src/readme-plot.test.ts`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";
import { mmsim, tempDir } from "./testing.js";

const ROOT = resolve(import.meta.dirname, "../../..");
export const README_PLOT = "packages/cli/docs/replay-jemalloc.svg";

it("the README's plot regenerates to the same bytes", async () => {
  const out = join(tempDir(), "p.svg");
  const r = await mmsim(["replay", "packages/trace/traces/jemalloc.trace", "--reclaim", "none,pt-reclaim", "--plot", out], ROOT);
  expect(r.code).toBe(0);
  const svg = readFileSync(out, "utf8");
  if (process.env.MMSIM_REGENERATE_PLOT) writeFileSync(join(ROOT, README_PLOT), svg);
  expect(svg).toBe(readFileSync(join(ROOT, README_PLOT), "utf8"));
}, 600_000);

// The tsup options every mmsim library package builds with: ESM + CJS + d.ts for Node 20.
/** @param {import("tsup").Options} extra */
export function library(extra = {}) {
  return { entry: ["src/index.ts"], format: ["esm", "cjs"], dts: true, sourcemap: true, clean: true, target: "node20", ...extra };
}

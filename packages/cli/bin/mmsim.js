#!/usr/bin/env node
// The `mmsim` bin. A committed file, not a build output, so that npm links it
// on a fresh clone's `npm ci` (npm links a workspace's bin only if its target
// exists then, before anything is built) without a `prepare` script in the
// published package.json. It runs the built CLI, dist/mmsim.js.
try {
  await import("../dist/mmsim.js");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !String(e.url ?? "").endsWith("/dist/mmsim.js")) throw e;
  console.error("mmsim: @mmsim/cli is not built yet; run `npm run build` at the repository root");
  process.exitCode = 1;
}

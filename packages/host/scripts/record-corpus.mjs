#!/usr/bin/env node
// Re-records packages/host/corpus/*.expected on this machine's kernel.
//
//   node packages/host/scripts/record-corpus.mjs [SCENARIO...]
//
// Needs Linux, a C compiler, and @mmsim/host built with its dependencies
// (npx turbo run build --filter=@mmsim/host). Every scenario runs twice on the
// host; one whose two runs differ is not written (exit status 1).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
let host;
try {
  host = await import("../dist/index.js");
} catch (e) {
  console.error(`record-corpus: @mmsim/host is not built (${e.message.split("\n")[0]}): run npx turbo run build --filter=@mmsim/host`);
  process.exit(2);
}
const only = process.argv.slice(2);
const r = host.recordCorpus({ dir: join(here, "..", "corpus"), only, log: (s) => console.log(s) });
console.log(`${r.recorded.length} recorded, ${r.unstable.length} unstable, ${r.failed.length} failed (the helper is cached in ${host.cacheDirPath()})`);
process.exitCode = r.unstable.length + r.failed.length > 0 ? 1 : 0;

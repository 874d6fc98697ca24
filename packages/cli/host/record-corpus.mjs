#!/usr/bin/env node
// Re-records packages/cli/corpus/*.expected on this machine's kernel.
//
//   node packages/cli/host/record-corpus.mjs [SCENARIO...]
//
// Needs Linux, a C compiler, and the workspace packages built
// (cd packages/arch-x86_64 && npx tsup && cd ../core && npx tsup && cd ../reclaim-pt-reclaim && npx tsup).
// Every scenario runs twice on the host; one whose two runs differ is not written
// (exit status 1). The TypeScript (src/host/record.ts) is bundled on the fly with
// esbuild (a tsup dependency), the @mmsim packages stay external.
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(join(here, ".record-"));
try {
  const bundle = join(out, "record.mjs");
  await build({
    entryPoints: [join(here, "..", "src", "host", "record.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: bundle,
    external: ["@mmsim/*"],
    logLevel: "error",
  });
  const { recordCorpus } = await import(pathToFileURL(bundle).href);
  const only = process.argv.slice(2);
  const r = recordCorpus({ dir: join(here, "..", "corpus"), only, log: (s) => console.log(s) });
  console.log(`${r.recorded.length} recorded, ${r.unstable.length} unstable, ${r.failed.length} failed (${tmpdir()} holds the helper build cache)`);
  process.exitCode = r.unstable.length + r.failed.length > 0 ? 1 : 0;
} finally {
  rmSync(out, { recursive: true, force: true });
}

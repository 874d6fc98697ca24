// `prepare` (runs on `npm install` / `npm ci` in the repository, never for
// registry installs): npm links a workspace's bin only if its target exists at
// install time, and dist/ is built later. Write a placeholder dist/mmsim.js so
// the `mmsim` link is created; `npm run build` replaces it with the real bin.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";

const bin = new URL("../dist/mmsim.js", import.meta.url);
if (!existsSync(bin)) {
  mkdirSync(new URL("../dist/", import.meta.url), { recursive: true });
  const stub = [
    "#!/usr/bin/env node",
    'console.error("mmsim: @mmsim/cli is not built yet; run `npm run build` at the repository root");',
    "process.exitCode = 1;",
    "",
  ].join("\n");
  writeFileSync(bin, stub, { mode: 0o755 });
}

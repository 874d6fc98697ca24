/**
 * The bin sets its V8 flags (v8-tuning.ts) after loading the Node built-ins a
 * plain `mmsim run` uses: V8 accepts Node's embedded code cache of a built-in
 * only under the flags it was made with, so a built-in first loaded after the
 * flag change is compiled from its source. The built bin runs under a hook that
 * lists, at exit, the built-ins Node compiled without their cache (Node's own
 * test binding: `--expose-internals`), for output to a file (whose stream is
 * internal/fs/sync_write_stream) and to a pipe. Mutant: the hook sets a V8 flag
 * itself before the bin starts (every built-in loaded after it, as node:vm and
 * node:zlib were after tune_v8() before it loaded them first): the list is then
 * not empty.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./testing.js";

const MMSIM = fileURLToPath(new URL("../dist/mmsim.js", import.meta.url));
const built = existsSync(MMSIM);

const HOOK = [
  "const { internalBinding } = require('internal/test/binding');",
  "if (process.env.HOOK_SETS_FLAG === '1') require('node:v8').setFlagsFromString('--max-inlined-bytecode-size-cumulative=461');",
  "process.on('exit', () => require('node:fs').writeSync(2, 'UNCACHED [' + [...internalBinding('builtins').getCacheUsage().compiledWithoutCache].join(',') + ']\\n'));",
].join("\n");

/** The built-ins `mmsim <args>` compiled without Node's code cache, its stdout going to a file or a pipe. */
function uncached(args: string[], stdout: "file" | "pipe", hookSetsFlag = false): string[] {
  const dir = tempDir({ "hook.cjs": HOOK + "\n" });
  const fd = stdout === "file" ? openSync(join(dir, "out.txt"), "w") : "pipe";
  try {
    const r = spawnSync(process.execPath, ["--expose-internals", "--require", join(dir, "hook.cjs"), MMSIM, ...args], {
      encoding: "utf8",
      stdio: ["ignore", fd, "pipe"],
      env: { ...process.env, HOOK_SETS_FLAG: hookSetsFlag ? "1" : "0", MMSIM_V8_TUNING: "1" },
    });
    expect(r.status).toBe(0);
    const line = r.stderr.split("\n").find((l) => l.startsWith("UNCACHED ["));
    expect(line).toBeDefined();
    return line!.slice("UNCACHED [".length, -1).split(",").filter(Boolean);
  } finally {
    if (typeof fd === "number") closeSync(fd);
  }
}

describe.skipIf(!built)("the bin's V8 flags and Node's code cache of its built-ins", () => {
  it("a plain `mmsim run` compiles no Node built-in without its code cache (stdout a file, or a pipe)", () => {
    for (const stdout of ["file", "pipe"] as const) {
      expect(uncached(["run", "seed-small", "--reclaim", "pt-reclaim"], stdout)).toEqual([]);
      expect(uncached(["run", "seed-small", "--json"], stdout)).toEqual([]);
    }
  });

  it("mutant: with a V8 flag set before the bin starts, the built-ins it loads are listed (node:vm, node:zlib)", () => {
    const list = uncached(["run", "seed-small", "--reclaim", "pt-reclaim"], "file", true);
    expect(list).toContain("vm");
    expect(list).toContain("zlib");
  });
});

/**
 * The built bin with core's V8 code cache (@mmsim/core's build/code-cache.js,
 * issue #10 start-up): the first run compiles core's chunk from source and
 * leaves a cache in the cache directory, the next runs use it, and a corrupt
 * cache file is rejected and replaced; the output is byte-identical in every
 * case, and with the cache off. (The loader's own tests and mutant, in
 * packages/core/build/script-chunk.test.mjs, run each compile in a fresh process.)
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./testing.js";

const MMSIM = fileURLToPath(new URL("../dist/mmsim.js", import.meta.url));
const built = existsSync(MMSIM);

/** stdout and the cache's status line of `mmsim <args>` with the cache in `dir` (null: off), and the bin's V8 tuning on or off (v8-tuning.ts). */
function run(args: string[], dir: string | null, tuning = true): { out: string; cache: string } {
  const env = {
    ...process.env,
    MMSIM_CODE_CACHE_DEBUG: "1",
    MMSIM_CODE_CACHE: dir === null ? "0" : "1",
    MMSIM_CODE_CACHE_DIR: dir ?? "",
    MMSIM_V8_TUNING: tuning ? "1" : "0",
  };
  const r = spawnSync(process.execPath, [MMSIM, ...args], {
    encoding: "utf8",
    env,
  });
  expect(r.status).toBe(0);
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("mmsim code cache: "));
  expect(lines).toHaveLength(1); // core's one shared chunk
  expect(lines[0]).toMatch(/core\/dist\/chunk-[A-Za-z0-9_-]+\.script\.js$/);
  return { out: r.stdout, cache: lines[0]!.split(" ")[3]! };
}

describe.skipIf(!built)("core's code cache under the bin", () => {
  it("miss, then hit; a corrupt file rejected and replaced; the same output each time, and with the cache off", () => {
    const dir = join(tempDir({}), "cache");
    const args = ["compare", "seed-small", "--reclaim", "none,pt-reclaim"];
    const off = run(args, null);
    expect(off.cache).toBe("off");
    expect(existsSync(dir)).toBe(false);
    const first = run(args, dir);
    expect(first).toEqual({ out: off.out, cache: "miss" });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^chunk-[A-Za-z0-9_-]+-[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{8}-${process.version}-${process.arch}\\.v8cache$`));
    expect(run(args, dir)).toEqual({ out: off.out, cache: "hit" });
    writeFileSync(join(dir, files[0]!), "corrupt");
    expect(run(args, dir)).toEqual({ out: off.out, cache: "rejected" });
    expect(run(args, dir)).toEqual({ out: off.out, cache: "hit" });
    expect(readdirSync(dir)).toEqual(files); // no temporary file left
  });

  it("the bin's V8 tuning changes V8's flags (MMSIM_V8_TUNING=0: the defaults); each keeps its own cache, and both hit", () => {
    const dir = join(tempDir({}), "cache");
    const args = ["run", "seed-small", "--reclaim", "pt-reclaim"];
    const tuned = run(args, dir);
    expect(tuned.cache).toBe("miss");
    // Another flag hash, so another file: had tune_v8() set nothing, this run would hit the first's.
    expect(run(args, dir, false)).toEqual({ out: tuned.out, cache: "miss" });
    expect(readdirSync(dir)).toHaveLength(2);
    expect(run(args, dir)).toEqual({ out: tuned.out, cache: "hit" });
    expect(run(args, dir, false)).toEqual({ out: tuned.out, cache: "hit" });
  });
});

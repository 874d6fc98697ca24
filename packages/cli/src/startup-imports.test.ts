/**
 * `mmsim run` loads only what it uses (issue #10 §1): not the explorer
 * (@mmsim/core/check), the conformance kit (and its fast-check and coverage
 * libraries), the host helper, the trace reader, the scenario schema (valibot)
 * or the progress bar (cli-progress, loaded when a bar is first drawn). The
 * built bin runs under a module-load hook that lists every module it loads.
 * Mutants: a static import of a command module or of @mmsim/conformance in
 * program.ts or plugins.ts (the list then has the kit); a `mutant:` word must still
 * load the kit. Parsing a command line loads no core, arch or
 * plugin package at all (`--version`, `--help`: the third test; mutant: a value
 * import of @mmsim/core in plugins.ts, or of ARCH_NAMES from simulate.ts in
 * options.ts), and commander is bundled into the CLI's chunks (no CommonJS
 * loading of node_modules/commander at start-up). A plain `mmsim run` line
 * loads no commander at all (run-argv.ts; mutant: cli.ts importing program.ts
 * statically).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./testing.js";

const MMSIM = fileURLToPath(new URL("../dist/mmsim.js", import.meta.url));
const built = existsSync(MMSIM);

/** The module URLs `mmsim <args>` loads, and its exit status. */
function loadedBy(args: string[]): { urls: string[]; status: number | null } {
  const dir = tempDir({
    // writeSync to fd 2: the hooks run on their own thread, whose process.stderr is
    // relayed through the main thread and can lose its last lines at exit.
    "hooks.mjs":
      "import { writeSync } from 'node:fs';\nexport async function load(url, ctx, next) { if (url.startsWith('file:')) writeSync(2, 'LOADED ' + url + '\\n'); return next(url, ctx); }\n",
    "register.mjs": "import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);\n",
  });
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, MMSIM, ...args], { encoding: "utf8" });
  const urls = r.stderr
    .split("\n")
    .filter((l) => l.startsWith("LOADED "))
    .map((l) => l.slice("LOADED ".length));
  return { urls, status: r.status };
}

const HEAVY = [/conformance/, /core\/dist\/check\./, /cli-progress/, /fast-check/, /v8-coverage/, /trace-mapping/, /valibot/, /packages\/host\//, /packages\/trace\//, /reclaim-(?!pt-reclaim)/];

describe.skipIf(!built)("start-up imports", () => {
  it("`mmsim run seed-small --reclaim pt-reclaim` loads no explorer, conformance kit, host, trace or progress library", () => {
    const { urls, status } = loadedBy(["run", "seed-small", "--reclaim", "pt-reclaim"]);
    expect(status).toBe(0);
    expect(urls.some((u) => /core\/dist\/workload\./.test(u))).toBe(true); // the hook saw the run's modules
    expect(urls.filter((u) => HEAVY.some((h) => h.test(u)))).toEqual([]);
  });

  it("`mmsim --version` and `--help` load only the CLI's own chunks (no core, arch, plugin or commander package)", () => {
    for (const args of [["--version"], ["--help"], ["run", "--help"]]) {
      const { urls, status } = loadedBy(args);
      expect(status).toBe(0);
      expect(urls.some((u) => /cli\/dist\/mmsim\.js$/.test(u))).toBe(true);
      expect(urls.filter((u) => !/packages\/cli\/dist\//.test(u) || /node_modules/.test(u))).toEqual([]);
    }
  });

  it("`run` loads the arch package --arch names, not the other", () => {
    const x86 = loadedBy(["run", "/dev/null"]);
    expect(x86.status).toBe(0);
    expect(x86.urls.some((u) => /arch-x86_64\/dist\//.test(u))).toBe(true);
    expect(x86.urls.filter((u) => /arch-arm64/.test(u))).toEqual([]);
    const arm = loadedBy(["run", "/dev/null", "--arch", "arm64"]);
    expect(arm.status).toBe(0);
    expect(arm.urls.some((u) => /arch-arm64\/dist\//.test(u))).toBe(true);
    expect(arm.urls.filter((u) => /arch-x86_64/.test(u))).toEqual([]);
  });

  it("`run` loads the CLI in few files (tsup.config.ts's lazyEntries), and no commander (run-argv.ts)", () => {
    const { urls, status } = loadedBy(["run", "/dev/null", "--reclaim", "pt-reclaim", "--json"]);
    expect(status).toBe(0);
    const cli = urls.filter((u) => /packages\/cli\/dist\//.test(u));
    expect(cli.length).toBeLessThanOrEqual(4); // mmsim.js, the SHARED chunk, run's module and the SIMULATING chunk; 13 without lazyEntries
    const commander = (u: string) => readFileSync(fileURLToPath(u), "utf8").includes("node_modules/commander/");
    expect(cli.filter(commander)).toEqual([]);
    // ... which a line run-argv.ts leaves to commander does load (the check above can fail).
    expect(loadedBy(["run", "/dev/null", "--reclaim=pt-reclaim"]).urls.filter((u) => /packages\/cli\/dist\//.test(u)).some(commander)).toBe(true);
  });

  it("`run` loads core as its three entry facades and one shared chunk (an ESM facade and its code cache's loader; the script itself is no module)", () => {
    const { urls } = loadedBy(["run", "/dev/null", "--reclaim", "pt-reclaim"]);
    const core = urls.filter((u) => /packages\/core\/dist\//.test(u)).map((u) => u.replace(/^.*\/core\/dist\//, "").replace(/-[A-Z0-9]+\.js$/, ".js"));
    expect(core.sort()).toEqual(["chunk.js", "code-cache.js", "index.js", "kernel.js", "workload.js"]);
  });

  it("`--version` loads no node:child_process (bundled commander's require of it is lazy)", () => {
    const dir = tempDir({ "builtins.cjs": "process.on('exit', () => process.stderr.write('BUILTINS ' + process.moduleLoadList.join(',') + '\\n'));\n" });
    const r = spawnSync(process.execPath, ["--require", join(dir, "builtins.cjs"), MMSIM, "--version"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const builtins = r.stderr.split("\n").find((l) => l.startsWith("BUILTINS "))!.split(",");
    expect(builtins).toContain("NativeModule fs"); // the list is there
    expect(builtins).not.toContain("NativeModule child_process");
  });

  it("a `mutant:` word loads the conformance kit before the options are parsed", () => {
    const { urls, status } = loadedBy(["run", "seed-small", "--reclaim", "mutant:no-rescan", "--json"]);
    expect(status).toBe(0);
    expect(urls.some((u) => /conformance\/dist\//.test(u))).toBe(true);
  });
});

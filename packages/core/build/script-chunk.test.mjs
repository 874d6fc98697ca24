import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ABANDONED_TMP_MS, codeCacheDir, codeCacheFile, STALE_MS } from "./code-cache.js";
import { asciiScript, scriptChunk, scriptChunks, set_script_chunk_mutant } from "./script-chunk.mjs";

const dirs = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "mmsim-script-chunk-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// An esbuild-like ESM chunk: imports of every form, functions and classes that
// use them, an aliased export list, a sourceMappingURL.
const DEP = `export const A = 1; export const B = 2; export default "dflt"; export function twice(x) { return 2 * x; }\n`;
const CHUNK = [
  `import { A, B as B2 } from "./dep.js";`,
  `import dflt, * as dep from "./dep.js";`,
  `import {`,
  `  twice`,
  `} from "./dep.js";`,
  `var counter = { n: 0 };`,
  `function bump() { counter.n++; return counter.n + A + B2; }`,
  `var Box = class { constructor(v) { this.v = twice(v); } };`,
  `function where() { return new Error("here").stack.split("\\n")[1]; }`,
  `var strict = function () { return this === undefined; }();`,
  `export {`,
  `  bump,`,
  `  Box as Boxed,`,
  `  dflt,`,
  `  dep,`,
  `  strict,`,
  `  where`,
  `};`,
  `//# sourceMappingURL=chunk-T.js.map`,
  ``,
].join("\n");

/** Writes the chunk as dist would hold it (ESM, or script + facade) and imports it. */
async function load(chunk, asScript) {
  const d = tmp();
  writeFileSync(join(d, "dep.js"), DEP);
  writeFileSync(join(d, "package.json"), `{ "type": "module" }`);
  writeFileSync(join(d, "chunk-T.js"), chunk);
  writeFileSync(
    join(d, "chunk-T.js.map"),
    JSON.stringify({
      version: 3,
      file: "chunk-T.js",
      sources: [],
      names: [],
      mappings: "",
    })
  );
  if (asScript)
    scriptChunks(d, (m) => {
      throw new Error(m);
    });
  return {
    dir: d,
    mod: await withoutCache(() => import(pathToFileURL(join(d, "chunk-T.js")).href)),
  };
}

/** Runs `f` with the code cache off (the cache's own tests below use compileCached() on temporary directories). */
async function withoutCache(f) {
  const prev = process.env.MMSIM_CODE_CACHE;
  process.env.MMSIM_CODE_CACHE = "0";
  try {
    return await f();
  } finally {
    if (prev === undefined) delete process.env.MMSIM_CODE_CACHE;
    else process.env.MMSIM_CODE_CACHE = prev;
  }
}

describe("script-chunk: an ESM chunk as a script behind an ESM facade", () => {
  it("exports the same names and values as the ES module", async () => {
    const esm = (await load(CHUNK, false)).mod;
    const { dir, mod } = await load(CHUNK, true);
    expect(Object.keys(mod).sort()).toEqual(Object.keys(esm).sort());
    expect([mod.bump(), mod.bump(), new mod.Boxed(21).v, mod.dflt, mod.dep.B, mod.strict]).toEqual([esm.bump(), esm.bump(), new esm.Boxed(21).v, esm.dflt, esm.dep.B, esm.strict]);
    expect(mod.strict).toBe(true); // strict mode, as a module
    expect(mod.Boxed.name).toBe("Box");
    // Line numbers kept (the source map still applies): line 9 of the chunk.
    expect(mod.where()).toMatch(/chunk-T\.script\.js:9:/);
    expect(readdirSync(dir).sort()).toEqual(["chunk-T.js", "chunk-T.script.js", "chunk-T.script.js.map", "code-cache.js", "dep.js", "package.json"]);
    expect(JSON.parse(readFileSync(join(dir, "chunk-T.script.js.map"), "utf8")).file).toBe("chunk-T.script.js");
  });

  it("leaves as ES modules the chunks a function body cannot hold", () => {
    const bad = {
      "import.meta": `var u = import.meta.url;\nexport { u };\n`,
      "a dynamic import()": `var f = () => import("x");\nexport { f };\n`,
      "a top-level await": `var v = await 1;\nexport { v };\n`,
      "an assignment to the exported binding n": `var n = 0;\nfunction inc() { n = n + 1; }\nexport { n, inc };\n`,
      "an update of the exported binding n": `var n = 0;\nfunction inc() { n++; }\nexport { n, inc };\n`,
      "an exported declaration": `export const x = 1;\n`,
      "an `export *` declaration": `export * from "y";\n`,
    };
    for (const [why, src] of Object.entries(bad)) expect(scriptChunk(src, "chunk-B.js").error).toBe(why);
    // await inside an async function is fine.
    expect(scriptChunk(`async function f() { await 1; }\nexport { f };\n`, "chunk-B.js").error).toBeUndefined();
  });
});

// Non-ASCII characters in comments and string literals (written in ASCII, so
// that the loader reads the script as latin1), and in a template (left as it is:
// the script stays UTF-8).
const CHUNK_U = [
  `/* § 1 → */`,
  `var arrow = "a→b\\u2192" + '\u00e9'; // é → ✓`,
  `/** © */ function f() { return "x"; }`,
  `export { arrow, f };`,
  ``,
].join("\n");
const CHUNK_T = [`var t = \`→\`;`, `export { t };`, ``].join("\n");

describe("script-chunk: non-ASCII text", () => {
  afterEach(() => set_script_chunk_mutant(null));

  it("escapes it in comments and strings (the facade reads latin1), leaves a template's (UTF-8)", async () => {
    const esm = (await load(CHUNK_U, false)).mod;
    const { dir, mod } = await load(CHUNK_U, true);
    expect(mod.arrow).toBe(esm.arrow);
    expect(mod.arrow).toBe("a→b→é");
    expect(readFileSync(join(dir, "chunk-T.script.js"), "utf8")).toMatch(/^[\x00-\x7f]*$/);
    expect(readFileSync(join(dir, "chunk-T.js"), "utf8")).toContain(`, "latin1");`);
    const t = await load(CHUNK_T, true);
    expect(t.mod.t).toBe("→");
    expect(readFileSync(join(t.dir, "chunk-T.js"), "utf8")).toContain(`, "utf8");`);
    expect(asciiScript("var s = /→/;")).toBeNull();
    expect(asciiScript("var π = 1;")).toBeNull();
    // An identity escape of a non-ASCII character ("\\§" is "§"): escaping it would give another string.
    expect(asciiScript('var s = "\\§";')).toBeNull();
    expect(asciiScript('var s = "§"; // §')).toBe('var s = "\\u00a7"; // \\u00a7');
    expect(asciiScript("var a = 1; // plain")).toBe("var a = 1; // plain");
  });

  it("mutant: a script read as latin1 unescaped is caught (its strings change)", async () => {
    set_script_chunk_mutant("no-escape");
    const { mod } = await load(CHUNK_U, true);
    expect(mod.arrow).not.toBe("a→b→é");
  });
});

// Each compile runs in a fresh node process, as a cache is used: within one
// isolate V8's in-memory compilation cache answers a second compile of the same
// source before the code cache is even read.
const CHILD = `
import { compileCached, set_code_cache_mutant } from ${JSON.stringify(new URL("./code-cache.js", import.meta.url).href)};
import { BLOCK_COVERAGE, codeCacheDir } from ${JSON.stringify(new URL("./code-cache.js", import.meta.url).href)};
const [dir0, k, hash, mutant, at, mark] = JSON.parse(process.argv[1]);
const filename = at ?? "/x/chunk-Q.script.js";
set_code_cache_mutant(mutant);
// (As runScriptChunk() does: the directory as codeCacheDir() gives it, null when the cache is off.)
const dir = dir0 === null ? null : codeCacheDir({ ...process.env, MMSIM_CODE_CACHE_DIR: dir0 });
if (mark) globalThis[BLOCK_COVERAGE] = true;
const c = compileCached(filename, \`(function () { const f = function answer() { return \${JSON.stringify(k)}; }; f.where = function where() { return "at " + new Error("here").stack.split(" at ")[1].trim(); }; return f; })\`, hash, dir);
const answer = c.script.runInThisContext()();
const out = [c.status, answer()];
if (filename !== "/x/chunk-Q.script.js") out.push(answer.where());
c.save();
console.log(JSON.stringify(out));
`;
/**
 * [status, answer()] of a fresh process (`node ...nodeArgs`) compiling the script answering `k` (its build hash `hash`) with the cache of `dir`;
 * at a `filename` of its own, [status, answer(), the stack frame of a function of the script].
 */
const compileIn = (dir, k, hash, mutant = null, nodeArgs = [], filename = undefined, { env = process.env, mark = false } = {}) => {
  const r = spawnSync(process.execPath, [...nodeArgs, "--input-type=module", "-e", CHILD, JSON.stringify([dir, k, hash, mutant, filename, mark])], { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};

/** The cache file with answer()'s string constant "aaaa" in V8's payload turned into "zzzz" (the header untouched). */
const damaged = (bytes) => {
  const at = bytes.indexOf("aaaa", 4 + 64);
  expect(at).toBeGreaterThan(0);
  const out = Buffer.from(bytes);
  out.write("zzzz", at);
  return out;
};

describe("code cache", () => {
  const H1 = "1".repeat(64);
  const H2 = "2".repeat(64);

  it("misses (and saves), then hits with the same results; off without a directory", () => {
    const d = tmp();
    expect(compileIn(d, "aaaa", H1)).toEqual(["miss", "aaaa"]);
    expect(compileIn(d, "aaaa", H1)).toEqual(["hit", "aaaa"]);
    expect(compileIn(null, "aaaa", H1)).toEqual(["off", "aaaa"]);
  });

  it("a corrupt, truncated or empty cache file is rejected, compiled from source, and replaced", () => {
    const d = tmp();
    compileIn(d, "aaaa", H1);
    const file = codeCacheFile(d, "/x/chunk-Q.script.js", H1);
    const good = readFileSync(file);
    for (const bytes of [Buffer.from("not a V8 code cache"), good.subarray(0, good.length >> 1), Buffer.alloc(0)]) {
      writeFileSync(file, bytes);
      expect(compileIn(d, "aaaa", H1)).toEqual(["rejected", "aaaa"]);
      expect(compileIn(d, "aaaa", H1)).toEqual(["hit", "aaaa"]);
    }
  });

  it("a cache whose payload was damaged (header intact) is rejected by its CRC-32, not run", () => {
    const d = tmp();
    compileIn(d, "aaaa", H1);
    const file = codeCacheFile(d, "/x/chunk-Q.script.js", H1);
    writeFileSync(file, damaged(readFileSync(file)));
    expect(compileIn(d, "aaaa", H1)).toEqual(["rejected", "aaaa"]);
    expect(compileIn(d, "aaaa", H1)).toEqual(["hit", "aaaa"]);
  });

  it("mutant: a payload trusted unchecked is caught (V8 runs the damaged bytecode)", () => {
    const d = tmp();
    compileIn(d, "aaaa", H1, "no-crc");
    const file = codeCacheFile(d, "/x/chunk-Q.script.js", H1);
    writeFileSync(file, damaged(readFileSync(file)));
    expect(compileIn(d, "aaaa", H1, "no-crc")).toEqual(["hit", "zzzz"]);
  });

  it("writing a cache deletes the directory's cache files not rewritten for 30 days, and nothing else", () => {
    const d = tmp();
    const old = Date.now() / 1000 - (STALE_MS / 1000 + 3600);
    const fresh = Date.now() / 1000 - (STALE_MS / 1000 - 3600);
    for (const [name, t] of [["chunk-OLD-1-v0-x.v8cache", old], ["chunk-NEW-2-v0-x.v8cache", fresh], ["notes.txt", old]]) {
      writeFileSync(join(d, name), "x");
      utimesSync(join(d, name), t, t);
    }
    expect(compileIn(d, "aaaa", H1)).toEqual(["miss", "aaaa"]);
    expect(readdirSync(d).sort()).toEqual(["chunk-NEW-2-v0-x.v8cache", basename(codeCacheFile(d, "/x/chunk-Q.script.js", H1)), "notes.txt"].sort());
  });

  for (const m of [null, "keep-tmp"]) {
    it(`writing a cache deletes temporary files abandoned for an hour by killed writers, not a live writer's${m ? " (mutant: kept, caught)" : ""}`, () => {
      const d = tmp();
      const cache = basename(codeCacheFile(d, "/x/chunk-Q.script.js", H1));
      const old = Date.now() / 1000 - (ABANDONED_TMP_MS / 1000 + 60);
      const young = Date.now() / 1000 - (ABANDONED_TMP_MS / 1000 - 60);
      const names = [[`${cache}.11225-w0rfdqt8q2m.tmp`, old], [`chunk-R-1-v0-x.v8cache.7-abc.tmp`, old], [`${cache}.2131-a3er7hshe5k.tmp`, young], ["other.tmp", old]];
      for (const [name, t] of names) {
        writeFileSync(join(d, name), "");
        utimesSync(join(d, name), t, t);
      }
      expect(compileIn(d, "aaaa", H1, m)).toEqual(["miss", "aaaa"]);
      const left = readdirSync(d).sort();
      if (m === null) expect(left).toEqual([cache, `${cache}.2131-a3er7hshe5k.tmp`, "other.tmp"].sort());
      else expect(left).toContain(`${cache}.11225-w0rfdqt8q2m.tmp`);
    });
  }

  it("a cache directory that cannot be made or written: compiled from source, nothing written, no error", () => {
    const d = tmp();
    const notDir = join(d, "file");
    writeFileSync(notDir, "");
    expect(compileIn(notDir, "aaaa", H1)).toEqual(["miss", "aaaa"]);
    expect(compileIn(join(notDir, "sub"), "aaaa", H1)).toEqual(["miss", "aaaa"]);
    expect(readdirSync(d)).toEqual(["file"]);
  });

  it("an edited script of the same length (another build hash) does not run the old bytecode", () => {
    const d = tmp();
    compileIn(d, "aaaa", H1);
    expect(compileIn(d, "bbbb", H2)).toEqual(["miss", "bbbb"]);
  });

  it("mutant: cache files named without the script's hash are caught (V8 checks only the length)", () => {
    const d = tmp();
    compileIn(d, "aaaa", H1, "no-hash");
    // V8 takes the other source's cache and runs its bytecode: what the test above rules out.
    expect(compileIn(d, "bbbb", H2, "no-hash")).toEqual(["hit", "aaaa"]);
  });

  for (const m of [null, "no-path"]) {
    it(`two installs of the same build keep a cache file each, and stack traces name each one's own files${m ? " (mutant: one file for both, caught)" : ""}`, () => {
      const d = tmp();
      const a = "/install-a/dist/chunk-Q.script.js";
      const b = "/install-b/dist/chunk-Q.script.js";
      expect(compileIn(d, "aaaa", H1, m, [], a)).toEqual(["miss", "aaaa", `at Function.where (${a}:1:108)`]);
      const second = compileIn(d, "aaaa", H1, m, [], b);
      if (m === null) {
        expect(second).toEqual(["miss", "aaaa", `at Function.where (${b}:1:108)`]);
        expect(compileIn(d, "aaaa", H1, m, [], b)).toEqual(["hit", "aaaa", `at Function.where (${b}:1:108)`]);
        expect(compileIn(d, "aaaa", H1, m, [], a)).toEqual(["hit", "aaaa", `at Function.where (${a}:1:108)`]);
        expect(readdirSync(d)).toHaveLength(2);
      } else expect(second).toEqual(["hit", "aaaa", `at Function.where (${a}:1:108)`]); // V8 kept the first install's name
    });
  }

  for (const m of [null, "coverage-cached"]) {
    it(`a process that collects block coverage (NODE_V8_COVERAGE, or marked BLOCK_COVERAGE) neither reads nor writes a cache${m ? " (mutant: it does, caught)" : ""}`, () => {
      const d = tmp();
      const cov = tmp();
      const env = { ...process.env, NODE_V8_COVERAGE: cov };
      delete env.MMSIM_CODE_CACHE;
      expect(compileIn(d, "aaaa", H1, m, [], undefined, { env })).toEqual([m === null ? "off" : "miss", "aaaa"]);
      expect(compileIn(d, "aaaa", H1, m, [], undefined, { mark: true })).toEqual([m === null ? "miss" : "hit", "aaaa"]);
      // Neither wrote a cache (the instrumented bytecode would slow every later run of the build).
      expect(readdirSync(d)).toEqual(m === null ? [] : [basename(codeCacheFile(d, "/x/chunk-Q.script.js", H1))]);
      if (m === null) expect(compileIn(d, "aaaa", H1)).toEqual(["miss", "aaaa"]);
    });
  }

  // A V8 flag that changes nothing a test could see but V8's flag hash.
  const FLAGGED = ["--max-inlined-bytecode-size-cumulative=461"];

  for (const m of [null, "no-flags"]) {
    it(`processes run with other V8 flags keep a cache file each, and each hits${m ? " (mutant: one file for all, caught)" : ""}`, () => {
      const d = tmp();
      expect(compileIn(d, "aaaa", H1, m)).toEqual(["miss", "aaaa"]);
      expect(compileIn(d, "aaaa", H1, m, FLAGGED)).toEqual([m === null ? "miss" : "rejected", "aaaa"]);
      const seen = [compileIn(d, "aaaa", H1, m), compileIn(d, "aaaa", H1, m, FLAGGED)];
      if (m === null) {
        expect(seen).toEqual([["hit", "aaaa"], ["hit", "aaaa"]]);
        expect(readdirSync(d)).toHaveLength(2);
      } else expect(seen).toEqual([["rejected", "aaaa"], ["rejected", "aaaa"]]); // each rewrote the other's: a full compile every run
    });
  }

  it("lives in the user's cache directory, or nowhere when off", () => {
    expect(codeCacheDir({ MMSIM_CODE_CACHE: "0", MMSIM_CODE_CACHE_DIR: "/c" })).toBeNull();
    expect(codeCacheDir({ MMSIM_CODE_CACHE_DIR: "/c" })).toBe("/c");
    expect(codeCacheDir({ XDG_CACHE_HOME: "/xdg" })).toBe(join("/xdg", "mmsim"));
    expect(codeCacheDir({})).toMatch(/[\\/]\.cache[\\/]mmsim$/);
    // $HOME read in place of os.homedir() (not loading node:os): the same directory, with $HOME and without.
    expect(codeCacheDir({})).toBe(join(homedir(), ".cache", "mmsim"));
    const child = `import { homedir } from "node:os"; import { join } from "node:path"; import { codeCacheDir } from ${JSON.stringify(new URL("./code-cache.js", import.meta.url).href)};
console.log(JSON.stringify([codeCacheDir({}), join(homedir(), ".cache", "mmsim")]));`;
    const env = { ...process.env };
    delete env.HOME;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", child], { encoding: "utf8", env });
    const [got, want] = JSON.parse(r.stdout);
    expect(got).toBe(want);
  });
});

describe("dist: core's shared chunk is a script with the same exports", () => {
  const dist = new URL("../dist/", import.meta.url);
  it("every ESM chunk is a facade over a script, and the entries export what the CommonJS build does", async () => {
    const chunks = readdirSync(dist).filter((f) => /^chunk-.*\.js$/.test(f));
    expect(chunks.filter((f) => f.endsWith(".script.js")).length).toBeGreaterThan(0);
    for (const f of chunks.filter((f) => !f.endsWith(".script.js"))) expect(readFileSync(new URL(f, dist), "utf8")).toContain("runScriptChunk(");
    const require = createRequire(import.meta.url);
    for (const entry of ["index", "kernel", "workload", "check"]) {
      const esm = await withoutCache(() => import(new URL(`${entry}.js`, dist).href));
      const cjs = require(new URL(`${entry}.cjs`, dist).pathname);
      expect(Object.keys(esm).sort()).toEqual(
        Object.keys(cjs)
          .filter((k) => k !== "__esModule")
          .sort()
      );
    }
  });
});

// V8 code cache for core's shared chunk (issue #10, start-up). Copied to
// dist/code-cache.js by the build (build/script-chunk.mjs), which turns the ESM
// chunk into a function-expression script (dist/chunk-*.script.js) and a small
// ESM facade that calls runScriptChunk() and re-exports what the script returns.
//
// Why: Node 20 caches no compiled ESM (module.enableCompileCache is Node 22), and
// an ESM module's source can only be compiled by V8 from scratch: parsing the
// 650 KB chunk took ~15-19 ms of every `mmsim run`, and the bytecode of the few
// hundred functions a run calls is compiled again, lazily, by every process. A
// classic script can be compiled with V8's code cache (`new vm.Script(source,
// { cachedData })`): the bytecode of every function that had been compiled when
// the cache was made (createCachedData() at the exit of the run that made it)
// is deserialized instead of parsed and compiled.
//
// The cache lives in the user's cache directory ($MMSIM_CODE_CACHE_DIR, else
// $XDG_CACHE_HOME/mmsim, else ~/.cache/mmsim, else <tmpdir>/mmsim-code-cache):
// never in the package's install directory. A file is named after the chunk, the
// sha256 of the script's text (computed at build time: the script is a build
// output), the script's path (pathTag()), the V8 flags the process runs with
// (flagsTag()), the Node version and the CPU architecture; V8 itself checks its own
// version, the V8 flags and the source's length, and rejects a cache that does
// not match (a corrupt or foreign file: rejected, or ignored if unreadable); the
// file's own CRC-32 covers the payload, which V8 does not check. A
// rejected or missing cache only costs the plain compile; the process then
// writes a fresh cache at exit (to a temporary file renamed into place, so that
// concurrent runs never read half a file), and deletes the cache files not
// rewritten for 30 days (other builds'). MMSIM_CODE_CACHE=0 turns it off.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

/** What the last compileCached() of each script file did: "off", "miss", "hit" or "rejected" (tests, MMSIM_CODE_CACHE_DEBUG). */
export const codeCacheStatus = new Map();

/**
 * globalThis[BLOCK_COVERAGE] = true: this process collects V8 block coverage that
 * it started itself (node:inspector's Profiler.startPreciseCoverage with
 * detailed: true, as `mmsim conformance --coverage` and vitest's v8 coverage
 * do). V8 then compiles every function with block counters (IncBlockCounter
 * bytecodes), and a code cache written by such a process would hand that
 * instrumented bytecode to every later run of the build: measured, the
 * production workload's phases at 1/16 took 1.6 and 1.5 s of CPU instead of
 * 1.0 and 0.7 s (packages/bench/scripts/production-phases.mjs), for as long as
 * the cache file lived. A process so marked writes no cache. (A symbol in the
 * global registry, not an export: whoever starts coverage need not import this
 * file, and two copies of core see one mark.)
 */
export const BLOCK_COVERAGE = Symbol.for("mmsim.code-cache.block-coverage");

/**
 * The directory of the cache files, or null when the cache is off: MMSIM_CODE_CACHE=0,
 * or NODE_V8_COVERAGE (Node, c8: block coverage from the start; see BLOCK_COVERAGE:
 * its bytecode must not be written, and a cache's bytecode, made without counters,
 * would leave core's functions out of the coverage it collects).
 */
export function codeCacheDir(env = process.env) {
  if (env.MMSIM_CODE_CACHE === "0") return null;
  if (env.NODE_V8_COVERAGE && mutant !== "coverage-cached") return null;
  if (env.MMSIM_CODE_CACHE_DIR) return env.MMSIM_CODE_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "mmsim");
  // os.homedir() is $HOME wherever that is set (libuv's uv_os_homedir() reads it
  // first, on every system but Windows): read here, it spares loading node:os
  // (~0.3 ms of every run).
  if (process.platform !== "win32" && process.env.HOME !== undefined) return join(process.env.HOME, ".cache", "mmsim");
  const { homedir, tmpdir } = process.getBuiltinModule("node:os");
  try {
    return join(homedir(), ".cache", "mmsim");
  } catch {
    return join(tmpdir(), "mmsim-code-cache");
  }
}

let mutant = null;
/**
 * Set (or clear, null) the loader's mutant (tests only): "no-hash" names cache
 * files without the script's hash; "no-flags" without the V8 flags' tag;
 * "no-path" without the script's path's tag; "no-crc" trusts a cache file's
 * payload unchecked; "coverage-cached" reads and writes caches in a process that
 * collects block coverage;
 * "keep-tmp" leaves abandoned temporary files.
 */
export function set_code_cache_mutant(m) {
  mutant = m;
}

/**
 * The cache file of a script: chunk name, build-time sha256 of its text, its
 * path's tag (pathTag()), the V8 flags' tag (flagsTag()), Node version, CPU
 * architecture. The hash matters: V8 checks only the source's length, and would
 * run a stale cache's bytecode for an edited script of the same length.
 */
export function codeCacheFile(dir, filename, hash) {
  const base = filename.replace(/^.*[\\/]/, "").replace(/\.script\.js$/, "");
  const flags = mutant === "no-flags" ? "" : `-${flagsTag()}`;
  const path = mutant === "no-path" ? "" : `-${pathTag(filename)}`;
  return join(dir, `${base}-${mutant === "no-hash" ? "" : hash.slice(0, 16)}${path}${flags}-${process.version}-${process.arch}.v8cache`);
}

/**
 * 8 hex digits of the script's absolute path (32-bit FNV-1a of its UTF-16 code
 * units). Two installs of the same build (two checkouts, a global and a local
 * install) would otherwise share one cache file, and V8 (Node 20's V8 11.3) keeps
 * in a code cache the script name it was compiled under: every stack trace and
 * CPU profile of the second install named the first install's files.
 */
export function pathTag(filename) {
  let h = 0x811c9dc5;
  for (let i = 0; i < filename.length; i++) h = Math.imul(h ^ filename.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

let flags_tag = null;
/**
 * 8 hex digits that differ between processes running with different V8 flags
 * (`node --some-v8-flag`, or flags set at run time with v8.setFlagsFromString(),
 * as the mmsim bin does: packages/cli/src/v8-tuning.ts). V8 rejects a cache made
 * under other flags (its header holds a hash of them); with one file for all,
 * processes that alternate (the bin and a library user of core, a profiling run
 * with --trace-opt and a plain one) would each reject the other's cache and
 * rewrite it, paying a full compile every time. The tag is V8's own:
 * v8.cachedDataVersionTag(), "derived from the V8 version, command-line flags,
 * and detected CPU features", for telling whether a cache fits this V8 (the
 * flags set at run time included: it is another number after
 * v8.setFlagsFromString()). Computed when first needed, after any flag the
 * process sets at start-up. (It replaces a probe, the header of a one-token
 * script's own cache: compiling that script and serializing its cache cost
 * every run ~0.3 ms, where the mmsim bin has node:v8 loaded already.)
 */
export function flagsTag() {
  flags_tag ??= (process.getBuiltinModule("node:v8").cachedDataVersionTag() >>> 0).toString(16).padStart(8, "0");
  return flags_tag;
}

/** zlib's CRC-32 (Node >= 20.15), loaded only when there is a cache file to check or write (~1 ms). */
const crc32 = (data) => process.getBuiltinModule("node:zlib").crc32(data);

/**
 * Compiles `source` (the text of `filename`) as a classic script with the code
 * cache of `dir` (null: no cache). Returns the script and what the cache did; on
 * a miss or a rejected cache, `save()` writes a fresh cache from the script as it
 * is then (with the functions compiled since).
 */
export function compileCached(filename, source, hash, dir) {
  if (dir === null)
    return {
      script: new Script(source, { filename }),
      status: "off",
      save() {},
    };
  const file = codeCacheFile(dir, filename, hash);
  let cachedData;
  let intact = true;
  try {
    const bytes = readFileSync(file);
    // [crc32 of the rest, little-endian] [V8's cache]: V8 checks a cache's header
    // (version, flags, source length, payload length) but not its payload in
    // release builds (--verify-snapshot-checksum is off), and would run damaged
    // bytecode; Node 22's own compile cache keeps a checksum likewise.
    cachedData = bytes.subarray(4);
    intact = bytes.length > 4 && (mutant === "no-crc" || crc32(cachedData) === bytes.readUInt32LE(0));
  } catch {
    cachedData = undefined; // no cache yet (or unreadable): compile from source
  }
  const script = new Script(source, { filename, cachedData: intact ? cachedData : undefined });
  const status = cachedData === undefined ? "miss" : !intact || script.cachedDataRejected ? "rejected" : "hit";
  const save = () => {
    if (status === "hit") return;
    if (globalThis[BLOCK_COVERAGE] === true && mutant !== "coverage-cached") return; // instrumented bytecode (BLOCK_COVERAGE)
    // One temporary file per writer (worker threads share the pid): two writers
    // never interleave in one file (V8 does not checksum a cache's payload).
    const tmp = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    let fd;
    try {
      mkdirSync(dir, { recursive: true });
      fd = openSync(tmp, "w"); // before createCachedData(): nothing serialized for a read-only directory
      const data = script.createCachedData();
      const head = Buffer.alloc(4);
      head.writeUInt32LE(crc32(data), 0);
      writeFileSync(fd, head);
      writeFileSync(fd, data);
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, file);
      evictStale(dir, file);
    } catch {
      // a read-only or full cache directory: run without a cache
      try {
        if (fd !== undefined) closeSync(fd);
        rmSync(tmp, { force: true });
      } catch {
        // nothing left to undo
      }
    }
  };
  return { script, status, save };
}

/** A cache file not rewritten for this long is deleted when another is written (a hit rewrites nothing: a cache still in use then costs one miss). */
export const STALE_MS = 30 * 24 * 3600 * 1000;

/**
 * A writer's temporary file (`<cache file>.<pid>-<random>.tmp`) not touched for
 * this long was abandoned: its process was killed between opening it and the
 * rename (SIGKILL, a test runner's timeout), which no exit handler sees.
 */
export const ABANDONED_TMP_MS = 3600 * 1000;

/**
 * Deletes the directory's stale cache files (every core build and Node version
 * leaves its own, ~0.4 MB) and abandoned temporary files: called only after a
 * miss wrote `keep`, so a run that hits pays nothing.
 */
function evictStale(dir, keep) {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const f = join(dir, name);
    const age = name.endsWith(".v8cache") ? STALE_MS : /\.v8cache\.[^.]+\.tmp$/.test(name) && mutant !== "keep-tmp" ? ABANDONED_TMP_MS : -1;
    if (age < 0 || f === keep) continue;
    try {
      if (now - statSync(f).mtimeMs > age) rmSync(f, { force: true });
    } catch {
      // gone already, or not ours to delete
    }
  }
}

/**
 * Runs the script chunk at `url` (a function expression; build/script-chunk.mjs)
 * with `imports` (the namespaces of the modules the ESM chunk imported) and
 * returns its exports. `hash` is the sha256 of the script's text, from the
 * build; `encoding`, the script file's ("latin1" when the build wrote it in ASCII).
 */
export function runScriptChunk(url, hash, imports, encoding = "utf8") {
  const filename = fileURLToPath(url);
  // "latin1" for a script the build wrote in ASCII (script-chunk.mjs's asciiScript): a copy, not a UTF-8 decode.
  const { script, status, save } = compileCached(filename, readFileSync(filename, encoding), hash, codeCacheDir());
  codeCacheStatus.set(filename, status);
  if (process.env.MMSIM_CODE_CACHE_DEBUG === "1") process.stderr.write(`mmsim code cache: ${status} ${filename}\n`);
  // Made at exit, so that it holds the bytecode of every function the run compiled.
  if (status === "miss" || status === "rejected") process.once("exit", save);
  return script.runInThisContext()(...imports);
}

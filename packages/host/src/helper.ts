/**
 * The C helper (helper/mmsim-host.c, shipped with the package): where its
 * source is, whether it can run here, and building it with compileC() on first
 * use (`cc -O2 -o <bin> mmsim-host.c`, cached as `mmsim-host-<hash>` in the
 * per-user cache directory).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compileC, findSystemCompiler } from "./compile.js";
import { CacheDirError, CompileError, HostUnavailableError } from "./errors.js";
import { packageDir } from "./paths.js";

export interface HelperOptions {
  /** The platform (default process.platform); injectable for tests. */
  platform?: string;
  /** Finds the C compiler: its path, or null if there is none (default: $CC, then cc, gcc, clang on $PATH). */
  findCompiler?: () => string | null;
  /** The helper's C source (default: the one shipped in the package). */
  source?: string;
  /** The cache directory (default `$XDG_CACHE_HOME/mmsim` or `~/.cache/mmsim`). */
  cacheDir?: string;
  /** The environment for XDG_CACHE_HOME (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const HELPER_FILE = "mmsim-host.c";

/** The shipped C source: helper/mmsim-host.c in the package. */
export function helperSourcePath(): string {
  const p = join(packageDir(), "helper", HELPER_FILE);
  if (!existsSync(p)) throw new HostUnavailableError(`mmsim host: helper source ${HELPER_FILE} not found (looked in ${p})`);
  return p;
}

/** Throws HostUnavailableError unless the platform is Linux and a compiler exists; returns the compiler. */
export function checkHostSupport(opts: HelperOptions = {}): string {
  const platform = opts.platform ?? process.platform;
  if (platform !== "linux") throw new HostUnavailableError(`mmsim host needs Linux (this is ${platform})`);
  const cc = (opts.findCompiler ?? (() => findSystemCompiler(opts.env)))();
  if (cc === null) throw new HostUnavailableError("mmsim host needs a C compiler (cc) to build its helper: install gcc or clang");
  return cc;
}

/** The helper binary, compiled now if the cache has none for this source and compiler. Throws HostUnavailableError. */
export function compileHelper(opts: HelperOptions = {}): string {
  const cc = checkHostSupport(opts);
  const source = opts.source ?? helperSourcePath();
  try {
    return compileC(source, { name: "mmsim-host", cc, cacheDir: opts.cacheDir, env: opts.env });
  } catch (e) {
    if (e instanceof CompileError && e.command !== null) {
      throw new HostUnavailableError(`mmsim host: building the helper failed: ${e.command.join(" ")}\n${e.output}`);
    }
    if (e instanceof CacheDirError || e instanceof CompileError) throw new HostUnavailableError(`mmsim host: ${e.message}`);
    throw e;
  }
}

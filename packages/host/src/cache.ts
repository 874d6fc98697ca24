/**
 * The per-user cache directory that compiled C programs (the host helper, the
 * bench's seedloop) live in: `$XDG_CACHE_HOME/mmsim` when XDG_CACHE_HOME is an
 * absolute path (the XDG Base Directory rule), else `~/.cache/mmsim`. Never a
 * predictable path in a shared /tmp, where another user could create the
 * directory first and plant a binary we would then run.
 *
 * The directory is created with mode 0700 (missing parents too). Before it is
 * used it must be a directory (a symlink is followed and its target checked),
 * owned by this user and not writable by group or others. Otherwise it is
 * refused with a CacheDirError, not repaired: a binary planted while it was
 * open would survive a chmod.
 */
import { mkdirSync, statSync, type Stats } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { CacheDirError } from "./errors.js";

export interface CacheDirOptions {
  /** The environment to read XDG_CACHE_HOME from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The home directory for `~/.cache` (default os.homedir()). */
  home?: string;
  /** The cache directory itself, instead of the XDG one; it is created and checked the same way. */
  dir?: string;
  /** The user who must own it (default process.getuid(); no owner check where there is none). */
  uid?: number;
}

/** Where the cache directory is: `$XDG_CACHE_HOME/mmsim` or `~/.cache/mmsim` (not created). */
export function cacheDirPath(opts: CacheDirOptions = {}): string {
  if (opts.dir !== undefined) return opts.dir;
  const env = opts.env ?? process.env;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "mmsim");
  const home = opts.home ?? homedir();
  if (!home || !isAbsolute(home)) throw new CacheDirError("no home directory for the mmsim cache: set XDG_CACHE_HOME to an absolute path", "");
  return join(home, ".cache", "mmsim");
}

/** Throws CacheDirError unless `st` (of `dir`) is a directory owned by `uid` that group and others cannot write. */
export function checkCacheDir(dir: string, st: Stats, uid: number | undefined = process.getuid?.()): void {
  if (!st.isDirectory()) throw new CacheDirError(`refusing to use cache directory ${dir}: not a directory`, dir);
  if (uid !== undefined && st.uid !== uid) {
    throw new CacheDirError(`refusing to use cache directory ${dir}: owned by uid ${st.uid}, not by this user (uid ${uid})`, dir);
  }
  if ((st.mode & 0o022) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
    throw new CacheDirError(`refusing to use cache directory ${dir}: writable by group or others (mode ${mode}); remove it, it will be recreated with mode 0700`, dir);
  }
}

/** The cache directory, created (mode 0700) if missing and checked (see above). Throws CacheDirError. */
export function ensureCacheDir(opts: CacheDirOptions = {}): string {
  const dir = cacheDirPath(opts);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CacheDirError(`cannot create cache directory ${dir}: ${(e as Error).message}`, dir);
  }
  checkCacheDir(dir, statSync(dir), opts.uid ?? process.getuid?.());
  return dir;
}

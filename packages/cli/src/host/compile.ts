/**
 * Builds the C helper (host/mmsim-host.c, shipped with the package) with the
 * system C compiler on first use: `cc -O2 -o <out> mmsim-host.c`. The binary is
 * cached in `os.tmpdir()/mmsim-host-<hash>/mmsim-host`, where the hash covers
 * the source text, the compiler's path and its `--version` output, so an edited
 * helper or another compiler gets a fresh build. The cache directory must be
 * ours (owned by this user, not writable by others) or it is not trusted.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** mmsim host cannot run here (not Linux, no compiler, build failed). */
export class HostUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HostUnavailableError";
  }
}

export interface CompileOptions {
  /** The platform (default process.platform); injectable for tests. */
  platform?: string;
  /** Finds the C compiler: its path, or null if there is none (default: $CC, then cc, gcc, clang on $PATH). */
  findCompiler?: () => string | null;
  /** The helper's C source (default: the one shipped in the package). */
  source?: string;
  /** Where cache directories go (default os.tmpdir()). */
  cacheRoot?: string;
}

const HELPER_FILE = "mmsim-host.c";

/** This module's directory, in the ESM build, the CJS build and from source. */
function moduleDir(): string {
  if (typeof __dirname === "string") return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * The shipped C source: packages/cli/host/mmsim-host.c, i.e. ../../host from
 * src/host/*.ts and ../host from the bundled dist/*.js.
 */
export function helperSourcePath(): string {
  const here = moduleDir();
  const candidates = [join(here, "..", "..", "host", HELPER_FILE), join(here, "..", "host", HELPER_FILE)];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new HostUnavailableError(`mmsim host: helper source ${HELPER_FILE} not found (looked in ${candidates.join(", ")})`);
  return found;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** $CC if it names an executable (a path or a command on $PATH), else cc, gcc or clang from $PATH. */
export function findSystemCompiler(env: NodeJS.ProcessEnv = process.env): string | null {
  const path = (env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  const which = (cmd: string): string | null => {
    if (cmd.includes("/")) return isExecutable(cmd) ? cmd : null;
    for (const d of path) {
      const p = join(d, cmd);
      if (isExecutable(p)) return p;
    }
    return null;
  };
  const cc = env.CC?.trim();
  // A $CC with flags ("ccache gcc") is not supported: we need one executable.
  if (cc && !/\s/.test(cc)) {
    const p = which(cc);
    if (p !== null) return p;
  }
  for (const c of ["cc", "gcc", "clang"]) {
    const p = which(c);
    if (p !== null) return p;
  }
  return null;
}

/** Throws HostUnavailableError unless the platform is Linux and a compiler exists; returns the compiler. */
export function checkHostSupport(opts: CompileOptions = {}): string {
  const platform = opts.platform ?? process.platform;
  if (platform !== "linux") throw new HostUnavailableError(`mmsim host needs Linux (this is ${platform})`);
  const cc = (opts.findCompiler ?? findSystemCompiler)();
  if (cc === null) throw new HostUnavailableError("mmsim host needs a C compiler (cc) to build its helper: install gcc or clang");
  return cc;
}

function compilerVersion(cc: string): string {
  const r = spawnSync(cc, ["--version"], { encoding: "utf8" });
  return r.error ? "" : `${r.stdout}`;
}

function trustedDir(dir: string): boolean {
  const st = statSync(dir);
  const uid = process.getuid?.();
  return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/** The helper binary, compiled now if the cache has none for this source and compiler. */
export function ensureHelper(opts: CompileOptions = {}): string {
  const cc = checkHostSupport(opts);
  const source = opts.source ?? helperSourcePath();
  const text = readFileSync(source);
  const hash = createHash("sha256").update(text).update("\0").update(cc).update("\0").update(compilerVersion(cc)).digest("hex").slice(0, 16);
  const dir = join(opts.cacheRoot ?? tmpdir(), `mmsim-host-${hash}`);
  const bin = join(dir, "mmsim-host");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!trustedDir(dir)) throw new HostUnavailableError(`mmsim host: refusing to use helper cache ${dir}: not owned by this user or writable by others`);
  if (isExecutable(bin)) return bin;
  // Build under a private name, then rename: concurrent first uses do not see half a binary.
  const tmp = join(dir, `mmsim-host.${process.pid}.${Date.now()}.tmp`);
  const r = spawnSync(cc, ["-O2", "-o", tmp, source], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    const why = r.error ? r.error.message : `${r.stderr}${r.stdout}`.trim() || `exit status ${r.status}`;
    throw new HostUnavailableError(`mmsim host: building the helper failed: ${cc} -O2 -o ${bin} ${source}\n${why}`);
  }
  chmodSync(tmp, 0o755);
  renameSync(tmp, bin);
  return bin;
}

/**
 * Compiling a C program with the system compiler, once per source and
 * compiler: `cc -O2 -o <bin> <source>`, the binary cached as
 * `<cache dir>/<name>-<hash>` where the hash covers the source text, the flags,
 * the compiler's path and its `--version` output (an edited source or another
 * compiler gets a fresh build). The cache directory is the per-user one of
 * cache.ts. Shared by the host helper (helper.ts) and the bench's seedloop.c.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, chmodSync, constants, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ensureCacheDir } from "./cache.js";
import { CompileError } from "./errors.js";

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** $CC if it names an executable (a path or a command on $PATH), else cc, gcc or clang from $PATH; null if none. */
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

/** The compiler's `--version` output ("" if it cannot say). */
export function compilerVersion(cc: string): string {
  const r = spawnSync(cc, ["--version"], { encoding: "utf8" });
  return r.error ? "" : `${r.stdout}`;
}

export interface CompileCOptions {
  /** The binary's name; it is cached as `<name>-<hash>` ([A-Za-z0-9_.-]). */
  name: string;
  /** Flags before `-o` (default ["-O2"]). */
  flags?: readonly string[];
  /** The compiler (default findSystemCompiler(env)). */
  cc?: string;
  /** The cache directory (default `$XDG_CACHE_HOME/mmsim` or `~/.cache/mmsim`); created and checked either way. */
  cacheDir?: string;
  /** The environment for the compiler search and XDG_CACHE_HOME (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Where compileC() puts (or finds) the binary for `source` and these options; the cache directory is not touched. */
export function cachedBinaryName(source: string, cc: string, opts: Pick<CompileCOptions, "name" | "flags">): string {
  const flags = opts.flags ?? ["-O2"];
  const hash = createHash("sha256")
    .update(readFileSync(source))
    .update("\0")
    .update(flags.join("\0"))
    .update("\0")
    .update(cc)
    .update("\0")
    .update(compilerVersion(cc))
    .digest("hex")
    .slice(0, 16);
  return `${opts.name}-${hash}`;
}

/**
 * The binary of the C program `source` (a file path), compiled now unless the
 * cache has it for this source, flags and compiler. Throws CompileError (no
 * compiler, the compiler failed) or CacheDirError (unusable cache directory).
 */
export function compileC(source: string, opts: CompileCOptions): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.name) || opts.name.startsWith(".")) throw new CompileError(`compileC: bad binary name '${opts.name}'`);
  const env = opts.env ?? process.env;
  const cc = opts.cc ?? findSystemCompiler(env);
  if (cc === null) throw new CompileError("no C compiler found ($CC, cc, gcc or clang on $PATH): install gcc or clang");
  const flags = opts.flags ?? ["-O2"];
  const dir = ensureCacheDir({ env, dir: opts.cacheDir });
  const bin = join(dir, cachedBinaryName(source, cc, { name: opts.name, flags }));
  const uid = process.getuid?.();
  if (isExecutable(bin) && (uid === undefined || statSync(bin).uid === uid)) return bin;
  // Build under a private name, then rename: concurrent first uses never see half a binary.
  const tmp = `${bin}.${process.pid}.${Date.now()}.tmp`;
  const r = spawnSync(cc, [...flags, "-o", tmp, source], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    const why = r.error ? r.error.message : `${r.stderr}${r.stdout}`.trim() || `exit status ${r.status}`;
    const command = [cc, ...flags, "-o", bin, source];
    throw new CompileError(`compiling ${source} failed: ${command.join(" ")}\n${why}`, command, why);
  }
  chmodSync(tmp, 0o755);
  renameSync(tmp, bin);
  return bin;
}

/**
 * Where an installed plugin package's ES module entry is: `--reclaim @acme/reclaim-x`.
 * Looked up as Node does for a program in the working directory (node_modules
 * of the directory and each parent), then next to mmsim itself (a plugin
 * installed alongside a global mmsim). Node's resolver cannot start from an
 * arbitrary directory for `import` (import.meta.resolve's parent argument is
 * still flagged in Node 20), so the package.json's entry is read here: `exports`
 * (".", conditions "node", "import", "default"), else `module`, else `main`,
 * else index.js.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** npm's package name syntax: `@scope/name` or `name` (lower case, URL-safe). */
export const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The package's directory, found from `start` up, or null. */
export function findPackageDir(name: string, start: string): string | null {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

const CONDITIONS = ["node", "import", "default"] as const;

/** The target of an `exports` value under our conditions, or null. */
function pick(target: unknown): string | null {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const p = pick(t);
      if (p) return p;
    }
    return null;
  }
  if (typeof target !== "object" || target === null) return null;
  const o = target as Record<string, unknown>;
  for (const c of CONDITIONS) if (c in o) return pick(o[c]);
  return null;
}

/** The file a package's main entry is, read from its package.json. Throws an Error saying what is missing. */
export function packageEntry(dir: string): string {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    if (typeof pkg !== "object" || pkg === null) throw new Error();
  } catch {
    throw new Error("its package.json is not valid JSON");
  }
  let entry: string | null = null;
  const exp = pkg.exports;
  if (exp !== undefined) {
    const dot = typeof exp === "object" && exp !== null && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith(".")) ? (exp as Record<string, unknown>)["."] : exp;
    entry = pick(dot);
    if (!entry) throw new Error(`its package.json exports no "." entry for import`);
  } else entry = typeof pkg.module === "string" ? pkg.module : typeof pkg.main === "string" ? pkg.main : "index.js";
  const file = resolve(dir, entry);
  if (!existsSync(file)) throw new Error(`its entry ${entry} does not exist (not built?)`);
  return file;
}

/** The entry file of package `name` for a program in `cwd`, else next to this CLI; null when not installed. */
export function resolvePackage(name: string, cwd: string): string | null {
  const dir = findPackageDir(name, cwd) ?? findPackageDir(name, dirname(fileURLToPath(import.meta.url)));
  return dir === null ? null : packageEntry(dir);
}

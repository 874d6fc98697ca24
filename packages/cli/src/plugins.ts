/**
 * Reclaim plugins: the bundled registry, the literal `none` (Linux without
 * page-table reclaim), and plugin modules given by path.
 *
 * To bundle another strategy, add its `@mmsim/reclaim-*` package to
 * package.json's dependencies and one entry to REGISTRY. A package that is
 * listed but not installed is skipped by `installedReclaims()`.
 */
// Types only from core: it is loaded with the first plugin, not to parse a command line.
import type { ReclaimPlugin, validate_plugin } from "@mmsim/core";
import type { Mutant } from "@mmsim/conformance";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { messageOf, UsageError } from "./errors.js";
import { guardPlugin } from "./plugin-guard.js";
import { PACKAGE_NAME, packageEntry, resolvePackage } from "./package-resolve.js";

/** A module's namespace object. */
export type PluginModule = Readonly<Record<string, unknown>>;

export interface RegistryEntry {
  /** The name --reclaim accepts (the plugin's own `name`). */
  readonly name: string;
  readonly package: string;
  readonly load: () => Promise<PluginModule>;
}

export const REGISTRY: readonly RegistryEntry[] = [
  { name: "pt-reclaim", package: "@mmsim/reclaim-pt-reclaim", load: () => import("@mmsim/reclaim-pt-reclaim") },
  { name: "rcu-freept", package: "@mmsim/reclaim-rcu-freept", load: () => import("@mmsim/reclaim-rcu-freept") },
  { name: "percpu", package: "@mmsim/reclaim-percpu", load: () => import("@mmsim/reclaim-percpu") },
  { name: "refcount", package: "@mmsim/reclaim-refcount", load: () => import("@mmsim/reclaim-refcount") },
  { name: "lazyfree", package: "@mmsim/reclaim-lazyfree", load: () => import("@mmsim/reclaim-lazyfree") },
  { name: "zero-pte", package: "@mmsim/reclaim-zero-pte", load: () => import("@mmsim/reclaim-zero-pte") },
  { name: "pmd", package: "@mmsim/reclaim-pmd", load: () => import("@mmsim/reclaim-pmd") },
];

/**
 * Old --reclaim words, still accepted for one minor version (0.2.x) and then
 * removed: each loads the registry entry it names and prints one deprecation
 * line to stderr (`deprecationWarning`).
 */
export const DEPRECATED_ALIASES: Readonly<Record<string, string>> = {
  freept: "rcu-freept",
  "@mmsim/reclaim-freept": "rcu-freept",
};

export const NONE = "none";

/** The bundled mutants, once loadMutants() has run. */
let mutants: readonly Mutant[] | null = null;

/**
 * Loads the mutants `mutant:<name>` words name (the conformance kit's, imported on
 * demand: commands that name none never load the kit). The CLI calls it before
 * parsing a command line that names a mutant; call it before parseReclaimSpec()
 * of such a word.
 */
export async function loadMutants(): Promise<readonly Mutant[]> {
  mutants ??= (await import("@mmsim/conformance")).MUTANTS;
  return mutants;
}

/** parseReclaimSpec() for callers outside the CLI's parser: loads the mutants first when the word names one. */
export async function resolveReclaimSpec(word: string): Promise<ReclaimSpec> {
  if (word.startsWith("mutant:")) await loadMutants();
  return parseReclaimSpec(word);
}

/** What one --reclaim word names (checked while parsing; loaded later). */
export type ReclaimSpec =
  | { readonly kind: "none" }
  /** `alias`: the deprecated word given (a key of DEPRECATED_ALIASES), if any. */
  | { readonly kind: "registry"; readonly entry: RegistryEntry; readonly alias?: string }
  | { readonly kind: "module"; readonly path: string }
  /** An installed plugin package not in the registry: `@scope/name`, or an unscoped `mmsim-reclaim-*`. */
  | { readonly kind: "package"; readonly name: string }
  /** `mutant:<name>`: a deliberately broken pt-reclaim shipped with @mmsim/conformance. */
  | { readonly kind: "mutant"; readonly mutant: Mutant };

/**
 * How an error names the word that gave the plugin: the option (`--reclaim ./p.mjs: ...`
 * for run, compare, explore) or, for `conformance <plugin>` and `fuzz <plugin>`, the
 * argument (`plugin ./p.mjs: ...`): never an option the user did not type.
 */
export type PluginArgument = "--reclaim" | "plugin";

/** A loaded reclaim choice. */
export interface Reclaim {
  /** The plugin's name, or null for no plugin. */
  readonly name: string | null;
  /** The name to print: the plugin's, or "none". */
  readonly label: string;
  /** Where it came from: a package name, a module path, or "" for none. */
  readonly source: string;
  /** One instance, for its metadata (null for none). */
  readonly info: ReclaimPlugin | null;
  /** A fresh instance for one engine. */
  create(): ReclaimPlugin | null;
}

export const NO_RECLAIM: Reclaim = { name: null, label: NONE, source: "", info: null, create: () => null };

/** Classifies a --reclaim word; throws UsageError for an unknown name. */
export function parseReclaimSpec(word: string): ReclaimSpec {
  if (word === NONE) return { kind: "none" };
  if (word.startsWith("mutant:")) {
    if (mutants === null) throw new Error(`parseReclaimSpec('${word}'): the mutants are not loaded (await loadMutants() first)`);
    const MUTANTS = mutants;
    const mutant = MUTANTS.find((m) => `mutant:${m.name}` === word);
    if (!mutant) throw new UsageError(`unknown mutant '${word}' (known: ${MUTANTS.map((m) => `mutant:${m.name}`).join(", ")})`);
    return { kind: "mutant", mutant };
  }
  const entry = REGISTRY.find((e) => e.name === word || e.package === word);
  if (entry) return { kind: "registry", entry };
  const renamed = Object.hasOwn(DEPRECATED_ALIASES, word) ? REGISTRY.find((e) => e.name === DEPRECATED_ALIASES[word]) : undefined;
  if (renamed) return { kind: "registry", entry: renamed, alias: word };
  if (isPackageName(word)) return { kind: "package", name: word };
  if (isModulePath(word)) return { kind: "module", path: word };
  const known = [NONE, ...REGISTRY.map((e) => e.name)].join(", ");
  throw new UsageError(`unknown reclaim plugin '${word}' (known: ${known}; or a module path such as ./my-plugin.mjs, or a plugin package's directory such as ./my-plugin)`);
}

/** The --reclaim word that names `spec` again, for printed command lines. */
export function reclaimArg(spec: ReclaimSpec): string {
  switch (spec.kind) {
    case "none":
      return NONE;
    case "registry":
      return spec.entry.name;
    case "module":
      return spec.path;
    case "package":
      return spec.name;
    case "mutant":
      return `mutant:${spec.mutant.name}`;
  }
}

/** A comma-separated list of --reclaim words. */
export function parseReclaimList(list: string): ReclaimSpec[] {
  const words = list.split(",").map((w) => w.trim());
  if (words.some((w) => w === "")) throw new UsageError(`empty name in reclaim list '${list}'`);
  return words.map(parseReclaimSpec);
}

/** `@scope/name` (any scope), or an unscoped name following the `mmsim-reclaim-*` convention (a bare word is otherwise a typo, not a package). */
function isPackageName(word: string): boolean {
  return PACKAGE_NAME.test(word) && (word.startsWith("@") || word.startsWith("mmsim-reclaim-"));
}

function isModulePath(word: string): boolean {
  if (word.startsWith("@")) return false; // an unbundled package name, not a path
  return /^(\.{1,2}([\\/]|$)|[\\/]|file:)/.test(word) || /\.[cm]?js$/.test(word) || word.includes("/");
}

/** The line to print for a deprecated --reclaim word, or null. */
export function deprecationWarning(spec: ReclaimSpec): string | null {
  return spec.kind === "registry" && spec.alias !== undefined ? `mmsim: --reclaim ${spec.alias} is deprecated; use ${spec.entry.name}` : null;
}

/**
 * Loads one --reclaim choice. A deprecated word prints its warning through
 * `warn` (one line, no newline; the commands pass their stderr).
 */
export async function loadReclaim(spec: ReclaimSpec, cwd: string, warn: (line: string) => void = stderrLine, option: PluginArgument = "--reclaim"): Promise<Reclaim> {
  switch (spec.kind) {
    case "none":
      return NO_RECLAIM;
    case "registry": {
      const warning = deprecationWarning(spec);
      if (warning !== null) warn(warning);
      return fromRegistry(spec.entry);
    }
    case "module":
      return fromModule(spec.path, cwd, option);
    case "package":
      return fromPackage(spec.name, cwd, option);
    case "mutant": {
      const info = spec.mutant.plugin();
      return { name: info.name, label: info.name, source: "@mmsim/conformance", info, create: spec.mutant.plugin };
    }
  }
}

/** Loads several choices; a deprecated word given more than once warns once. */
export function loadReclaims(specs: readonly ReclaimSpec[], cwd: string, warn: (line: string) => void = stderrLine): Promise<Reclaim[]> {
  const warned = new Set<string>();
  const once = (line: string): void => {
    if (!warned.has(line)) warn(line);
    warned.add(line);
  };
  return Promise.all(specs.map((s) => loadReclaim(s, cwd, once)));
}

function stderrLine(line: string): void {
  process.stderr.write(line + "\n");
}

/** The registry's plugins whose packages are installed. */
export async function installedReclaims(): Promise<Reclaim[]> {
  const found: Reclaim[] = [];
  for (const entry of REGISTRY) {
    try {
      found.push(await fromRegistry(entry));
    } catch (e) {
      if (!isNotInstalled(e, entry.package)) throw e;
    }
  }
  return found;
}

/** `none` and every installed plugin: what `compare` runs by default. */
export async function defaultReclaims(): Promise<Reclaim[]> {
  return [NO_RECLAIM, ...(await installedReclaims())];
}

function isNotInstalled(e: unknown, pkg: string): boolean {
  return e instanceof Error && "code" in e && e.code === "ERR_MODULE_NOT_FOUND" && e.message.includes(pkg);
}

async function fromRegistry(entry: RegistryEntry): Promise<Reclaim> {
  const r = await fromExports(await entry.load(), entry.package, entry.package);
  if (r.name !== entry.name) throw new Error(`${entry.package}: plugin is named '${r.name}', registry says '${entry.name}'`);
  return r;
}

async function fromModule(path: string, cwd: string, option: PluginArgument): Promise<Reclaim> {
  const file = path.startsWith("file:") ? null : resolve(cwd, path);
  // A directory: a plugin package being developed (`mmsim conformance ./my-plugin`),
  // its entry read from its package.json as an installed package's is.
  if (file !== null && isDirectory(file)) {
    if (!existsSync(join(file, "package.json")))
      throw new UsageError(`${option} ${path}: a directory without a package.json (give the plugin's module file, or a package directory whose package.json names its entry)`);
    let entry: string;
    try {
      entry = packageEntry(file);
    } catch (e) {
      throw new UsageError(`${option} ${path}: cannot load the package: ${messageOf(e)}`);
    }
    return fromUrl(pathToFileURL(entry).href, path, "cannot load the package", option);
  }
  return fromUrl(file === null ? path : pathToFileURL(file).href, path, "cannot load module", option);
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false; // missing: import() says so
  }
}

async function fromUrl(url: string, path: string, failure: string, option: PluginArgument): Promise<Reclaim> {
  let mod: PluginModule;
  try {
    mod = (await import(url)) as PluginModule;
  } catch (e) {
    throw new UsageError(`${option} ${path}: ${failure}: ${loadFailure(e, url)}`);
  }
  return fromExports(mod, `${option} ${path}`, path, true);
}

/** An installed package: its entry found from `cwd` (package-resolve.ts), imported, its plugin export used as a module's is. */
async function fromPackage(name: string, cwd: string, option: PluginArgument): Promise<Reclaim> {
  let entry: string | null;
  try {
    entry = resolvePackage(name, cwd);
  } catch (e) {
    throw new UsageError(`${option} ${name}: cannot load the package: ${messageOf(e)}`);
  }
  if (entry === null) throw new UsageError(`${option} ${name}: no such package installed (looked in node_modules from the working directory up, and next to mmsim); npm install it, or give a module path`);
  return fromUrl(pathToFileURL(entry).href, name, "cannot load the package", option);
}

/**
 * Why a module did not load, without the absolute paths Node puts in its
 * messages: the module itself missing, a syntax error (Node's and vite's texts
 * differ; `node --check` says where), or the module's own message.
 */
function loadFailure(e: unknown, url: string): string {
  const code = e instanceof Error && "code" in e ? e.code : undefined;
  const msg = messageOf(e);
  // Vite names the module by its URL, Node (the bin) by its path.
  if ((code === "ERR_MODULE_NOT_FOUND" || /^Cannot find module/.test(msg)) && (msg.includes(url) || (url.startsWith("file:") && msg.includes(fileURLToPath(url))))) return "no such file";
  // TypeScript source given as the plugin: Node 20 imports only JavaScript.
  if (code === "ERR_UNKNOWN_FILE_EXTENSION" && /\.[cm]?tsx?$/.test(url))
    return "a TypeScript file: Node runs JavaScript only; compile the plugin first (tsc, tsup) and load the built .js file (as the module path, or as the entry package.json exports)";
  // A named import the imported module does not export (a misspelt kernel function:
  // `import { pte_fre } from "@mmsim/core/kernel"`): Node's message names both, and
  // its stack's first line the importing file and line. Not a syntax error.
  if (e instanceof SyntaxError && /does not provide an export named/.test(msg)) {
    const at = /^(file:\/\/\S+?:\d+)\n/.exec(e.stack ?? "");
    return `${msg}${at ? ` (at ${fileURLToPath(at[1].replace(/:\d+$/, ""))}${at[1].slice(at[1].lastIndexOf(":"))})` : ""}`;
  }
  if (e instanceof SyntaxError || /Failed to parse source/.test(msg)) return "not valid JavaScript (run `node --check` on it to see where)";
  return msg.replace(/ imported from .*$/s, "");
}

/** The export names tried, in order; then a module's only function export, as a factory. */
export const PLUGIN_EXPORTS = ["default", "plugin", "createPlugin"] as const;

function pluginExport(mod: PluginModule, where: string): unknown {
  for (const key of PLUGIN_EXPORTS) if (mod[key] !== undefined) return mod[key];
  const functions = Object.values(mod).filter((v) => typeof v === "function");
  if (functions.length === 1) return functions[0];
  throw new UsageError(`${where}: no reclaim plugin exported (expected a default, 'plugin' or 'createPlugin' export)`);
}

/** A plugin object is used as is; a function is a factory called once per engine. */
async function fromExports(mod: PluginModule, where: string, source: string, watch = false): Promise<Reclaim> {
  const value = pluginExport(mod, where);
  const validate = (await import("@mmsim/core")).validate_plugin;
  const fresh = (): ReclaimPlugin => validated(validate, instantiate(value, where), where);
  const info = fresh();
  // A throw from the plugin's own code names the plugin, the hook and its line
  // wherever the kit judges it (explore, fuzz, conformance: plugin-guard.ts). A
  // plugin from a module or a package (`watch`) is watched: a hook that never
  // returns is stopped (hook-watchdog.ts); a bundled design costs nothing more.
  const create = (): ReclaimPlugin => guardPlugin(fresh(), true, watch)!;
  return { name: info.name, label: info.name, source, info, create };
}

function instantiate(value: unknown, where: string): unknown {
  if (typeof value !== "function") return value;
  let made: unknown;
  try {
    made = (value as () => unknown)();
  } catch (e) {
    throw new UsageError(`${where}: plugin factory failed: ${messageOf(e)}`);
  }
  // An async factory: the engine needs the plugin when it is built, not a promise of it.
  if (made !== null && typeof made === "object" && typeof (made as { then?: unknown }).then === "function")
    throw new UsageError(`${where}: the plugin factory returned a Promise (an async function?); it must return the plugin object itself`);
  return made;
}

function validated(validate: typeof validate_plugin, value: unknown, where: string): ReclaimPlugin {
  try {
    return validate(value, where);
  } catch (e) {
    throw new UsageError(messageOf(e));
  }
}

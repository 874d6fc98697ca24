import { MmsimError } from "./errors.js";
import { KERNEL_ERAS } from "./kernel.js";
import { VM_PLUGIN_MASK } from "./arch.js";
import { BULK_TWIN_HOOKS, KPATH_HOOKS, RECLAIM_HOOKS, SPECIFICATION_VERSION, type ReclaimPlugin } from "./plugin.js";

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as FunctionConstructor;
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as FunctionConstructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor as FunctionConstructor;
const HOOKS: ReadonlySet<string> = new Set(RECLAIM_HOOKS);
/** The boolean members of ReclaimSupports. */
const SUPPORTS_FLAGS = ["madv_dontneed", "madv_free", "async_scan", "rcu_table_free", "zero_page_tables", "rcu_upper_levels", "madv_pt_reclaim"] as const;

/** C0 and C1 control characters and DEL (ESC starts a terminal escape sequence). */
const isControl = (c: number): boolean => c < 0x20 || (c >= 0x7f && c <= 0x9f);

/** The first control character of `s`, or null. */
function firstControl(s: string): number | null {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i))) return s.charCodeAt(i);
  return null;
}

/** `s` quoted, its control characters as \u escapes. */
function escaped(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += isControl(c) ? `\\u${c.toString(16).padStart(4, "0")}` : ch === '"' || ch === "\\" ? `\\${ch}` : ch;
  }
  return `"${out}"`;
}

/** Levenshtein distance of two short names (for "did you mean"). */
function edit_distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Checks that a value is a usable ReclaimPlugin of this contract version; throws
 * an MmsimError ("plugin-error") that names `where` and what is wrong.
 */
export function validate_plugin(p: unknown, where: string): ReclaimPlugin {
  if (p === null || typeof p !== "object") throw new MmsimError("plugin-error", `${where}: not a reclaim plugin (got ${p === null ? "null" : typeof p})`);
  const o = p as Record<string, unknown>;
  const missing: string[] = [];
  for (const f of ["name", "version", "models"]) if (typeof o[f] !== "string") missing.push(f);
  if (!o.supports || typeof o.supports !== "object") missing.push("supports");
  if (o.specificationVersion === undefined) missing.push("specificationVersion");
  if (missing.length) throw new MmsimError("plugin-error", `${where}: not a reclaim plugin (missing ${missing.join(", ")})`);
  const empty = ["name", "version", "models"].filter((f) => (o[f] as string).trim() === "");
  if (empty.length) throw new MmsimError("plugin-error", `${where}: reclaim plugin with an empty ${empty.join(", ")} (the kit and the CLI name a plugin by them)`);
  // The CLI prints them in its headers, tables and replay lines: a terminal escape (ESC [ ... m) or a newline would restyle or forge that output.
  for (const f of ["name", "version", "models"]) {
    const c = firstControl(o[f] as string);
    if (c !== null)
      throw new MmsimError(
        "plugin-error",
        `${where}: reclaim plugin ${f} ${escaped(o[f] as string)} contains the control character U+${c.toString(16).toUpperCase().padStart(4, "0")} (the CLI prints the ${f}: no terminal escapes or line breaks)`,
      );
  }
  if (o.specificationVersion !== SPECIFICATION_VERSION)
    throw new MmsimError(
      "plugin-error",
      `${where}: plugin '${String(o.name)}' implements specificationVersion ${JSON.stringify(o.specificationVersion)}; this mmsim implements "${SPECIFICATION_VERSION}"`,
    );
  if (o.era !== undefined && !(KERNEL_ERAS as readonly unknown[]).includes(o.era))
    throw new MmsimError(
      "plugin-error",
      `${where}: plugin '${String(o.name)}': unknown kernel era ${JSON.stringify(o.era)} (known: ${KERNEL_ERAS.map((e) => JSON.stringify(e)).join(", ")})`,
    );
  for (const h of RECLAIM_HOOKS) {
    const f = o[h];
    if (f === undefined) continue;
    if (typeof f !== "function") throw new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': hook ${h} is not a function (got ${f === null ? "null" : typeof f})`);
    if (KPATH_HOOKS.has(h) && !(f instanceof GeneratorFunction))
      throw new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': hook ${h} is a kernel path and must be a generator function (function* ${h}(...))`);
    // A plain hook runs where the kernel cannot sleep or be preempted, and core uses
    // what it returns at once: a generator's body (or an async function's after its
    // first await) would never run, and the generator object or promise it returns
    // would be taken for the result (a truthy reclaim_pt_is_enabled).
    const fn: object = f;
    if (!KPATH_HOOKS.has(h) && (fn instanceof GeneratorFunction || fn instanceof AsyncFunction || fn instanceof AsyncGeneratorFunction))
      throw new MmsimError(
        "plugin-error",
        `${where}: plugin '${String(o.name)}': hook ${h} is a plain hook (called where the kernel cannot sleep or be preempted) and must be an ordinary function, not ${fn instanceof GeneratorFunction ? "a generator function (function*)" : "an async function"}`,
      );
    const twin = (f as { sync?: unknown }).sync;
    if (twin === undefined) continue;
    if (!(BULK_TWIN_HOOKS as readonly string[]).includes(h))
      throw new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': hook ${h} has a bulk twin, which core never calls (only ${BULK_TWIN_HOOKS.join(", ")} have one)`);
    if (typeof twin !== "function" || twin instanceof GeneratorFunction)
      throw new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': hook ${h}'s bulk twin (its sync property) must be a plain function, not ${twin instanceof GeneratorFunction ? "a generator" : typeof twin}`);
  }
  // A function that is no hook never runs: a misspelt hook (zap_pte_range_ends) would leave the design silently inert.
  for (const [k, v] of Object.entries(o)) {
    if (HOOKS.has(k) || typeof v !== "function") continue;
    const near = RECLAIM_HOOKS.find((h) => edit_distance(h, k) <= 2);
    if (near !== undefined || v instanceof GeneratorFunction)
      throw new MmsimError(
        "plugin-error",
        `${where}: plugin '${String(o.name)}': ${k} is not a hook core calls${near !== undefined ? ` (did you mean ${near}?)` : ""}: a ${v instanceof GeneratorFunction ? "generator " : ""}function there never runs`,
      );
  }
  const sup = o.supports as Record<string, unknown>;
  // Extra keys are the plugin's own notes (ReclaimSupports allows them), but a near
  // miss of a flag the kit reads (madv_dontnee) would leave the suites it selects unrun.
  const KNOWN_SUPPORTS: readonly string[] = [...SUPPORTS_FLAGS, "walker_refcount", "pmd_entry_sleep"];
  for (const k of Object.keys(sup)) {
    if (KNOWN_SUPPORTS.includes(k)) continue;
    const near = KNOWN_SUPPORTS.find((f) => edit_distance(f, k) <= 2);
    if (near !== undefined) throw new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': supports.${k} is not a flag the kit reads (did you mean supports.${near}?)`);
  }
  for (const f of SUPPORTS_FLAGS)
    if (sup[f] !== undefined && typeof sup[f] !== "boolean")
      throw new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': supports.${f} must be true or false (got ${JSON.stringify(sup[f]) ?? String(sup[f])})`);
  if (sup.walker_refcount !== undefined && sup.walker_refcount !== "atomic" && sup.walker_refcount !== "percpu")
    throw new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': supports.walker_refcount must be "atomic" or "percpu" (got ${JSON.stringify(sup.walker_refcount) ?? String(sup.walker_refcount)})`);
  if (sup.pmd_entry_sleep !== undefined && sup.pmd_entry_sleep !== "srcu" && sup.pmd_entry_sleep !== "rcu-refcount")
    throw new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': supports.pmd_entry_sleep must be "srcu" or "rcu-refcount" (got ${JSON.stringify(sup.pmd_entry_sleep) ?? String(sup.pmd_entry_sleep)})`);
  if (o.madvise_advice !== undefined) {
    const bad = (why: string) => new MmsimError("plugin-error", `${where}: plugin '${String(o.name)}': madvise_advice ${why}`);
    if (!Array.isArray(o.madvise_advice)) throw bad("must be a list of { name, behavior, set, clear }");
    const seen = new Set<number>();
    for (const a of o.madvise_advice as Record<string, unknown>[]) {
      if (!a || typeof a.name !== "string" || !Number.isInteger(a.behavior) || typeof a.set !== "number" || typeof a.clear !== "number") throw bad("entries must be { name, behavior, set, clear }");
      const b = a.behavior as number;
      if (b < 0 || b <= 25 || (b >= 100 && b <= 103)) throw bad(`'${a.name}': behavior ${b} is one of Linux's advice values (0-25, 100-103)`);
      if (seen.has(b)) throw bad(`'${a.name}': behavior ${b} given twice`);
      seen.add(b);
      if (((a.set as number) | (a.clear as number)) & ~VM_PLUGIN_MASK) throw bad(`'${a.name}': set/clear may only use VM_PLUGIN_MASK bits (0x${VM_PLUGIN_MASK.toString(16)})`);
    }
  }
  return p as ReclaimPlugin;
}

/**
 * Checks a plugin factory's options object before the factory reads it: not an
 * object, or a key that is not one of `known` (a typo such as `scan_delay` for
 * `scan_delay_ms` would otherwise be ignored, the run measuring the default), is
 * a config error naming `where` (the factory: `rcuFreept(options)`), the key's
 * path, the known keys and the nearest one. Undefined stands for no options.
 * For plugin authors whose factories take options, as the bundled ones do.
 */
export function validate_options(where: string, opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  const list = known.length ? known.join(", ") : "none";
  if (opts === null || typeof opts !== "object" || Array.isArray(opts))
    throw new MmsimError("config-error", `${where}: ${opts === null ? "null" : Array.isArray(opts) ? "an array" : typeof opts} is not an options object (known options: ${list})`);
  for (const k of Object.keys(opts)) {
    if (known.includes(k)) continue;
    const bare = (w: string) => w.toLowerCase().replace(/[_-]/g, ""); // pmd_entry_sleep for pmdEntrySleep
    const near = known.find((f) => edit_distance(f, k) <= 2 || bare(f) === bare(k) || f.startsWith(k) || k.startsWith(f));
    throw new MmsimError("config-error", `${where}.${k}: unknown option${near !== undefined ? ` (did you mean ${near}?)` : ""}; known options: ${list}`);
  }
}

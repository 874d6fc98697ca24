/**
 * A plugin's hooks, guarded: an exception a hook throws becomes a PluginHookError
 * naming the plugin, the hook, the hook's message and the plugin's own stack frame,
 * so `run`, `compare` and `replay` report the plugin's error, never an "internal
 * error" of mmsim. The guarded plugin is an object whose prototype is the plugin
 * (its fields and helpers read through); each hook calls the plugin's with `this`
 * the plugin itself, and a kernel-path hook stays a generator function.
 *
 * `explore`, `fuzz` and `conformance` guard a plugin loaded from a module, a
 * package directory or an installed package (not a bundled design or a mutant,
 * whose reports are pinned) with `passKernelErrors`: there a throw is a rule
 * broken (`kernel BUG`) that the explorer classifies and shrinks, so the kernel's
 * own verdicts (branded MmsimErrors: sanitizer, lock rules, use after free, ...)
 * pass unchanged, and anything else the hook threw (a TypeError, the plugin's
 * own `throw`) becomes a PluginHookError, whose message names the plugin, the
 * hook and the plugin's line: the `kernel BUG` detail then says where.
 */
import type { ReclaimPlugin } from "@mmsim/core";
import { CliError, messageOf } from "./errors.js";
import { watchHooks, type WatchWords } from "./hook-watchdog.js";

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as FunctionConstructor;

/** A run that failed because of its plugin (exit code 1): `compare` keeps the other plugins' results. */
export class PluginRunError extends CliError {}

/** A plugin hook threw: the plugin's error, reported as such (exit code 1). */
export class PluginHookError extends PluginRunError {
  readonly plugin: string;
  readonly hook: string;
  /** The hook's own message. */
  readonly reason: string;
  /** `file:line:col` of the innermost stack frame outside mmsim, or null when the stack names none. */
  readonly frame: string | null;

  constructor(plugin: string, hook: string, cause: unknown) {
    const reason = messageOf(cause).split("\n")[0];
    const frame = pluginFrame(cause);
    super(`plugin '${plugin}': hook ${hook} threw: ${reason}${frame ? ` (at ${frame})` : ""}`);
    this.name = "PluginHookError";
    this.plugin = plugin;
    this.hook = hook;
    this.reason = reason;
    this.frame = frame;
    this.cause = cause;
  }
}

/** A hook returned what its contract does not allow (a watched plugin's: hook-watchdog.ts): the plugin's error (exit code 1). */
export class PluginResultError extends PluginRunError {
  constructor(plugin: string, hook: string, result: unknown, want: string) {
    super(`plugin '${plugin}': hook ${hook} returned ${shown(result)}, not ${want}`);
    this.name = "PluginResultError";
  }
}

function shown(v: unknown): string {
  if (typeof v === "function") return "a function";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * What the hooks whose result core uses must return (spec's ReclaimPlugin), checked
 * for a plugin from a module or a package: a wrong shape used to surface later as
 * an unrelated kernel rule ("pfn NaN holds no page table"). reclaim_pt_is_enabled is
 * taken for its truth, as C's bool is (`details && ...` is fine).
 */
const RESULTS: Readonly<Record<string, readonly [(r: unknown) => boolean, string]>> = {
  pte_offset_map: [
    (r) => r === null || (typeof r === "object" && Number.isSafeInteger((r as { pte?: unknown }).pte) && typeof (r as { pmdval?: unknown }).pmdval === "number"),
    "a PteMapping { pte, pmdval } or null",
  ],
  pmd_install_get: [(r) => typeof r === "boolean", "true or false"],
  free_pte_range: [(r) => typeof r === "boolean", "true or false"],
};

/** Frames of mmsim itself (core, spec, this guard) and of Node, which are not the plugin's. */
const NOT_PLUGIN = /(node:|[\\/](packages[\\/](core|spec|cli)|@mmsim[\\/](core|spec|cli))[\\/]|plugin-guard\.)/;

/** The first stack frame of `e` that is the plugin's own code (a file outside mmsim's core), as `file:line:col`. */
export function pluginFrame(e: unknown): string | null {
  const stack = e instanceof Error ? e.stack : undefined;
  if (!stack) return null;
  for (const line of stack.split("\n").slice(1)) {
    const m = /^\s*at (?:.*? \()?(.+?:\d+:\d+)\)?$/.exec(line);
    if (m && !NOT_PLUGIN.test(m[1])) return m[1].replace(/^file:\/\//, "");
  }
  return null;
}

/** The kinds of branded error that are a kernel rule broken (the explorer's and fuzz's verdicts), not bad input. */
const KERNEL_RULES: ReadonlySet<string> = new Set(["sanitizer-violation", "page-table-use-after-free", "oracle-violation", "deadlock", "lock-error"]);

/**
 * A kernel rule broken during a run with `plugin` but outside its hooks, by what
 * they left behind (a table handed to the gather twice is freed twice when the
 * gather flushes): the plugin's error, one line, exit 1, as a hook's throw is. Null
 * for anything else (with no plugin such an error is mmsim's own: an internal error).
 */
export function kernelRuleError(plugin: ReclaimPlugin | null, e: unknown): PluginRunError | null {
  if (plugin === null || !isKernelRule(e)) return null;
  const err = new PluginRunError(
    `plugin '${plugin.name}': ${messageOf(e).split("\n")[0]} (a kernel rule broken outside the plugin's hooks, by what they left behind; \`mmsim fuzz\` on the plugin shrinks such a run to a replay)`,
  );
  err.cause = e;
  return err;
}

/**
 * An error carrying @mmsim/spec's brand (any copy) of a kernel-rule kind: the
 * kernel's verdict, not the plugin's bug (a `plugin-error`, such as a kernel
 * function given the wrong argument, is the plugin's, and is attributed).
 */
function isKernelRule(e: unknown): boolean {
  return e !== null && typeof e === "object" && (e as Record<symbol, unknown>)[Symbol.for("mmsim.error")] === true && KERNEL_RULES.has(String((e as { kind?: unknown }).kind));
}

/**
 * `plugin` with every function-valued property (the hooks) guarded; null stays null.
 * With `passKernelErrors`, a branded MmsimError of a kernel rule (a sanitizer's or
 * lock rule's verdict raised in a kernel function the hook called) is rethrown as it is.
 * With `watch` (a plugin from a module or a package, not a bundled design), the
 * hooks also tell the hook watchdog (hook-watchdog.ts) when they start and return,
 * where the `mmsim` executable armed it: a hook that never returns is stopped;
 * and the hooks whose result core uses (RESULTS) have it checked.
 */
export function guardPlugin(plugin: ReclaimPlugin | null, passKernelErrors = false, watch = false): ReclaimPlugin | null {
  if (plugin === null) return null;
  const guarded = Object.create(plugin) as Record<string, unknown>;
  const name = plugin.name;
  const rethrow = (plugin: string, hook: string, e: unknown): never => {
    throw e instanceof PluginHookError || e instanceof PluginResultError || (passKernelErrors && isKernelRule(e)) ? e : new PluginHookError(plugin, hook, e);
  };
  const keys = allKeys(plugin).filter((k) => k !== "constructor" && typeof (plugin as unknown as Record<string, unknown>)[k] === "function");
  // Not armed (main() in another program): the same guard, its words a scratch array nobody reads; the results still checked.
  const watched = watch ? (watchHooks(name, keys) ?? { words: new Int32Array(3), id: () => 0 }) : null;
  for (const key of keys) {
    const f = (plugin as unknown as Record<string, unknown>)[key];
    const hook = f as (...args: unknown[]) => unknown;
    if (watched !== null) {
      guarded[key] = watchedHook(name, key, plugin, hook, rethrow, watched.words, watched.id(key));
      continue;
    }
    if (f instanceof GeneratorFunction) {
      const g = function* (...args: unknown[]): Generator<unknown, unknown, unknown> {
        try {
          return yield* hook.apply(plugin, args) as Generator<unknown, unknown, unknown>;
        } catch (e) {
          return rethrow(name, key, e);
        }
      };
      // A kernel-path hook's bulk twin (spec's BulkTwin: its `sync` property, which
      // core's bulk_twin() sets), guarded too: without it core runs the hook's
      // generator to completion wherever it would call the twin (zap.ts's
      // zap_pte_range_*_hook$sync), ~2 generators per 2 MiB chunk of the seed loop.
      const twin = (f as { sync?: unknown }).sync;
      if (typeof twin === "function") Object.defineProperty(g, "sync", { value: guardFn(name, key, plugin, twin as (...args: unknown[]) => unknown, rethrow), enumerable: false, configurable: true, writable: false });
      guarded[key] = g;
    } else guarded[key] = guardFn(name, key, plugin, hook, rethrow);
  }
  return guarded as unknown as ReclaimPlugin;
}

/**
 * `hook` guarded as guardPlugin() guards it, and watched: W[0] is the hook running
 * (restored to the caller's at return, a hook called from a hook's kernel function
 * nesting), W[1] counts entries and returns. A generator hook's entry is its first
 * step; suspended at a preemption point (the explorer), it stays the hook running
 * until another hook runs, which the explorer's own step budget covers.
 */
function watchedHook(
  name: string,
  key: string,
  plugin: ReclaimPlugin,
  hook: (...args: unknown[]) => unknown,
  rethrow: (plugin: string, hook: string, e: unknown) => never,
  W: WatchWords,
  id: number,
): (...args: unknown[]) => unknown {
  const generator = (hook as object) instanceof GeneratorFunction;
  const result = Object.hasOwn(RESULTS, key) ? RESULTS[key] : null;
  if (generator) {
    const g = function* (...args: unknown[]): Generator<unknown, unknown, unknown> {
      const prev = W[0];
      W[0] = id;
      W[1]++;
      let r: unknown;
      try {
        r = yield* hook.apply(plugin, args) as Generator<unknown, unknown, unknown>;
      } catch (e) {
        return rethrow(name, key, e);
      } finally {
        W[0] = prev;
        W[1]++;
      }
      if (result !== null && !result[0](r)) throw new PluginResultError(name, key, r, result[1]);
      return r;
    };
    const twin = (hook as { sync?: unknown }).sync;
    if (typeof twin === "function")
      Object.defineProperty(g, "sync", { value: watchedHook(name, key, plugin, twin as (...args: unknown[]) => unknown, rethrow, W, id), enumerable: false, configurable: true, writable: false });
    return g;
  }
  return (...args: unknown[]): unknown => {
    const prev = W[0];
    W[0] = id;
    W[1]++;
    try {
      return hook.apply(plugin, args);
    } catch (e) {
      return rethrow(name, key, e);
    } finally {
      W[0] = prev;
      W[1]++;
    }
  };
}

/** `hook` called with `this` the plugin, its throw the plugin's error. */
function guardFn(
  name: string,
  key: string,
  plugin: ReclaimPlugin,
  hook: (...args: unknown[]) => unknown,
  rethrow: (plugin: string, hook: string, e: unknown) => never,
): (...args: unknown[]) => unknown {
  return (...args: unknown[]): unknown => {
    try {
      return hook.apply(plugin, args);
    } catch (e) {
      return rethrow(name, key, e);
    }
  };
}

/** Own and inherited property names, up to Object.prototype (a class instance's methods live on its prototype). */
function allKeys(o: object): string[] {
  const keys = new Set<string>();
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) keys.add(k);
  }
  return [...keys];
}

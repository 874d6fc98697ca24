/**
 * desync: derive a synchronous twin of every kernel path, mechanically, at build
 * time. Each `function* name(...): KPath<T>` gets a sibling `function name$sync(...)`
 * whose body is the same code with
 *   - `yield* f(args)`  → `f$sync(args)`   when f is a kernel path (here or imported),
 *   - `yield* expr`     → `__drive(expr)`  otherwise (a primitive Op or a plugin hook),
 * and anywhere in the file `run_to_completion(f(args))` → `f$sync(args)`.
 * Imports and re-exports of kernel paths also carry their twins. The source stays
 * one copy; the twin is what bulk runs execute (no generator objects), the
 * generator is what the deterministic scheduler steps. A differential test proves
 * the two equivalent (src/sched/runner.test.ts), another that bulk runs resume no
 * generator (src/sched/twin.test.ts); build/desync.test.mjs tests this file.
 *
 * The file is parsed with the TypeScript compiler (syntax only, no type check) and
 * the output is the source text with edits at syntax-tree node positions, so
 * strings, template literals and comments are never rewritten, and line numbers
 * of the original code are kept (twins of top-level paths are appended).
 *
 * What is a kernel path: a generator function declaration with a body whose
 * return type is written `KPath` or `KPath<...>`, or a name X for which the file
 * declares a hand-written twin `X$sync` at top level (the primitives:
 * `export const spin_lock$sync = sync_op(...)`; no twin is derived for those).
 * Relative imports (`"./x.js"` → `./x.ts`) are resolved, and `@mmsim/core/kernel`
 * (→ core's src/plugin/kernel.ts, for the plugins that build with desync): the
 * imported file's kernel paths (its own and those it re-exports) count as kernel
 * paths here.
 *
 * Nested functions inside a kernel path: a nested generator that is not a
 * kernel path keeps its own `yield*` (it is a generator in the twin too); a
 * nested kernel path declaration keeps its generator and gets its twin right
 * after it, in the same scope.
 *
 * Stepping variants: every derived kernel path also gets `function* name$step`,
 * the same generator with `yield* f(args)` → `(yield f$step(args))` when f is a
 * kernel path with a derived twin (other `yield*`: Ops, plugin hooks, are kept),
 * and `flat_path(f(args))` → `flat_path(f$step(args), true)` anywhere in the
 * file. The explorer steps those on a trampoline (src/sched/trampoline.ts): a
 * preemption point then resumes one generator, not one per caller on the stack.
 * The hand-written primitives get none (`yield* spin_lock(...)` delegates to the
 * Op, one level). Imports and re-exports carry `$step` beside `$sync`.
 *
 * Lone variants: every derived kernel path also gets `function name$lone`, a plain
 * function like the twin, but whose calls of the hand-written primitives (and of
 * anything else that is not a derived kernel path: plugin hooks, nested
 * generators) drive the generator, `__drive(spin_lock(t, l))`, instead of calling
 * the primitive's `$sync`: a stepping task still passes every preemption point
 * (the Op takes the scheduler's step in place), only without a generator per
 * kernel-path call. In the generators themselves every `yield* f(args)` of a
 * derived kernel path becomes `(__LONE.on ? f$lone(args) : yield* f(args))`,
 * `__LONE` being the one flag object `globalThis.__mmsim_lone`
 * (src/sched/lone.ts): the explorer sets it while it resumes a task from its
 * loop (check/execution.ts), so that task's later calls run as lone variants.
 * Imports and re-exports carry `$lone` beside `$step`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const MARK = "\n/* ---- desync twins (generated at build time from the kernel paths above) ---- */";
const DRIVE =
  "\nfunction __drive(g: any): any { const r = g.next(); if (!r.done) throw new Error(`kernel path yielded in a bulk run at ${r.value.what}`); return r.value; }\n";
/** The lone-run flag (src/sched/lone.ts): one object for every module and every copy of the package. */
const LONE = "const __LONE: { on: boolean } = ((globalThis as any).__mmsim_lone ??= { on: false });\n";

function parse(src, file = "input.ts") {
  return ts.createSourceFile(file, src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

const hasModifier = (node, kind) => (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []).some((m) => m.kind === kind) : false);
const isExported = (node) => hasModifier(node, ts.SyntaxKind.ExportKeyword) && !hasModifier(node, ts.SyntaxKind.DefaultKeyword);

function isKPathType(type) {
  if (!type || !ts.isTypeReferenceNode(type)) return false;
  const n = type.typeName;
  return (ts.isIdentifier(n) ? n.text : n.right.text) === "KPath";
}

/** `function* name(...): KPath<...> { ... }` */
function isKernelPathDecl(node) {
  return ts.isFunctionDeclaration(node) && !!node.asteriskToken && !!node.name && !!node.body && isKPathType(node.type);
}

function isGeneratorFunction(node) {
  return (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && !!node.asteriskToken;
}

/**
 * Package entries whose kernel paths a plugin's twins may call directly: core's
 * plugin API (src/plugin/kernel.ts, beside this file) exports `X$sync` for its
 * primitives and kernel paths, so a plugin's twin calls `spin_trylock$sync(t, l)`
 * instead of driving `spin_trylock(t, l)` (an Op or a generator per call: ~6.5 ms
 * of the seed run, issue #10). Where the source is absent (a copy of desync.mjs
 * without core's src/), nothing is known and every call stays `__drive(...)`.
 */
const PACKAGE_SOURCES = new Map([["@mmsim/core/kernel", fileURLToPath(new URL("../src/plugin/kernel.ts", import.meta.url))]]);

/** `import ... from "./x.js"` → absolute path of x.ts; a known package entry → its source file; else null. */
function relTarget(spec, file, packages = PACKAGE_SOURCES) {
  if (!spec || !ts.isStringLiteral(spec)) return null;
  const pkg = packages.get(spec.text);
  if (pkg) return pkg;
  const m = /^(\..*)\.js$/.exec(spec.text);
  return m ? resolve(dirname(file), m[1] + ".ts") : null;
}

/** Names of the top-level `X$sync` declarations (only exported ones unless `all`), as X. */
function handTwins(sf, all) {
  const out = new Set();
  const add = (name) => {
    if (name.endsWith("$sync") && name.length > 5) out.add(name.slice(0, -5));
  };
  for (const s of sf.statements) {
    if (!all && !isExported(s)) continue;
    if (ts.isFunctionDeclaration(s) && s.name) add(s.name.text);
    else if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) add(d.name.text);
  }
  return out;
}

/** Every kernel path declaration in the tree, at any depth. */
function kernelPathDecls(sf) {
  const out = [];
  const visit = (n) => {
    if (isKernelPathDecl(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/**
 * Names of the kernel paths a source file declares (not following its
 * re-exports): its `function* f(...): KPath` and its exported hand-written twins.
 */
export function kpathNames(src) {
  const sf = parse(src);
  const names = new Set(kernelPathDecls(sf).map((d) => d.name.text));
  for (const n of handTwins(sf, false)) names.add(n);
  return names;
}

/** What an importer needs to know about a file: its own kernel paths and its re-exports. */
function facts(src, file) {
  const sf = parse(src, file);
  const own = new Set();
  for (const s of sf.statements) if (isKernelPathDecl(s)) own.add(s.name.text);
  const hand = handTwins(sf, false);
  /** Kernel paths with a derived twin and stepping variant (not the hand-written primitives). */
  const derived = new Set([...own].filter((n) => !hand.has(n)));
  for (const n of hand) own.add(n);
  const reexports = [];
  for (const s of sf.statements) {
    if (!ts.isExportDeclaration(s) || s.isTypeOnly) continue;
    const target = relTarget(s.moduleSpecifier, file);
    if (!target) continue;
    if (!s.exportClause) reexports.push({ target, all: true, pairs: [] });
    else if (ts.isNamedExports(s.exportClause))
      reexports.push({ target, all: false, pairs: s.exportClause.elements.filter((e) => !e.isTypeOnly).map((e) => [(e.propertyName ?? e.name).text, e.name.text]) });
  }
  return { own, derived, reexports };
}

/**
 * Per-file cache of `facts`, keyed by path and validated by a hash of the file's
 * content on every lookup (mtimes are too coarse to trust for quick rewrites), so
 * watch mode and repeated builds never see a stale answer.
 */
const cache = new Map();
const stats = { hits: 0, misses: 0 };

function factsOfFile(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    cache.delete(file);
    return null;
  }
  const hash = createHash("sha1").update(text).digest("hex");
  const c = cache.get(file);
  if (c && c.hash === hash) {
    stats.hits++;
    return c.facts;
  }
  stats.misses++;
  const f = facts(text, file);
  cache.set(file, { hash, facts: f });
  return f;
}

/** Counters of the file cache (for tests). */
export function cacheStats() {
  return { ...stats, files: cache.size };
}

/** Forget every cached file. */
export function clearCache() {
  cache.clear();
  stats.hits = stats.misses = 0;
}

/**
 * Kernel paths a file exports, following `export ... from "./x.js"`. Every file
 * consulted is added to `deps` (the importer's output depends on them).
 */
export function kpathNamesOfFile(file, deps = new Set()) {
  return namesOfFile(file, deps, new Set()).names;
}

/**
 * kpathNamesOfFile(), and (`derived`) those of them with a derived twin and
 * stepping variant `X$step`: all but the hand-written primitives.
 */
function namesOfFile(file, deps, active) {
  deps.add(file);
  if (active.has(file)) return { names: new Set(), derived: new Set() }; // a cycle of re-exports
  const f = factsOfFile(file);
  if (!f) return { names: new Set(), derived: new Set() };
  const names = new Set(f.own);
  const derived = new Set(f.derived);
  active.add(file);
  for (const r of f.reexports) {
    const theirs = namesOfFile(r.target, deps, active);
    for (const [from, to] of [
      [theirs.names, names],
      [theirs.derived, derived],
    ]) {
      if (r.all) for (const n of from) to.add(n);
      else for (const [n, alias] of r.pairs) if (from.has(n)) to.add(alias);
    }
  }
  active.delete(file);
  return { names, derived };
}

/** Transform one TypeScript source file of a package that writes kernel paths. */
export function desync(src, file, opts) {
  return desyncWithDeps(src, file, opts).code;
}

/**
 * desync(), and the other files whose content the output depends on. `packages`:
 * the package entries resolved to source files (default: `@mmsim/core/kernel`;
 * tests pass an empty Map for the fallback, every plugin-API call driven).
 */
export function desyncWithDeps(src, file, { packages = PACKAGE_SOURCES } = {}) {
  const sf = parse(src, file);
  const deps = new Set();
  const decls = kernelPathDecls(sf);
  const handWritten = handTwins(sf, true);
  /** Local names that are kernel paths. */
  const gens = new Set([...decls.map((d) => d.name.text), ...handWritten]);
  /** Local names that are kernel paths with a derived stepping variant `X$step` (not primitives). */
  const steps = new Set(decls.map((d) => d.name.text).filter((n) => !handWritten.has(n)));
  /** Namespace imports of files with kernel paths: local name → their kernel paths. */
  const namespaces = new Map();
  /** The same, their kernel paths with a stepping variant. */
  const stepNamespaces = new Map();
  /** Import / export declaration → the twins to add to its `{ ... }`. */
  const extras = new Map();

  const named = (clause) => clause && ts.isNamedImports(clause);
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) {
      const ic = s.importClause;
      const target = relTarget(s.moduleSpecifier, file, packages);
      if (!ic || ic.isTypeOnly || !target) continue;
      const { names: theirs, derived: theirSteps } = namesOfFile(target, deps, new Set());
      if (ic.namedBindings && ts.isNamespaceImport(ic.namedBindings)) {
        namespaces.set(ic.namedBindings.name.text, theirs);
        stepNamespaces.set(ic.namedBindings.name.text, theirSteps);
      }
      if (!named(ic.namedBindings)) continue;
      const add = [];
      for (const e of ic.namedBindings.elements) {
        if (e.isTypeOnly || !ts.isIdentifier(e.propertyName ?? e.name)) continue;
        const name = (e.propertyName ?? e.name).text;
        if (!theirs.has(name)) continue;
        add.push(e.propertyName ? `${name}$sync as ${e.name.text}$sync` : `${name}$sync`);
        gens.add(e.name.text);
        if (!theirSteps.has(name)) continue;
        add.push(e.propertyName ? `${name}$step as ${e.name.text}$step` : `${name}$step`);
        add.push(e.propertyName ? `${name}$lone as ${e.name.text}$lone` : `${name}$lone`);
        steps.add(e.name.text);
      }
      if (add.length) extras.set(s, add);
    }
  }
  for (const s of sf.statements) {
    if (!ts.isExportDeclaration(s) || s.isTypeOnly || !s.exportClause || !ts.isNamedExports(s.exportClause)) continue;
    let has, hasStep;
    if (s.moduleSpecifier) {
      const target = relTarget(s.moduleSpecifier, file, packages);
      if (!target) continue;
      const { names: theirs, derived: theirSteps } = namesOfFile(target, deps, new Set());
      has = (n) => theirs.has(n);
      hasStep = (n) => theirSteps.has(n);
    } else {
      has = (n) => gens.has(n); // `export { f }` of a local or imported kernel path
      hasStep = (n) => steps.has(n);
    }
    const add = [];
    for (const e of s.exportClause.elements) {
      if (e.isTypeOnly || !ts.isIdentifier(e.propertyName ?? e.name)) continue;
      const name = (e.propertyName ?? e.name).text;
      if (has(name)) add.push(e.propertyName ? `${name}$sync as ${e.name.text}$sync` : `${name}$sync`);
      if (hasStep(name)) add.push(e.propertyName ? `${name}$step as ${e.name.text}$step` : `${name}$step`);
      if (hasStep(name)) add.push(e.propertyName ? `${name}$lone as ${e.name.text}$lone` : `${name}$lone`);
    }
    if (add.length) extras.set(s, add);
  }

  const start = (n) => n.getStart(sf);
  const lineOf = (n) => sf.getLineAndCharacterOfPosition(start(n)).line + 1;
  let twinCount = 0;
  /** Whether a generator here got a `__LONE.on` switch. */
  let usesLone = false;

  /** `f(args)` / `ns.f(args)` where f is a kernel path → `f$sync` / `ns.f$sync`, else null. */
  function twinCallee(e) {
    if (!ts.isCallExpression(e) || e.questionDotToken) return null;
    const c = e.expression;
    if (ts.isIdentifier(c) && gens.has(c.text)) return `${c.text}$sync`;
    if (ts.isPropertyAccessExpression(c) && !c.questionDotToken && ts.isIdentifier(c.expression) && ts.isIdentifier(c.name)) {
      const theirs = namespaces.get(c.expression.text);
      if (theirs && theirs.has(c.name.text)) return `${c.expression.text}.${c.name.text}$sync`;
    }
    return null;
  }

  /** `f(args)` / `ns.f(args)` where f is a kernel path with a stepping variant → `f$step` / `ns.f$step`, else null. */
  function stepCallee(e) {
    if (!ts.isCallExpression(e) || e.questionDotToken) return null;
    const c = e.expression;
    if (ts.isIdentifier(c) && steps.has(c.text)) return `${c.text}$step`;
    if (ts.isPropertyAccessExpression(c) && !c.questionDotToken && ts.isIdentifier(c.expression) && ts.isIdentifier(c.name)) {
      const theirs = stepNamespaces.get(c.expression.text);
      if (theirs && theirs.has(c.name.text)) return `${c.expression.text}.${c.name.text}$step`;
    }
    return null;
  }

  /** `f(args)` / `ns.f(args)` where f is a kernel path with a lone variant → `f$lone` / `ns.f$lone`, else null. */
  function loneCallee(e) {
    const c = stepCallee(e);
    return c === null ? null : c.slice(0, -"$step".length) + "$lone";
  }

  /** Whether `yield* expr` delegates to a kernel path with a lone variant (directly or in a branch of a conditional). */
  function hasLone(expr) {
    const e = ts.skipParentheses(expr);
    if (loneCallee(e)) return true;
    return ts.isConditionalExpression(e) && !!(loneCallee(ts.skipParentheses(e.whenTrue)) || loneCallee(ts.skipParentheses(e.whenFalse)));
  }

  /** A call of a kernel path as a call of its twin: callee replaced, type arguments and arguments kept. */
  function twinCall(e, callee, mode) {
    return callee + children(e, mode, e.expression.end, e.end);
  }

  /**
   * The twin of `yield* e`: `f$sync(args)` for a kernel path call, a conditional
   * delegating in each branch (`yield* (c ? f(a) : g(b))`) branch by branch, and
   * `__drive(e)` for anything else (an Op, a plugin hook's generator). In mode
   * "lone": `f$lone(args)` for a derived kernel path, `__drive(e)` for anything
   * else, the hand-written primitives included.
   */
  function delegate(expr, mode) {
    const calleeOf = mode === "lone" ? loneCallee : twinCallee;
    const e = ts.skipParentheses(expr);
    const callee = calleeOf(e);
    if (callee) return twinCall(e, callee, mode);
    if (ts.isConditionalExpression(e) && (calleeOf(ts.skipParentheses(e.whenTrue)) || calleeOf(ts.skipParentheses(e.whenFalse))))
      return `(${render(e.condition, mode)} ? ${delegate(e.whenTrue, mode)} : ${delegate(e.whenFalse, mode)})`;
    return `__drive(${render(e, mode)})`;
  }

  /** Text of src[from, to) within `node`, with its child nodes rendered. */
  function children(node, mode, from = start(node), to = node.end) {
    let out = "";
    let pos = from;
    ts.forEachChild(node, (c) => {
      if (c.end <= pos) return;
      const s = start(c);
      if (s >= to) return;
      out += src.slice(pos, s) + render(c, mode);
      pos = c.end;
    });
    return out + src.slice(pos, to);
  }

  /**
   * Render a node. mode "orig": the code as written (generators stay generators);
   * mode "twin": inside a kernel path's twin, where `yield*` is rewritten.
   */
  function render(node, mode) {
    const ext = extras.get(node);
    if (ext) {
      const clause = ts.isImportDeclaration(node) ? node.importClause.namedBindings : node.exportClause;
      const brace = start(clause);
      return src.slice(start(node), brace) + `{ ${ext.join(", ")},` + src.slice(brace + 1, node.end);
    }
    if (ts.isYieldExpression(node) && (mode === "twin" || mode === "lone")) {
      if (!node.asteriskToken) throw new Error(`desync: ${file}:${lineOf(node)}: a kernel path may only delegate (yield*), not yield`);
      return delegate(node.expression, mode);
    }
    if (ts.isYieldExpression(node) && mode === "orig" && node.asteriskToken && hasLone(node.expression)) {
      // `yield* f(args)` → `(__LONE.on ? f$lone(args) : yield* f(args))`: a task left alone runs
      // the rest of its calls as lone variants (no generator per call; see the top of this file).
      usesLone = true;
      return `(__LONE.on ? ${delegate(node.expression, "lone")} : ${children(node, mode)})`;
    }
    if (ts.isYieldExpression(node) && mode === "step") {
      // `yield* f(args)` → `(yield f$step(args))`: the call's generator goes to the trampoline
      // (sched/trampoline.ts), which runs it on its own stack and resumes this one with its
      // return value (or throws its exception here). Anything else (an Op, a plugin hook's
      // generator) is delegated as written: its points pass through this one level.
      const e = node.asteriskToken ? ts.skipParentheses(node.expression) : null;
      const callee = e && stepCallee(e);
      if (callee) return `(yield ${twinCall(e, callee, mode)})`;
      return children(node, mode);
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "flat_path" && node.arguments.length === 1) {
      // flat_path(f(args)) → flat_path(f$step(args), true): the stepping variant, on a trampoline.
      const e = ts.skipParentheses(node.arguments[0]);
      const callee = stepCallee(e);
      if (callee) return `flat_path(${twinCall(e, callee, mode)}, true)`;
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "run_to_completion" && node.arguments.length === 1) {
      const e = ts.skipParentheses(node.arguments[0]);
      const callee = twinCallee(e);
      if (callee) return twinCall(e, callee, mode);
    }
    if (isKernelPathDecl(node) && node.parent !== sf) {
      // A nested kernel path: its generator as written, then its twin in the same scope.
      if (handWritten.has(node.name.text)) return children(node, "orig");
      const line = src.lastIndexOf("\n", start(node)) + 1;
      const indent = /^[ \t]*/.exec(src.slice(line))[0];
      return children(node, "orig") + "\n" + indent + twin(node).trim() + "\n" + indent + stepVariant(node).trim() + "\n" + indent + loneVariant(node).trim();
    }
    return children(node, isGeneratorFunction(node) ? "orig" : mode);
  }

  /**
   * A variant of a kernel path declaration: its parameters and body rendered in
   * `mode` (render's modes), declared as `function` + `star` named name + `suffix`.
   */
  function variant(node, mode, suffix, star) {
    twinCount++;
    const open = node.parameters.pos - 1;
    const close = ts.skipTrivia(src, node.parameters.end);
    if (src[open] !== "(" || src[close] !== ")") throw new Error(`desync: ${file}:${lineOf(node)}: cannot find the parameter list of ${node.name.text}`);
    const tp = node.typeParameters ? src.slice(node.typeParameters.pos - 1, ts.skipTrivia(src, node.typeParameters.end) + 1) : "";
    const params = children(node, mode, open, close + 1);
    const body = render(node.body, mode);
    return `\n${isExported(node) ? "export " : ""}function${star} ${node.name.text}${suffix}${tp}${params}: any ${body}\n`;
  }

  /** The twin of a kernel path declaration: a plain function, `$sync`. */
  const twin = (node) => variant(node, "twin", "$sync", "");

  /**
   * The stepping variant of a kernel path declaration: the same generator, its
   * calls of kernel paths yielded to the trampoline instead of delegated (see
   * render's "step" mode), so that a preemption point resumes one generator,
   * not one per caller on the stack.
   */
  const stepVariant = (node) => variant(node, "step", "$step", "*");

  /**
   * The lone variant of a kernel path declaration: a plain function, its calls of
   * kernel paths with a lone variant calls of those, every other delegation
   * driven (`__drive(e)`): a stepping task's Ops still reach their preemption
   * points, which the scheduler takes in place (render's "lone" mode).
   */
  const loneVariant = (node) => variant(node, "lone", "$lone", "");

  const code = children(sf, "orig", 0, src.length);
  let twins = "";
  for (const s of sf.statements) if (isKernelPathDecl(s) && !handWritten.has(s.name.text)) twins += twin(s);
  for (const s of sf.statements) if (isKernelPathDecl(s) && !handWritten.has(s.name.text)) twins += stepVariant(s);
  for (const s of sf.statements) if (isKernelPathDecl(s) && !handWritten.has(s.name.text)) twins += loneVariant(s);
  deps.delete(file);
  return { code: twinCount || usesLone ? code + MARK + DRIVE + LONE + twins : code, deps: [...deps] };
}

const isSource = (srcDir, file) => file.startsWith(srcDir) && file.endsWith(".ts") && !file.endsWith(".test.ts");

/** esbuild plugin (tsup): apply desync to the package's src/**.ts (not tests). */
export function desyncEsbuild(srcDir) {
  return {
    name: "mmsim-desync",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!isSource(srcDir, args.path)) return undefined;
        const { code, deps } = desyncWithDeps(readFileSync(args.path, "utf8"), args.path);
        return { contents: code, loader: "ts", watchFiles: deps };
      });
    },
  };
}

/** Vite plugin (vitest): the same transform on the TypeScript source, before esbuild. */
export function desyncVite(srcDir) {
  return {
    name: "mmsim-desync",
    enforce: "pre",
    transform(code, id) {
      const file = id.split("?")[0];
      if (!isSource(srcDir, file)) return null;
      const out = desyncWithDeps(code, file);
      // The output depends on the kernel paths the imported files declare: watch them.
      for (const d of out.deps) this.addWatchFile?.(d);
      return { code: out.code, map: null };
    },
  };
}

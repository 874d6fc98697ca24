/**
 * desync: derive a synchronous twin of every kernel path, mechanically, at build
 * time. Each `function* name(...): KPath<T>` gets a sibling `function name$sync(...)`
 * whose body is the same text with
 *   - `yield* f(args)`  → `f$sync(args)`   when f is a kernel path (here or imported),
 *   - `yield* expr`     → `__drive(expr)`  otherwise (a primitive Op or a plugin hook),
 * and anywhere in the file `run_to_completion(f(args))` → `f$sync(args)`.
 * Imports of kernel paths also import their twins. The source stays one copy; the
 * twin is what bulk runs execute (no generator objects), the generator is what the
 * deterministic scheduler steps. A differential test proves the two equivalent.
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";

const GEN_RE = /(export\s+)?function\*\s+([A-Za-z_$][\w$]*)\s*(<[^(]*>)?\s*\(/g;

const cache = new Map();

/** Names of the KPath generator functions a source file declares. */
export function kpathNames(src) {
  const names = new Set();
  for (const m of src.matchAll(GEN_RE)) {
    const start = m.index + m[0].length - 1;
    const close = matchParen(src, start);
    const after = src.slice(close + 1, close + 200);
    if (/^\s*:\s*KPath\b/.test(after)) names.add(m[2]);
  }
  // Primitives that declare their twin by hand-free helpers: `export const X$sync = ...`.
  for (const m of src.matchAll(/export\s+(?:const|function)\s+([A-Za-z_$][\w$]*?)\$sync\b/g)) names.add(m[1]);
  return names;
}

function kpathNamesOfFile(file) {
  if (cache.has(file)) return cache.get(file);
  const names = existsSync(file) ? kpathNames(readFileSync(file, "utf8")) : new Set();
  cache.set(file, names);
  return names;
}

/** Index of the bracket closing the one at `open` (skips strings, template literals and comments). */
export function matchParen(s, open) {
  const o = s[open];
  const c = o === "(" ? ")" : o === "{" ? "}" : o === "[" ? "]" : ">";
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"' || ch === "'" || ch === "`") {
      i = skipString(s, i);
      continue;
    }
    if (ch === "/" && s[i + 1] === "/") {
      i = s.indexOf("\n", i);
      if (i < 0) return s.length;
      continue;
    }
    if (ch === "/" && s[i + 1] === "*") {
      i = s.indexOf("*/", i + 2) + 1;
      continue;
    }
    if (ch === o) depth++;
    else if (ch === c && --depth === 0) return i;
  }
  throw new Error(`desync: unbalanced ${o} at ${open}`);
}

function skipString(s, i) {
  const q = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (q === "`" && s[j] === "$" && s[j + 1] === "{") j = matchParen(s, j + 1);
    else if (s[j] === q) return j;
  }
  return s.length;
}

/** End (exclusive) of the operand of `yield*` starting at i: a member chain with calls, or a parenthesised group. */
function operandEnd(s, i) {
  while (/\s/.test(s[i])) i++;
  if (s[i] === "(") return matchParen(s, i) + 1;
  for (;;) {
    const m = /^[A-Za-z_$][\w$]*/.exec(s.slice(i));
    if (!m) throw new Error(`desync: cannot parse yield* operand at ${i}: ${s.slice(i, i + 40)}`);
    i += m[0].length;
    while (s[i] === "(" || s[i] === "[" || (s[i] === "!" && s[i + 1] === ".")) {
      if (s[i] === "!") {
        i++;
        break;
      }
      i = matchParen(s, i) + 1;
    }
    if (s[i] === "." || (s[i] === "?" && s[i + 1] === ".")) {
      i += s[i] === "." ? 1 : 2;
      continue;
    }
    if (s[i] === "!" && s[i + 1] === ".") {
      i += 2;
      continue;
    }
    return i;
  }
}

/** Remove comments (strings and template literals kept intact). */
export function stripComments(s) {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"' || ch === "'" || ch === "`") {
      const e = skipString(s, i);
      out += s.slice(i, e + 1);
      i = e;
    } else if (ch === "/" && s[i + 1] === "/") {
      const e = s.indexOf("\n", i);
      i = (e < 0 ? s.length : e) - 1;
    } else if (ch === "/" && s[i + 1] === "*") {
      i = s.indexOf("*/", i + 2) + 1;
    } else out += ch;
  }
  return out;
}

function rewriteYields(body, gens) {
  let out = "";
  let i = 0;
  for (;;) {
    const j = body.indexOf("yield*", i);
    if (j < 0) return out + body.slice(i);
    out += body.slice(i, j);
    let k = j + 6;
    while (/\s/.test(body[k])) k++;
    const end = operandEnd(body, k);
    const operand = body.slice(k, end);
    const call = /^([A-Za-z_$][\w$]*)\s*\(/.exec(operand);
    if (call && gens.has(call[1]) && matchParen(operand, call[0].length - 1) === operand.length - 1) {
      out += `${call[1]}$sync(${rewriteYields(operand.slice(call[0].length, -1), gens)})`;
    } else {
      out += `__drive(${rewriteYields(operand, gens)})`;
    }
    i = end;
  }
}

/** Transform one TypeScript source file of a package that writes kernel paths. */
export function desync(src, file) {
  const local = kpathNames(src);
  const gens = new Set(local);
  const primitives = new Set([...src.matchAll(/export\s+(?:const|function)\s+([A-Za-z_$][\w$]*?)\$sync\b/g)].map((m) => m[1]));
  // Imports: `import { a, b as c } from "./x.js"`; add the twins of kernel paths.
  src = src.replace(/import\s*\{([^}]*)\}\s*from\s*"(\.[^"]+)\.js";/g, (whole, list, rel) => {
    if (/^\s*type\s/.test(whole.slice(6))) return whole;
    const target = resolve(dirname(file), rel + ".ts");
    const theirs = kpathNamesOfFile(target);
    const extra = [];
    for (const part of list.split(",")) {
      const p = part.trim();
      if (!p || p.startsWith("type ")) continue;
      const [name, alias] = p.split(/\s+as\s+/);
      if (theirs.has(name)) {
        extra.push(alias ? `${name}$sync as ${alias}$sync` : `${name}$sync`);
        gens.add(alias ?? name);
      }
    }
    return extra.length ? whole.replace("{", `{ ${extra.join(", ")},`) : whole;
  });
  // Re-exports: `export { a, b } from "./x.js"` carry the twins too.
  src = src.replace(/export\s*\{([^}]*)\}\s*from\s*"(\.[^"]+)\.js";/g, (whole, list, rel) => {
    const theirs = kpathNamesOfFile(resolve(dirname(file), rel + ".ts"));
    const extra = list
      .split(",")
      .map((x) => x.trim().split(/\s+as\s+/))
      .filter(([n]) => n && theirs.has(n))
      .map(([n, a]) => (a ? `${n}$sync as ${a}$sync` : `${n}$sync`));
    return extra.length ? whole.replace("{", `{ ${extra.join(", ")},`) : whole;
  });
  if (gens.size === 0 && !src.includes("run_to_completion(")) return src;

  // Twins of the local kernel paths, appended after the file.
  let twins = "";
  for (const m of src.matchAll(GEN_RE)) {
    const name = m[2];
    if (!local.has(name) || primitives.has(name)) continue;
    const paramsOpen = m.index + m[0].length - 1;
    const paramsClose = matchParen(src, paramsOpen);
    const bodyOpen = src.indexOf("{", paramsClose);
    const bodyClose = matchParen(src, bodyOpen);
    const params = src.slice(paramsOpen, paramsClose + 1);
    const body = rewriteYields(stripComments(src.slice(bodyOpen, bodyClose + 1)), gens);
    twins += `\n${m[1] ?? ""}function ${name}$sync${m[3] ?? ""}${params}: any ${body}\n`;
  }
  // run_to_completion(f(args)) → f$sync(args)
  src = fixRunToCompletion(src, gens);
  const drive =
    "\nfunction __drive(g: any): any { const r = g.next(); if (!r.done) throw new Error(`kernel path yielded in a bulk run at ${r.value.what}`); return r.value; }\n";
  return src + "\n/* ---- desync twins (generated at build time from the kernel paths above) ---- */" + drive + twins;
}

/** Rewrite `run_to_completion(f(a))` to `f$sync(a)`, removing the outer paren. */
function fixRunToCompletion(src, gens) {
  let out = "";
  let i = 0;
  for (;;) {
    const j = src.indexOf("run_to_completion(", i);
    if (j < 0) return out + src.slice(i);
    const open = j + "run_to_completion".length;
    const close = matchParen(src, open);
    const inner = src.slice(open + 1, close).trim();
    const m = /^([A-Za-z_$][\w$]*)\s*\(/.exec(inner);
    const prev = src.slice(Math.max(0, j - 9), j);
    if (m && gens.has(m[1]) && matchParen(inner, m[0].length - 1) === inner.length - 1 && !/function\s*$/.test(prev)) {
      out += src.slice(i, j) + `${m[1]}$sync(${inner.slice(m[0].length)}`;
    } else out += src.slice(i, close + 1);
    i = close + 1;
  }
}

/** esbuild plugin (tsup): apply desync to the package's src/**.ts (not tests). */
export function desyncEsbuild(srcDir) {
  return {
    name: "mmsim-desync",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(srcDir) || /\.test\.ts$/.test(args.path)) return undefined;
        return { contents: desync(readFileSync(args.path, "utf8"), args.path), loader: "ts" };
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
      if (!file.startsWith(srcDir) || !file.endsWith(".ts") || /\.test\.ts$/.test(file)) return null;
      return { code: desync(code, file), map: null };
    },
  };
}

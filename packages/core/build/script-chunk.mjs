/**
 * script-chunk: after tsup's ESM build, turn each shared ESM chunk of dist
 * (chunk-*.js) into a classic script that V8 can compile with its code cache
 * (build/code-cache.js says why: Node 20 caches no compiled ESM) and a small ESM
 * facade in its place, with the same file name and the same exports:
 *
 *   dist/chunk-X.script.js  `(function (__mmsim_import_0, ...) { "use strict"; <the chunk> })`
 *                           where each `import { a, b as c } from "m"` became
 *                           `var { a, b: c } = __mmsim_import_i;` and the final
 *                           `export { x, y as z }` became `return { x, z: y };`
 *   dist/chunk-X.js         imports each module the chunk imported (`import * as`),
 *                           calls runScriptChunk() (dist/code-cache.js) and
 *                           re-exports the names the script returns.
 *
 * The chunk's code is not changed otherwise, and keeps its line numbers (each
 * import is replaced by as many lines; the wrapper opens on line 1), so its source
 * map still applies (renamed chunk-X.script.js.map). Semantics: an ESM module
 * runs in strict mode with its imports evaluated first, as the script does
 * ("use strict", called after the facade's imports). The facade's exports are
 * constants, where an ESM export is a live binding: the transform refuses a
 * chunk that assigns to an exported binding, and a chunk with anything a function
 * body cannot hold (import.meta, import(), top-level await, `export` forms
 * other than the final list): such a chunk stays ESM, with a warning.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const IMPORT = "__mmsim_import_";

let mutant = null;
/** Set (or clear, null) the transform's mutant (tests only): "no-escape" has the loader read a non-ASCII script as latin1 unescaped. */
export function set_script_chunk_mutant(m) {
  mutant = m;
}

/**
 * The script and facade for the ESM chunk `src` (named `name`, e.g. chunk-X.js),
 * or `{ error }` saying why it cannot be made a script.
 */
export function scriptChunk(src, name) {
  const sf = ts.createSourceFile(name, src, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const specs = [];
  const edits = [];
  const facadeExtra = [];
  let exported = null;
  const slot = (spec) => {
    if (!specs.includes(spec)) specs.push(spec);
    return IMPORT + specs.indexOf(spec);
  };
  const sameLines = (node, text) => text + "\n".repeat(src.slice(node.getStart(), node.end).split("\n").length - 1);
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const v = slot(st.moduleSpecifier.text);
      const c = st.importClause;
      const decls = [];
      if (c?.isTypeOnly) return { error: "a type-only import" };
      if (c?.name) decls.push(`${c.name.text} = ${v}.default`);
      const b = c?.namedBindings;
      if (b && ts.isNamespaceImport(b)) decls.push(`${b.name.text} = ${v}`);
      else if (b) decls.push(`{ ${b.elements.map((e) => (e.propertyName ? `${JSON.stringify(e.propertyName.text)}: ${e.name.text}` : e.name.text)).join(", ")} } = ${v}`);
      edits.push([st.getStart(), st.end, sameLines(st, decls.length ? `var ${decls.join(", ")};` : "")]);
    } else if (ts.isExportDeclaration(st)) {
      if (st.isTypeOnly || !st.exportClause || !ts.isNamedExports(st.exportClause)) return { error: "an `export *` declaration" };
      if (st.moduleSpecifier) {
        // `export { a } from "m"`: the facade says it itself.
        facadeExtra.push(src.slice(st.getStart(), st.end));
        edits.push([st.getStart(), st.end, sameLines(st, "")]);
        continue;
      }
      if (exported !== null) return { error: "two export lists" };
      exported = st.exportClause.elements.map((e) => [(e.propertyName ?? e.name).text, e.name.text]);
      edits.push([st.getStart(), st.end, sameLines(st, `return { ${exported.map(([local, as]) => `${JSON.stringify(as)}: ${local}`).join(", ")} };`)]);
    } else if (ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      return { error: "an exported declaration" };
    } else if (ts.isExportAssignment(st)) {
      return { error: "an `export default`" };
    }
  }
  exported ??= [];
  const locals = new Set(exported.map(([local]) => local));
  let error = null;
  const visit = (n, inFunction) => {
    if (error) return;
    if (ts.isMetaProperty(n)) error = "import.meta";
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) error = "a dynamic import()";
    else if (!inFunction && (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier))) error = "a top-level await";
    else if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isIdentifier(n.left) &&
      locals.has(n.left.text)
    )
      error = `an assignment to the exported binding ${n.left.text}`;
    else if (
      (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
      (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) &&
      ts.isIdentifier(n.operand) &&
      locals.has(n.operand.text)
    )
      error = `an update of the exported binding ${n.operand.text}`;
    else ts.forEachChild(n, (c) => visit(c, inFunction || ts.isFunctionLike(n) || ts.isClassStaticBlockDeclaration(n)));
  };
  visit(sf, false);
  if (error) return { error };

  let body = src;
  for (const [start, end, text] of edits.sort((a, b) => b[0] - a[0])) body = body.slice(0, start) + text + body.slice(end);
  const mapUrl = /\n\/\/# sourceMappingURL=(\S+)\s*$/.exec(body);
  const scriptName = name.replace(/\.js$/, ".script.js");
  if (mapUrl) body = body.slice(0, mapUrl.index);
  const params = specs.map((_, i) => IMPORT + i);
  const wrapped = `(function (${params.join(", ")}) { "use strict"; ${body}\n})\n${mapUrl ? `//# sourceMappingURL=${scriptName}.map\n` : ""}`;
  const ascii = mutant === "no-escape" ? wrapped : asciiScript(wrapped);
  const script = ascii ?? wrapped;
  const encoding = ascii === null ? "utf8" : "latin1";
  const hash = createHash("sha256").update(script).digest("hex");
  const facade =
    [
      `// ${name}: the ESM face of ${scriptName}, compiled with V8's code cache (dist/code-cache.js; core's build/script-chunk.mjs).`,
      ...specs.map((s, i) => `import * as ${IMPORT}${i} from ${JSON.stringify(s)};`),
      `import { runScriptChunk } from "./code-cache.js";`,
      `const m = runScriptChunk(new URL(${JSON.stringify("./" + scriptName)}, import.meta.url), ${JSON.stringify(hash)}, [${params.join(", ")}], ${JSON.stringify(encoding)});`,
      ...(exported.length
        ? [
            `const { ${exported.map(([, as], i) => `${JSON.stringify(as)}: e${i}`).join(", ")} } = m;`,
            `export { ${exported.map(([, as], i) => `e${i} as ${/^[A-Za-z_$][\w$]*$/.test(as) ? as : JSON.stringify(as)}`).join(", ")} };`,
          ]
        : []),
      ...facadeExtra,
    ].join("\n") + "\n";
  return { script, scriptName, facade, hash };
}

/**
 * `script` with every non-ASCII character of its comments and string literals
 * written in ASCII (`\uXXXX`: the same string value; a comment's text does not
 * matter), or null when another token holds one (a template, a regular
 * expression, an identifier): the loader then reads the script as latin1, a
 * byte-for-byte copy, instead of decoding UTF-8 (core's 650 KB chunk, whose
 * only non-ASCII characters are a few `§` and `→` in comments: ~1.8 -> ~1.0 ms
 * of every run, `readFileSync` timed in a fresh process). Columns after an
 * escaped character move on its line; its source map maps the line still.
 */
export function asciiScript(script) {
  const at = [];
  for (const m of script.matchAll(/[^\x00-\x7f]/g)) at.push(m.index);
  if (at.length === 0) return script;
  const sf = ts.createSourceFile("script.js", script, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  /** Whether position p lies in a comment or a string literal (descending through the nodes and tokens that hold it). */
  const escapable = (p) => {
    let n = sf;
    for (;;) {
      if (n.kind >= ts.SyntaxKind.FirstJSDocNode && n.kind <= ts.SyntaxKind.LastJSDocNode) return true;
      const kids = n.getChildren(sf);
      // In a string, not right after a backslash: `"\§"` (an identity escape) escaped would be
      // `"\\u00a7"`, another string. Refused (the script stays UTF-8), whatever precedes the backslash.
      if (kids.length === 0) return n.kind === ts.SyntaxKind.StringLiteral && p >= n.getStart(sf) && script[p - 1] !== "\\";
      const c = kids.find((k) => k.pos <= p && p < k.end);
      if (c === undefined) return false;
      if (p < c.getStart(sf)) return [...(ts.getTrailingCommentRanges(script, c.pos) ?? []), ...(ts.getLeadingCommentRanges(script, c.pos) ?? [])].some((r) => r.pos <= p && p < r.end);
      n = c;
    }
  };
  if (!at.every(escapable)) return null;
  let out = "";
  let last = 0;
  for (const p of at) {
    out += script.slice(last, p) + "\\u" + script.charCodeAt(p).toString(16).padStart(4, "0");
    last = p + 1;
  }
  return out + script.slice(last);
}

/** Applies scriptChunk() to every ESM chunk of `dist` and installs dist/code-cache.js (tsup's onSuccess). */
export function scriptChunks(dist, warn = (m) => console.warn(m)) {
  copyFileSync(new URL("./code-cache.js", import.meta.url), join(dist, "code-cache.js"));
  for (const name of readdirSync(dist)) {
    if (!/^chunk-[A-Za-z0-9_-]+\.js$/.test(name)) continue;
    const file = join(dist, name);
    const r = scriptChunk(readFileSync(file, "utf8"), name);
    if (r.error) {
      warn(`script-chunk: ${name} stays an ES module (no code cache): it has ${r.error}`);
      continue;
    }
    writeFileSync(join(dist, r.scriptName), r.script);
    writeFileSync(file, r.facade);
    if (existsSync(file + ".map")) {
      const map = JSON.parse(readFileSync(file + ".map", "utf8"));
      map.file = r.scriptName;
      writeFileSync(join(dist, r.scriptName + ".map"), JSON.stringify(map));
      rmSync(file + ".map");
    }
  }
}

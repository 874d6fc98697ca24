// Unit tests of the generator → synchronous twin transform (build/desync.mjs).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { cacheStats, desync, desyncWithDeps, kpathNames } from "./desync.mjs";

const dir = mkdtempSync(join(tmpdir(), "desync-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let cases = 0;
/** Write the files (name → source) into a fresh directory; returns its path. */
function files(map) {
  const d = join(dir, `case${cases++}`);
  mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(map)) writeFileSync(join(d, name), text);
  return d;
}
const readFile = (p) => readFileSync(p, "utf8");

/** The appended twins (everything after the marker), or "" when there are none. */
const twins = (code) => (code.includes("desync twins") ? code.slice(code.indexOf("desync twins")) : "");
/** The source as written (before the marker). */
const head = (code) => (code.includes("desync twins") ? code.slice(0, code.indexOf("\n/* ---- desync twins")) : code);

/** Compile the output to JavaScript: it must be valid TypeScript syntax. */
function js(code) {
  const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  expect(out.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  return out.outputText;
}
/** Import the output as a module (no imports of its own). */
const load = (code) => import(`data:text/javascript,${encodeURIComponent(js(code))}`);

const PRELUDE = `type KPath<T = void> = Generator<unknown, T, undefined>;\n`;

describe("desync: what is rewritten", () => {
  it("leaves strings, template literals and comments containing yield* alone", () => {
    const src = `${PRELUDE}
export function* g(t: number): KPath<number> { return t + 1; }
export function* f(t: number): KPath<string> {
  const a = "yield* g(t)";
  const b = 'yield* g(t)';
  const c = \`yield* g(t) \${yield* g(t)} yield* \${"yield* g(t)"}\`;
  // yield* g(t) in a line comment
  /* yield* g(t) in a block comment */
  const re = /yield* g\\(t\\)/;
  return a + b + c + re.source;
}
`;
    const out = desync(src, join(dir, "strings.ts"));
    const tw = twins(out);
    expect(tw).toContain(`const a = "yield* g(t)";`);
    expect(tw).toContain(`const b = 'yield* g(t)';`);
    expect(tw).toContain("const c = `yield* g(t) ${g$sync(t)} yield* ${\"yield* g(t)\"}`;");
    expect(tw).toContain("// yield* g(t) in a line comment");
    expect(tw).toContain("/* yield* g(t) in a block comment */");
    expect(tw).toContain("const re = /yield* g\\(t\\)/;");
    // The generators are untouched but for the lone-run switch of their kernel-path calls.
    expect(head(out)).toBe(src.replace("${yield* g(t)}", "${(__LONE.on ? g$lone(t) : yield* g(t))}"));
    expect(tw).toContain("const c = `yield* g(t) ${g$lone(t)} yield* ${\"yield* g(t)\"}`;"); // the lone variant
    js(out);
  });

  it("twins behave as their generators, strings included", async () => {
    const src = `${PRELUDE}
export function* g(t: number): KPath<number> { return t + 1; }
export function* f(t: number): KPath<string> {
  const s = "yield* g(t)";
  return \`\${s}=\${yield* g(t)}\`;
}
`;
    const m = await load(desync(src, join(dir, "run.ts")));
    expect(m.f$sync(41)).toBe("yield* g(t)=42");
    expect(m.f(41).next()).toEqual({ done: true, value: "yield* g(t)=42" });
  });

  it("rewrites calls of local kernel paths to their twins, arguments included", () => {
    const src = `${PRELUDE}
function* leaf(t: number, x: number): KPath<number> { return t + x; }
export function* mid(t: number): KPath<number> {
  const a = yield* leaf(t, yield* leaf(t, 1));
  return a + (yield* leaf(t, 2));
}
`;
    const out = desync(src, join(dir, "local.ts"));
    expect(twins(out)).toContain("function leaf$sync(t: number, x: number): any { return t + x; }");
    expect(twins(out)).toContain("export function mid$sync(t: number): any {");
    expect(twins(out)).toContain("const a = leaf$sync(t, leaf$sync(t, 1));");
    expect(twins(out)).toContain("return a + (leaf$sync(t, 2));");
    expect(twins(out)).not.toContain("yield*");
    expect(twins(out)).not.toMatch(/\n\s*export function leaf\$sync/); // not exported: neither is leaf
  });

  it("rewrites other yield* to __drive(): Op primitives, hooks, member calls", () => {
    const src = `${PRELUDE}
declare const hooks: { h: ((t: number) => KPath<number>) | null };
declare function prim(t: number): Iterable<unknown>;
export function* f(t: number, o: { op: { set(): KPath<number> } }): KPath<number> {
  yield* prim(t);
  const v = yield* o.op.set();
  if (hooks.h !== null) yield* hooks.h!(t);
  return v;
}
`;
    const tw = twins(desync(src, join(dir, "drive.ts")));
    expect(tw).toContain("__drive(prim(t));");
    expect(tw).toContain("const v = __drive(o.op.set());");
    expect(tw).toContain("if (hooks.h !== null) __drive(hooks.h!(t));");
    expect(tw).toContain("function __drive(g: any): any");
  });

  it("a conditional delegation becomes a conditional call of the twins", () => {
    const src = `${PRELUDE}
function* a(t: number): KPath { t; }
declare function b(t: number): KPath;
export function* f(t: number, w: boolean): KPath {
  yield* (w ? a(t) : b(t));
}
`;
    const out = desync(src, join(dir, "cond.ts"));
    expect(twins(out)).toContain("(w ? a$sync(t) : __drive(b(t)));");
    expect(twins(out)).toContain("(w ? a$lone(t) : __drive(b(t)));");
    expect(head(out)).toContain("(__LONE.on ? (w ? a$lone(t) : __drive(b(t))) : yield* (w ? a(t) : b(t)));");
  });

  it("rewrites run_to_completion(f(args)) anywhere in the file, and nothing else", () => {
    const src = `${PRELUDE}
import { run_to_completion } from "./runner.js";
export function* f(t: number): KPath<number> { return t; }
declare function other(t: number): KPath<number>;
export const x = run_to_completion(f(1)) + run_to_completion(other(2));
export const s = "run_to_completion(f(1))";
`;
    const out = desync(src, join(dir, "rtc.ts"));
    expect(head(out)).toContain("export const x = f$sync(1) + run_to_completion(other(2));");
    expect(head(out)).toContain(`export const s = "run_to_completion(f(1))";`);
  });

  it("keeps generics of the signature and of the call", () => {
    const src = `${PRELUDE}
export function* id<T extends { a: Map<string, Array<T>> }, U = (x: T) => void>(t: T, u?: U): KPath<Array<T>> {
  return [t];
}
export function* f<T extends object>(t: T): KPath<T[]> {
  return yield* id<T & { a: Map<string, Array<T>> }>(t as never);
}
`;
    const out = desync(src, join(dir, "generic.ts"));
    expect(twins(out)).toContain("export function id$sync<T extends { a: Map<string, Array<T>> }, U = (x: T) => void>(t: T, u?: U): any {");
    expect(twins(out)).toContain("export function f$sync<T extends object>(t: T): any {");
    expect(twins(out)).toContain("return id$sync<T & { a: Map<string, Array<T>> }>(t as never);");
    js(out);
  });

  it("nested generators: a plain one stays a generator, a nested kernel path gets its twin beside it", async () => {
    const src = `${PRELUDE}
function* leaf(t: number): KPath<number> { return t * 10; }
export function* outer(t: number): KPath<number> {
  function* each(xs: number[]) { yield* xs; }
  function* inner(x: number): KPath<number> { return (yield* leaf(x)) + t; }
  let sum = 0;
  for (const x of each([1, 2])) sum += yield* inner(x);
  return sum;
}
`;
    const out = desync(src, join(dir, "nested.ts"));
    const tw = twins(out);
    expect(tw).toContain("function* each(xs: number[]) { yield* xs; }"); // untouched: not a kernel path
    expect(tw).toContain("function* inner(x: number): KPath<number> { return ((__LONE.on ? leaf$lone(x) : yield* leaf(x))) + t; }");
    expect(tw).toContain("function inner$sync(x: number): any { return (leaf$sync(x)) + t; }");
    expect(tw).toContain("sum += inner$sync(x);");
    expect(tw).not.toMatch(/^function inner\$sync/m); // not hoisted out of its scope
    expect(tw).toContain("function inner$lone(x: number): any { return (leaf$lone(x)) + t; }");
    const m = await load(out);
    expect(m.outer$sync(5)).toBe(10 + 5 + 20 + 5);
    expect(m.outer(5).next().value).toBe(40);
    expect(m.outer$lone(5)).toBe(40);
  });

  it("an object type in the return type is not taken for the body", async () => {
    const src = `${PRELUDE}
export function* f(t: number): KPath<{ pte: number; ptl: string } | null> {
  return t < 0 ? null : { pte: t, ptl: "l" };
}
`;
    const out = desync(src, join(dir, "rettype.ts"));
    expect(twins(out)).toContain("export function f$sync(t: number): any {\n  return t < 0 ? null : { pte: t, ptl: \"l\" };\n}");
    expect((await load(out)).f$sync(3)).toEqual({ pte: 3, ptl: "l" });
  });

  it("a plain yield in a kernel path is an error, not a broken twin", () => {
    const src = `${PRELUDE}export function* f(): KPath<number> { yield 1; return 2; }\n`;
    expect(() => desync(src, join(dir, "plain.ts"))).toThrow(/plain\.ts:2: a kernel path may only delegate/);
  });

  it("hand-written twins are kernel paths and get no derived twin; non-KPath generators get none", () => {
    const src = `${PRELUDE}
export function spin_lock(t: number): KPath { return (function* () { t; })(); }
export const spin_lock$sync = (t: number) => t;
export function* gen(): Generator<number> { yield 1; }
export function* f(t: number): KPath { yield* spin_lock(t); }
`;
    expect([...kpathNames(src)].sort()).toEqual(["f", "spin_lock"]);
    const tw = twins(desync(src, join(dir, "hand.ts")));
    expect(tw).toContain("export function f$sync(t: number): any { spin_lock$sync(t); }");
    expect(tw).not.toContain("function spin_lock$sync");
    expect(tw).not.toContain("gen$sync");
  });

  it("derives a stepping variant: calls of kernel paths yielded to the trampoline, other delegations kept", () => {
    const src = `${PRELUDE}
declare function prim(t: number): Iterable<unknown>;
declare const hooks: { h: ((t: number) => KPath<number>) | null };
function* leaf(t: number, x: number): KPath<number> { yield* prim(t); return t + x; }
export function* mid<T>(t: number): KPath<number> {
  const a = yield* leaf(t, yield* leaf(t, 1));
  if (hooks.h !== null) yield* hooks.h!(t);
  function* each(xs: number[]) { yield* xs; }
  function* inner(x: number): KPath<number> { return (yield* leaf(x, 0)) + t; }
  return a + (yield* leaf(t, 2)) + (yield* inner(3));
}
`;
    const tw = twins(desync(src, join(dir, "step.ts")));
    expect(tw).toContain("function* leaf$step(t: number, x: number): any { yield* prim(t); return t + x; }");
    expect(tw).not.toMatch(/\n\s*export function\* leaf\$step/); // not exported: neither is leaf
    expect(tw).toContain("export function* mid$step<T>(t: number): any {");
    expect(tw).toContain("const a = (yield leaf$step(t, (yield leaf$step(t, 1))));");
    expect(tw).toContain("if (hooks.h !== null) yield* hooks.h!(t);"); // a hook: delegated as written
    expect(tw).toContain("function* each(xs: number[]) { yield* xs; }"); // not a kernel path: untouched
    expect(tw).toContain("function* inner$step(x: number): any { return ((yield leaf$step(x, 0))) + t; }"); // beside inner, in scope
    expect(tw).toContain("return a + ((yield leaf$step(t, 2))) + ((yield inner$step(3)));");
    js(desync(src, join(dir, "step.ts")));
  });

  it("rewrites flat_path(f(args)) to the stepping variant on a trampoline, and nothing else", () => {
    const src = `${PRELUDE}
import { flat_path } from "./trampoline.js";
export function* f(t: number): KPath<number> { return t; }
declare function other(t: number): KPath<number>;
export const x = [flat_path(f(1)), flat_path(other(2))];
`;
    expect(head(desync(src, join(dir, "flat.ts")))).toContain("export const x = [flat_path(f$step(1), true), flat_path(other(2))];");
  });

  it("stepping variants on a trampoline behave as their generators: points, return values, exceptions, finally", async () => {
    const src = `${PRELUDE}
export const log: string[] = [];
function* point(what: string): Generator<unknown, void, undefined> { yield { kind: 1, what, obj: null }; } // an Op: delegated as written
function* leaf(x: number): KPath<number> {
  yield* point("leaf " + x);
  if (x === 2) throw new Error("two");
  return x * 10;
}
export function* top(): KPath<number> {
  let sum = 0;
  for (const x of [1, 2, 3]) {
    try { sum += yield* leaf(x); } catch (e) { yield* point("caught " + (e as Error).message); } finally { log.push("finally " + x); }
  }
  return sum;
}
`;
    const m = await load(desync(src, join(dir, "stepbehave.ts")));
    const { Trampoline } = await import("../src/sched/trampoline.ts");
    const drive = (it) => {
      const out = [];
      for (let r = it.next(); ; r = it.next()) {
        if (r.done) return [...out, "returned " + r.value];
        out.push(r.value.what);
      }
    };
    const nested = drive(m.top());
    const nestedLog = m.log.splice(0);
    expect(nested).toEqual(["leaf 1", "leaf 2", "caught two", "leaf 3", "returned 40"]);
    expect(drive(new Trampoline(m.top$step()))).toEqual(nested);
    expect(m.log).toEqual(nestedLog);
  });

  it("lone variants: plain functions that still drive every Op; the generators switch to them while the flag is on", async () => {
    const src = `${PRELUDE}
const points: string[] = [];
function prim(what: string): KPath<number> { return (function* () { points.push(what); yield { what }; return what.length; })(); }
function* leaf(x: number): KPath<number> { return (yield* prim("leaf")) + x; }
export function* f(x: number): KPath<number> { const a = yield* leaf(x); return a + (yield* prim("f")); }
export const log = points;
`;
    const out = desync(src, join(dir, "lone.ts"));
    expect(twins(out)).toContain("const a = leaf$lone(x); return a + (__drive(prim(\"f\")));");
    expect(out).toContain("((globalThis as any).__mmsim_lone ??= { on: false })");
    const m = await load(out);
    // The generator: two points yielded.
    const g = m.f(1);
    expect([g.next().value, g.next().value, g.next()]).toEqual([{ what: "leaf" }, { what: "f" }, { done: true, value: 6 }]);
    // With the flag on, a call from the generator runs the lone variant: its Ops are driven (the
    // test's prim yields, so __drive reports the point a real stepping task takes in place).
    globalThis.__mmsim_lone = globalThis.__mmsim_lone ?? { on: false };
    globalThis.__mmsim_lone.on = true;
    try {
      expect(() => m.f(1).next()).toThrow(/kernel path yielded in a bulk run at leaf/);
    } finally {
      globalThis.__mmsim_lone.on = false;
    }
    expect(m.log).toEqual(["leaf", "f", "leaf"]);
  });

  it("a file without kernel paths comes back unchanged", () => {
    const src = `export const s = "yield* f(x)"; // run_to_completion(f(x))\nexport function* g() { yield* [1]; }\n`;
    expect(desync(src, join(dir, "plain-file.ts"))).toBe(src);
  });
});

describe("desync: imports and exports", () => {
  const lib = `${PRELUDE}
export function* path(t: number): KPath<number> { return t; }
export const prim$sync = (t: number) => t;
export function prim(t: number): KPath<number> { return (function* () { return t; })(); }
export function helper(t: number): number { return t; }
`;

  it("imports the twins of imported kernel paths (aliases too) and rewrites their calls", () => {
    const d = files({
      "lib.ts": lib,
      "use.ts": `import { type KPath, path, prim as p, helper } from "./lib.js";
import type { path as typeOnly } from "./lib.js";
import * as ns from "./lib.js";
export function* f(t: number): KPath<number> {
  return (yield* path(t)) + (yield* p(t)) + (yield* ns.path(t)) + helper(t);
}
`,
    });
    const { code, deps } = desyncWithDeps(readFile(join(d, "use.ts")), join(d, "use.ts"));
    // The primitive (a hand-written twin) has no stepping variant: only path$step is imported.
    expect(code).toContain(`import { path$sync, path$step, path$lone, prim$sync as p$sync, type KPath, path, prim as p, helper } from "./lib.js";`);
    expect(code).toContain(`import type { path as typeOnly } from "./lib.js";`);
    expect(twins(code)).toContain("return (path$sync(t)) + (p$sync(t)) + (ns.path$sync(t)) + helper(t);");
    expect(twins(code)).toContain("return ((yield path$step(t))) + (yield* p(t)) + ((yield ns.path$step(t))) + helper(t);");
    // The lone variant drives the primitive's Op (its point is still passed), and the generator switches to it.
    expect(twins(code)).toContain("return (path$lone(t)) + (__drive(p(t))) + (ns.path$lone(t)) + helper(t);");
    expect(head(code)).toContain("return ((__LONE.on ? path$lone(t) : yield* path(t))) + (yield* p(t)) + ((__LONE.on ? ns.path$lone(t) : yield* ns.path(t))) + helper(t);");
    expect(deps).toEqual([join(d, "lib.ts")]);
  });

  it("re-exports carry the twins, following export * chains", () => {
    const d = files({
      "lib.ts": lib,
      "index.ts": `export * from "./lib.js";\nexport { path as renamed, helper } from "./lib.js";\n`,
      "use.ts": `import { path, renamed } from "./index.js";\nexport { path };\nexport function* f(t: number) : KPath { yield* renamed(t); }\ntype KPath = Generator<unknown, void, undefined>;\n`,
    });
    const index = desync(readFile(join(d, "index.ts")), join(d, "index.ts"));
    expect(index).toContain(`export { path$sync as renamed$sync, path$step as renamed$step, path$lone as renamed$lone, path as renamed, helper } from "./lib.js";`);
    const use = desync(readFile(join(d, "use.ts")), join(d, "use.ts"));
    expect(use).toContain(`import { path$sync, path$step, path$lone, renamed$sync, renamed$step, renamed$lone, path, renamed } from "./index.js";`);
    expect(use).toContain("export { path$sync, path$step, path$lone, path };");
    expect(twins(use)).toContain("renamed$lone(t);");
    expect(twins(use)).toContain("renamed$sync(t);");
    expect(twins(use)).toContain("(yield renamed$step(t));");
  });

  it("invalidates its cache when an imported file changes, even within one mtime tick", () => {
    const plain = `export function path(t: number): number { return t; }  \n`;
    const kpath = `export function* path(t: number): KPath<number> { return t; }\ntype KPath<T> = Generator<unknown, T, undefined>;\n`;
    const d = files({ "lib.ts": plain, "use.ts": `import { path } from "./lib.js";\nexport function* f(t: number): KPath<number> { return yield* path(t); }\ntype KPath<T> = Generator<unknown, T, undefined>;\n` });
    const use = join(d, "use.ts");
    const lib = join(d, "lib.ts");
    const before = desync(readFile(use), use);
    expect(twins(before)).toContain("return __drive(path(t));");

    // Unchanged: answered from the cache.
    const s0 = cacheStats();
    expect(desync(readFile(use), use)).toBe(before);
    const s1 = cacheStats();
    expect(s1.hits).toBe(s0.hits + 1);
    expect(s1.misses).toBe(s0.misses);

    // lib.ts now declares a kernel path; same mtime as before, so only the content tells.
    const { atime, mtime } = statSync(lib);
    writeFileSync(lib, kpath);
    utimesSync(lib, atime, mtime);
    const after = desync(readFile(use), use);
    expect(after).toContain(`import { path$sync, path$step, path$lone, path } from "./lib.js";`);
    expect(twins(after)).toContain("return path$sync(t);");
    expect(cacheStats().misses).toBe(s1.misses + 1);

    // And back.
    writeFileSync(lib, plain);
    expect(desync(readFile(use), use)).toBe(before);

    // A deleted file has no kernel paths.
    rmSync(lib);
    expect(desync(readFile(use), use)).toBe(before);
  });

  it("a plugin's calls of @mmsim/core/kernel use the API's $sync twins where it has them, __drive otherwise", () => {
    const src = `${PRELUDE}import { spin_trylock, spin_unlock, pmd_offset_map, type KPath as K } from "@mmsim/core/kernel";
import { other } from "@mmsim/other";
export function* f(t: any, l: any, p: number): KPath<boolean> {
  if (!(yield* spin_trylock(t, l))) return false;
  yield* pmd_offset_map(t, p, 0);
  yield* other(t);
  yield* spin_unlock(t, l);
  return true;
}
`;
    const file = join(files({}), "plugin.ts");
    const out = desync(src, file);
    js(out);
    // The API's primitives with a twin (core's src/plugin/kernel.ts): imported and called directly.
    expect(out).toContain(`import { spin_trylock$sync, spin_unlock$sync, spin_trylock, spin_unlock,`);
    expect(twins(out)).toContain("if (!(spin_trylock$sync(t, l))) return false;");
    expect(twins(out)).toContain("spin_unlock$sync(t, l);");
    // No twin in the API (pmd_offset_map), or another package: driven, as before.
    expect(twins(out)).toContain("__drive(pmd_offset_map(t, p, 0));");
    expect(twins(out)).toContain("__drive(other(t));");
    // Primitives get no stepping or lone variant: those still pass through the Op.
    expect(out).not.toContain("spin_trylock$step");
    expect(twins(out)).toContain("__drive(spin_trylock(t, l))");

    // The fallback (the API's source unknown: a copy of desync.mjs without core's src/): every call driven.
    const bare = desync(src, file, { packages: new Map() });
    js(bare);
    expect(bare).not.toContain("spin_trylock$sync");
    expect(twins(bare)).toContain("if (!(__drive(spin_trylock(t, l)))) return false;");
  });
});


/**
 * Core's layers run one way (issue #7, §4). This test reads the import
 * statements of every non-test source file under src/, builds the import graph
 * and requires that
 *   - no runtime imports go round in a circle (what the bundle evaluates);
 *   - no import, types included, goes from a lower layer to a higher one: a file
 *     imports its own layer and those below it, so a circle can only lie inside
 *     one layer, and then only through types (types/ declares structs that point
 *     at each other, as mm_types.h and sched.h do);
 *   - types/, the leaf, is declarations only, and Kernel does not import check/.
 *
 * The layers, lowest first, as the kernel stacks them (README.md, "Layers"):
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const LAYERS: readonly { name: string; files: RegExp; kernel: string }[] = [
  { name: "types", files: /^types\//, kernel: "include/linux/mm_types.h, sched.h: the structs every layer sees (with @mmsim/spec)" },
  { name: "sync", files: /^sync\//, kernel: "kernel/locking, kernel/rcu: spinlocks, rw-semaphores, RCU, atomics, percpu_ref" },
  { name: "sched", files: /^sched\//, kernel: "kernel/sched: tasks, preemption points, the runners and the explorer's schedules" },
  { name: "page", files: /^mm\/(page_alloc|free_runs|frame_words|folio|mm)\.ts$/, kernel: "mm/page_alloc.c, include/linux/mm.h: page frames, folios, the mm counters" },
  { name: "pgtable", files: /^pgtable\//, kernel: "include/linux/pgtable.h, mm/pgtable-generic.c: entries, tables, their allocation and mapping" },
  { name: "tlb", files: /^tlb\//, kernel: "mm/mmu_gather.c, arch/x86/mm/tlb.c: the mmu_gather, TLB flushes, the TLB and MMU model" },
  { name: "mm", files: /^mm\//, kernel: "mm/*.c: faults, zap, free_pgtables, mmap, mprotect, madvise, THP, rmap, shmem" },
  { name: "proc, plugin", files: /^(proc|plugin)\//, kernel: "fs/proc; the plugin API (@mmsim/core/kernel)" },
  { name: "kernel", files: /^kernel\.ts$/, kernel: "the machine: its memory, tables, RCU, TLBs, mms and tasks" },
  { name: "engine", files: /^engine\.ts$/, kernel: "processes and their syscalls (the user side)" },
  { name: "check, workload", files: /^(check|workload)\//, kernel: "sanitizers, invariants, the explorer; workload scripts" },
  { name: "index", files: /^index\.ts$/, kernel: "the package's root entry point" },
  { name: "test", files: /^test\//, kernel: "helpers for the tests" },
];

/** The layer a file (path relative to src/, with "/") belongs to: its index in LAYERS, or -1. */
function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.files.test(file));
}

interface Edge {
  from: string;
  to: string;
  /** Only types cross it (`import type`, `export type`, `import("...")` in a type): gone at runtime. */
  type: boolean;
  line: number;
}

/**
 * The relative imports of one file. An import is type-only when the statement
 * says so (`import type`, `export type`) or when it is an `import("...")` type;
 * `import { type A }` still loads the module under verbatimModuleSyntax.
 */
function importsOf(file: string, text: string): Edge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const edges: Edge[] = [];
  const add = (spec: ts.Expression | undefined, type: boolean, node: ts.Node) => {
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith(".")) return;
    const to = join(dirname(file), spec.text.replace(/\.js$/, ".ts")).split("\\").join("/");
    edges.push({ from: file, to, type, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false, node);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly, node);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal as ts.Expression, true, node);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** The source files under `dir` (relative paths), tests excluded, and their imports. */
function sourceGraph(dir: string): { files: string[]; edges: Edge[] } {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts")) files.push(relative(dir, p).split("\\").join("/"));
    }
  };
  walk(dir);
  files.sort();
  const edges = files.flatMap((f) => importsOf(f, readFileSync(resolve(dir, f), "utf8")));
  return { files, edges };
}

/** Strongly connected components of more than one file (or a file importing itself): the import circles. */
function cycles(files: readonly string[], edges: readonly Edge[]): string[][] {
  const out = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) out.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  let n = 0;
  const strong = (v: string) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of out.get(v) ?? []) {
      if (!out.has(w)) continue;
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || (out.get(v) ?? []).includes(v)) sccs.push(c.sort());
    }
  };
  for (const f of files) if (!index.has(f)) strong(f);
  return sccs;
}

/** Imports from a lower layer to a higher one. */
function upward(edges: readonly Edge[]): Edge[] {
  return edges.filter((e) => layerOf(e.from) < layerOf(e.to));
}

const fmt = (e: Edge) => `${e.from}:${e.line} → ${e.to} (${LAYERS[layerOf(e.from)]?.name} → ${LAYERS[layerOf(e.to)]?.name})`;

const SRC = fileURLToPath(new URL(".", import.meta.url));

describe("core's layers", () => {
  const { files, edges } = sourceGraph(SRC);
  const runtime = edges.filter((e) => !e.type);

  it("places every source file in a layer", () => {
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
    expect(edges.filter((e) => !files.includes(e.to)).map(fmt)).toEqual([]);
  });

  it("has no runtime import cycle", () => {
    expect(cycles(files, runtime)).toEqual([]);
  });

  it("has no runtime import from a lower layer to a higher one", () => {
    expect(upward(runtime).map(fmt)).toEqual([]);
  });

  it("has no import cycle across layers, types included", () => {
    // Type-only circles inside one layer are harmless (types/ declares structs that
    // point at each other, as mm_types.h and sched.h do); none may span two layers.
    expect(cycles(files, edges).filter((c) => new Set(c.map(layerOf)).size > 1)).toEqual([]);
  });

  it("has no import from a lower layer to a higher one, types included", () => {
    expect(upward(edges).map(fmt)).toEqual([]);
  });

  it("keeps types/ a header: declarations only, nothing at runtime", () => {
    const runtime = (f: string) =>
      ts
        .createSourceFile(f, readFileSync(resolve(SRC, f), "utf8"), ts.ScriptTarget.ES2022, true)
        .statements.filter((st) => !(ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || (ts.isImportDeclaration(st) && st.importClause?.isTypeOnly) || (ts.isExportDeclaration(st) && st.isTypeOnly)))
        .map((st) => `${f}: ${st.getText().split("\n")[0]}`);
    const leaf = files.filter((f) => layerOf(f) === 0);
    expect(leaf.length).toBeGreaterThan(0);
    expect(leaf.flatMap(runtime)).toEqual([]);
  });

  it("keeps Kernel free of check/ (the sanitizer is injected through an interface)", () => {
    expect(edges.filter((e) => e.from === "kernel.ts" && e.to.startsWith("check/")).map(fmt)).toEqual([]);
  });
});

describe("the layering checks themselves", () => {
  const at = (from: string, to: string, type = false): Edge => ({ from, to, type, line: 1 });

  it("tell runtime imports from type-only ones", () => {
    const src = [
      `import type { A } from "./a.js";`,
      `import { type B } from "./b.js";`,
      `import { C, type D } from "../c.js";`,
      `export type { E } from "./e.js";`,
      `export { F } from "./f.js";`,
      `export * from "./g.js";`,
      `import { H } from "@mmsim/spec";`,
      `let x: import("./i.js").I;`,
    ].join("\n");
    const got = importsOf("mm/x.ts", src).map((e) => [e.to, e.type]);
    expect(got).toEqual([
      ["mm/a.ts", true],
      ["mm/b.ts", false],
      ["c.ts", false],
      ["mm/e.ts", true],
      ["mm/f.ts", false],
      ["mm/g.ts", false],
      ["mm/i.ts", true],
    ]);
  });

  it("catch a circle through kernel.ts and an import from sync/ up to it (the mutant)", () => {
    const files = ["kernel.ts", "sched/task.ts", "sync/spinlock.ts"];
    const edges = [at("kernel.ts", "sched/task.ts"), at("sched/task.ts", "sync/spinlock.ts"), at("sync/spinlock.ts", "kernel.ts")];
    expect(cycles(files, edges)).toEqual([["kernel.ts", "sched/task.ts", "sync/spinlock.ts"]]);
    expect(upward(edges).map((e) => e.from)).toEqual(["sync/spinlock.ts"]);
    expect(cycles(files, edges.slice(0, 2))).toEqual([]);
  });

  it("order mm/'s page layer below page tables and the rest of mm/ above the TLB", () => {
    expect(layerOf("mm/page_alloc.ts")).toBeLessThan(layerOf("pgtable/store.ts"));
    expect(layerOf("mm/memory.ts")).toBeGreaterThan(layerOf("tlb/mmu_gather.ts"));
    expect(layerOf("sync/spinlock.ts")).toBeLessThan(layerOf("sched/task.ts"));
  });
});

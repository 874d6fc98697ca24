/**
 * The kit's measure of itself: which branches of a plugin's own source the kit's
 * checks executed, and which of its hooks never ran.
 *
 * V8's precise block coverage (node:inspector's Profiler, as NODE_V8_COVERAGE
 * and c8 use it) is taken after every check, so each figure is attributed to a
 * suite (races, differential, ...); the takes are merged per script with
 * @bcoe/v8-coverage (c8's merger: V8 reports only the blocks whose counts differ
 * from their parent's, so two takes differ in shape), and each block is mapped
 * back to the plugin's TypeScript source through the built file's source map.
 * Hooks are counted by wrapping the plugin's hook functions (same
 * generator-ness, same `this`).
 *
 * Branches: V8 reports a block (an arm of if/else, ?:, &&/||/??, a loop body,
 * the code after an early return, a function body) only where its count differs
 * from its parent's, so what a single run reports depends on that run. The kit's
 * branch set is therefore every block V8 reported in any take of the whole kit
 * (a function never compiled counts as one block), and a block is reached in a
 * group of checks when the innermost range around it in the group's merged
 * coverage has a count above zero. Each block is located in the plugin's source
 * through the source map (@jridgewell/trace-mapping, as v8-to-istanbul does);
 * blocks that map to no source line (bundler glue) are left out.
 *
 * Offsets are V8's, into the script as it ran; they are mapped through the
 * built file on disk, so the plugin must run as that file (plain Node, as
 * `mmsim conformance --coverage` runs it). A loader that rewrites modules
 * before running them (vitest, vite-node, tsx) shifts every offset: the kit
 * compares the source V8 ran with the file and refuses to measure when they
 * differ, rather than report blocks at the wrong lines. Functions compiled
 * before block coverage starts carry no block counters (V8 reports them whole),
 * so coverage starts before the kit first calls the plugin factory.
 */
import { RECLAIM_HOOKS, type ReclaimPlugin } from "@mmsim/core/kernel";
import { mergeScriptCovs } from "@bcoe/v8-coverage";
import type { Profiler } from "node:inspector";
import { Session } from "node:inspector/promises";
import { readFileSync, realpathSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import { LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { fileURLToPath } from "node:url";

/** core's mark of a process that collects block coverage (its build/code-cache.js: the same registered symbol). */
const BLOCK_COVERAGE = Symbol.for("mmsim.code-cache.block-coverage");
import { CHECKS, type CheckResult } from "./checks.js";
import { contextOf, type ConformanceOptions, type SuiteReport } from "./run.js";

export interface CoverageOptions extends ConformanceOptions {
  /**
   * The plugin's built files (absolute paths or file: URLs of its dist/*.js, or a
   * directory holding them): the scripts whose coverage counts. Their source maps
   * lead back to the plugin's own source.
   */
  files: readonly string[];
}

/** One block never reached: where it starts in the plugin's source. */
export interface UncoveredBranch {
  file: string;
  line: number;
}

export interface CoverageFigures {
  /** Blocks reached / in the kit's branch set (see the file comment). */
  branches: { covered: number; total: number };
  /** Source lines on which some block starts, and of those, lines where every block was reached. */
  lines: { covered: number; total: number };
  uncovered: UncoveredBranch[];
}

export interface CoverageReport {
  plugin: string;
  /** Source files measured (relative to the working directory when under it). */
  files: string[];
  /** Hooks the plugin defines, with how often each ran over the whole kit. */
  hooks: { name: string; calls: number }[];
  /** Coverage of the plugin's source per suite, and for the race scenarios and the fuzz together, and the whole kit. */
  by: Record<string, CoverageFigures>;
  /** Every check's verdict, per suite, as checkPlugin() reports them (coverage is only meaningful if they passed). */
  reports: SuiteReport[];
}

/** The plugin with each hook wrapped to count its calls. */
export function countingHooks(p: ReclaimPlugin, calls: Map<string, number>): ReclaimPlugin {
  const w = Object.create(p) as Record<string, unknown>;
  for (const name of RECLAIM_HOOKS) {
    const f = (p as unknown as Record<string, unknown>)[name];
    if (typeof f !== "function") continue;
    if (!calls.has(name)) calls.set(name, 0);
    const bump = () => calls.set(name, calls.get(name)! + 1);
    w[name] =
      f.constructor.name === "GeneratorFunction"
        ? function* (...args: unknown[]) {
            bump();
            return yield* (f as (...a: unknown[]) => Generator).apply(p, args);
          }
        : (...args: unknown[]) => {
            bump();
            return (f as (...a: unknown[]) => unknown).apply(p, args);
          };
  }
  return w as unknown as ReclaimPlugin;
}

interface Block {
  start: number;
  end: number;
}

/** Every block V8 reported for a script in any take (not the script's top-level function itself). */
function blocksOf(takes: readonly Profiler.ScriptCoverage[]): Block[] {
  const seen = new Map<string, Block>();
  for (const sc of takes)
    for (const f of sc.functions)
      for (const [i, r] of f.ranges.entries()) {
        if (i === 0 && f.functionName === "" && r.startOffset === 0) continue; // the module itself
        seen.set(`${r.startOffset}:${r.endOffset}`, { start: r.startOffset, end: r.endOffset });
      }
  return [...seen.values()].sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The count V8 gives block b in `cov`: the innermost range that contains it. */
function countOf(cov: Profiler.ScriptCoverage | undefined, b: Block): number {
  if (!cov) return 0;
  let best: Profiler.CoverageRange | null = null;
  for (const f of cov.functions)
    for (const r of f.ranges)
      if (r.startOffset <= b.start && r.endOffset >= b.end && (!best || r.endOffset - r.startOffset <= best.endOffset - best.startOffset)) best = r;
  return best ? best.count : 0;
}

/** Maps offsets of a built file to its original source (file, line) through the file's source map. */
class SourceLocator {
  private readonly lineStarts: number[] = [0];
  private readonly map: TraceMap | null;
  readonly text: string;
  constructor(private readonly path: string) {
    const text = (this.text = readFileSync(path, "utf8"));
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text);
    this.map = m && !m[1].startsWith("data:") ? new TraceMap(readFileSync(resolvePath(dirname(path), m[1]), "utf8"), resolvePath(dirname(path), m[1])) : null;
  }
  at(offset: number): { file: string; line: number } | null {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    // No source map: the file is its own source (a plugin written in JavaScript, as examples/third-party-plugin).
    if (!this.map) return { file: this.path, line: lo + 1 };
    const at = { line: lo + 1, column: offset - this.lineStarts[lo] };
    let p = originalPositionFor(this.map, at);
    if (p.source === null) p = originalPositionFor(this.map, { ...at, bias: LEAST_UPPER_BOUND });
    if (p.source === null || p.line === null) return null;
    const file = p.source.startsWith("file:") ? fileURLToPath(p.source) : p.source;
    return file.includes("/node_modules/") ? null : { file, line: p.line };
  }
}

function rel(f: string, cwd: string): string {
  return f.startsWith(cwd + "/") ? f.slice(cwd.length + 1) : f;
}

/** Runs every applicable check under V8 coverage and reports the plugin's branches and hooks reached. */
export async function measureCoverage(o: CoverageOptions, onCheck?: (suite: string, name: string, r: CheckResult) => void, cwd = process.cwd()): Promise<CoverageReport> {
  const wanted = new Set(o.files.map((f) => realpathSync(f.startsWith("file:") ? fileURLToPath(f) : f)));
  const isPluginScript = (url: string): string | null => {
    if (!url.startsWith("file:")) return null;
    let path: string;
    try {
      path = realpathSync(fileURLToPath(url));
    } catch {
      return null;
    }
    // A plugin package's directory holds its dependencies too: node_modules below it is not the plugin's own code.
    for (const w of wanted) if (path === w || (path.startsWith(w + "/") && !path.slice(w.length).includes("/node_modules/"))) return path;
    return null;
  };
  const calls = new Map<string, number>();
  const base = contextOf(o);
  const ctx = { ...base, plugin: () => countingHooks(base.plugin(), calls) };
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  // From here V8 compiles every function with block counters: core's code cache must not be
  // written from this process, or every later run of the build would run instrumented
  // bytecode (@mmsim/core's build/code-cache.js, BLOCK_COVERAGE: ~1.5-2x slower phases).
  (globalThis as Record<symbol, unknown>)[BLOCK_COVERAGE] = true;
  await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  await session.post("Debugger.enable");
  const probe = base.plugin();
  /** Raw V8 coverage of each plugin script, per group (suite, "races + fuzz", "all"). */
  const takes = new Map<string, Map<string, Profiler.ScriptCoverage[]>>();
  const keep = (group: string, path: string, sc: Profiler.ScriptCoverage) => {
    let g = takes.get(group);
    if (!g) takes.set(group, (g = new Map()));
    let l = g.get(path);
    if (!l) g.set(path, (l = []));
    l.push(sc);
  };
  const suites = new Map<string, SuiteReport>();
  const locators = new Map<string, SourceLocator>();
  /** Reads a plugin file with its source map the first time V8 reports it, after checking that V8 ran that very text. */
  const locate = async (path: string, sc: Profiler.ScriptCoverage): Promise<void> => {
    if (locators.has(path)) return;
    const loc = new SourceLocator(path);
    const { scriptSource } = await session.post("Debugger.getScriptSource", { scriptId: sc.scriptId });
    if (scriptSource !== loc.text)
      throw new Error(
        `coverage: ${rel(path, cwd)} ran as rewritten code (a loader such as vitest, vite-node or tsx transformed it), so V8's offsets do not point into the built file; measure under plain Node (mmsim conformance --coverage)`,
      );
    locators.set(path, loc);
  };
  try {
    // Reset (count from here), and read each plugin file with its source map now, as
    // loaded: a rebuild while the kit runs must not shift the offsets.
    for (const sc of (await session.post("Profiler.takePreciseCoverage")).result) {
      const path = isPluginScript(sc.url);
      if (path) await locate(path, sc);
    }
    for (const c of CHECKS) {
      if (!c.applies(probe)) continue;
      const t0 = performance.now();
      const result = c.run(ctx);
      const ms = performance.now() - t0;
      let sr = suites.get(c.suite);
      if (!sr) suites.set(c.suite, (sr = { suite: c.suite, checks: [] }));
      sr.checks.push({ name: c.name, result, ms });
      onCheck?.(c.suite, c.name, result);
      const { result: scripts } = await session.post("Profiler.takePreciseCoverage");
      for (const sc of scripts) {
        const path = isPluginScript(sc.url);
        if (!path) continue;
        await locate(path, sc);
        for (const group of [c.suite, "all", ...(c.suite === "races" || c.suite === "differential" ? ["races + fuzz"] : [])]) keep(group, path, sc);
      }
    }
  } finally {
    await session.post("Debugger.disable").catch(() => undefined);
    await session.post("Profiler.stopPreciseCoverage").catch(() => undefined);
    session.disconnect();
  }
  const by: Record<string, CoverageFigures> = {};
  const every = takes.get("all") ?? new Map<string, Profiler.ScriptCoverage[]>();
  const located = new Map<string, { block: Block; where: { file: string; line: number } }[]>();
  for (const [path, covs] of every) {
    const loc = locators.get(path)!;
    const list: { block: Block; where: { file: string; line: number } }[] = [];
    for (const block of blocksOf(covs)) {
      const where = loc.at(block.start);
      if (where) list.push({ block, where });
    }
    located.set(path, list);
  }
  const files = new Set<string>();
  for (const list of located.values()) for (const { where } of list) files.add(rel(where.file, cwd));
  for (const [group, scripts] of takes) {
    const f: CoverageFigures = { branches: { covered: 0, total: 0 }, lines: { covered: 0, total: 0 }, uncovered: [] };
    const lines = new Map<string, boolean>();
    for (const [path, list] of located) {
      const covs = scripts.get(path);
      const merged = covs ? mergeScriptCovs(covs) : undefined;
      for (const { block, where } of list) {
        const reached = countOf(merged, block) > 0;
        const key = `${where.file}:${where.line}`;
        lines.set(key, (lines.get(key) ?? true) && reached);
        f.branches.total++;
        if (reached) f.branches.covered++;
        else f.uncovered.push({ file: rel(where.file, cwd), line: where.line });
      }
    }
    f.lines = { covered: [...lines.values()].filter(Boolean).length, total: lines.size };
    f.uncovered.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    by[group] = f;
  }
  return {
    plugin: probe.name,
    files: [...files].sort(),
    hooks: [...calls].map(([name, n]) => ({ name, calls: n })),
    by,
    reports: [...suites.values()],
  };
}

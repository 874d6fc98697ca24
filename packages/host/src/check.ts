/**
 * checkHost(): the real kernel as referee. Runs each script on the simulator
 * (x86_64, the given reclaim plugin) and on the host (runOnHost) and compares
 * the outputs line by line (compare.ts). The result is structured; format.ts
 * gives its text.
 */
import { x86_64 } from "@mmsim/arch-x86_64";
import { Engine, type ReclaimPlugin } from "@mmsim/core";
import { runScript, type Script } from "@mmsim/core/workload";
import { compareLines, DEFAULT_RSS_TOLERANCE_KB, type CompareOptions, type LineComparison } from "./compare.js";
import { runOnHost, type HostRunOptions, type HostRunResult } from "./run.js";
import { runOnHostStreaming } from "./stream.js";

export interface ScriptComparison {
  name: string;
  ok: boolean;
  lines: LineComparison[];
  /** Set when a side could not run at all (the comparison is then a failure). */
  error?: string;
}

/** What checkHost() found; formatReport() gives its text. */
export interface CheckReport {
  ok: boolean;
  reclaim: string | null;
  rssToleranceKb: number;
  scripts: ScriptComparison[];
}

/** The simulator's lines for `script` on x86_64 with `reclaim`. */
export function simulate(script: Script, reclaim: ReclaimPlugin | null = null): string[] {
  const engine = new Engine({ arch: x86_64(), reclaim });
  return runScript(script, engine.spawn()).lines;
}

export interface CheckOptions extends CompareOptions {
  /**
   * The simulator's reclaim plugin (null: none), or a factory called once per
   * script so that no plugin state crosses scripts (as with one kernel boot
   * per program). A kernel with CONFIG_PT_RECLAIM=y matches ptReclaim().
   */
  reclaim?: ReclaimPlugin | null | (() => ReclaimPlugin | null);
  /** Options for the host runs. */
  host?: HostRunOptions;
  /** Runs a script on the host (default runOnHost); injectable for tests. */
  runHost?: (script: Script) => HostRunResult;
  /** Runs a script on the simulator (default simulate(script, reclaim)); injectable for tests. */
  runSim?: (script: Script) => string[];
}

/** What one script gave on each side, compared (the shared half of checkHost and checkHostStreaming). */
function compareScript(script: Script, runSim: (s: Script) => string[], host: () => string[], rssToleranceKb: number): ScriptComparison {
  let sim: string[];
  let hostLines: string[];
  try {
    sim = runSim(script);
  } catch (e) {
    return { name: script.file, ok: false, lines: [], error: `simulator: ${(e as Error).message}` };
  }
  try {
    hostLines = host();
  } catch (e) {
    if ((e as Error).name === "HostUnavailableError") throw e;
    return { name: script.file, ok: false, lines: [], error: `host: ${(e as Error).message}` };
  }
  const lines = compareLines(sim, hostLines, { rssToleranceKb });
  return { name: script.file, ok: lines.every((l) => l.ok), lines };
}

function sides(opts: CheckOptions) {
  const tol: unknown = opts.rssToleranceKb;
  if (tol !== undefined && !(typeof tol === "number" && Number.isFinite(tol) && tol >= 0))
    throw new RangeError(`checkHost(): rssToleranceKb ${typeof tol === "string" ? JSON.stringify(tol) : String(tol)} is not a tolerance in kB (a finite number >= 0)`);
  const make = typeof opts.reclaim === "function" ? opts.reclaim : () => (opts.reclaim as ReclaimPlugin | null | undefined) ?? null;
  return {
    reclaimName: make()?.name ?? null,
    runSim: opts.runSim ?? ((s: Script) => simulate(s, make())),
    rssToleranceKb: opts.rssToleranceKb ?? DEFAULT_RSS_TOLERANCE_KB,
  };
}

/**
 * Runs every script both ways and compares. A script that cannot run on one
 * side (bad operand, helper failure) is reported as failed with the reason; a
 * missing compiler or non-Linux platform (HostUnavailableError) is thrown. formatReport(result) is the text
 * `mmsim check-host` prints.
 */
export function checkHost(scripts: readonly Script[], opts: CheckOptions = {}): CheckReport {
  const { reclaimName, runSim, rssToleranceKb } = sides(opts);
  const runHost = opts.runHost ?? ((s: Script) => runOnHost(s, opts.host));
  const results = scripts.map((script) => compareScript(script, runSim, () => runHost(script).lines, rssToleranceKb));
  return { ok: results.every((s) => s.ok), reclaim: reclaimName, rssToleranceKb, scripts: results };
}

/**
 * checkHost() with the host side streamed (runOnHostStreaming: a huge `repeat`
 * is never unrolled; the simulator's runScript() streams already). The same
 * report; `mmsim check-host` uses it.
 */
export async function checkHostStreaming(scripts: readonly Script[], opts: Omit<CheckOptions, "runHost"> = {}): Promise<CheckReport> {
  const { reclaimName, runSim, rssToleranceKb } = sides(opts);
  const results: ScriptComparison[] = [];
  for (const script of scripts) {
    let host: HostRunResult | Error;
    try {
      host = await runOnHostStreaming(script, opts.host);
    } catch (e) {
      host = e as Error;
    }
    results.push(
      compareScript(script, runSim, () => {
        if (host instanceof Error) throw host;
        return host.lines;
      }, rssToleranceKb),
    );
  }
  return { ok: results.every((s) => s.ok), reclaim: reclaimName, rssToleranceKb, scripts: results };
}

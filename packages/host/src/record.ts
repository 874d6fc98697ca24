/**
 * Recording the corpus on the real kernel (driven by scripts/record-corpus.mjs):
 * every `NAME.wl` runs on the host twice; if the two runs agree exactly (the
 * helper's noise check), `NAME.expected` is written with a header recording the
 * kernel release (uname -r), the date, THP mode and CONFIG_PT_RECLAIM.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { machine, release } from "node:os";
import { join } from "node:path";
import { parseScript } from "@mmsim/core/workload";
import { compareLines } from "./compare.js";
import { defaultCorpusDir, formatExpected, listScenarios } from "./corpus.js";
import { kernelHasPtReclaim, thpMode } from "./kernel.js";
import { PROTOCOL_VERSION } from "./protocol.js";
import { runOnHost, type HostRunOptions } from "./run.js";

export interface RecordOptions {
  dir?: string;
  /** Only these scenarios (default all). */
  only?: readonly string[];
  /** Host runs per scenario that must agree (default 2). */
  runs?: number;
  host?: HostRunOptions;
  log?: (s: string) => void;
}

export interface RecordResult {
  recorded: string[];
  /** Scenarios whose runs disagreed (not written), with the differing lines. */
  unstable: { name: string; diff: string[] }[];
  failed: { name: string; error: string }[];
}

export function recordHeader(date = new Date()): string {
  const pt = kernelHasPtReclaim();
  return [
    `recorded by packages/host/scripts/record-corpus.mjs: Linux ${release()} ${machine()}`,
    date.toISOString().slice(0, 10),
    `THP ${thpMode()}`,
    `CONFIG_PT_RECLAIM=${pt === null ? "?" : pt ? "y" : "n"}`,
    `helper protocol ${PROTOCOL_VERSION}`,
  ].join(", ");
}

export function recordCorpus(opts: RecordOptions = {}): RecordResult {
  const dir = opts.dir ?? defaultCorpusDir();
  const runs = opts.runs ?? 2;
  const log = opts.log ?? (() => {});
  const header = recordHeader();
  const names = opts.only && opts.only.length > 0 ? [...opts.only] : listScenarios(dir);
  const result: RecordResult = { recorded: [], unstable: [], failed: [] };
  for (const name of names) {
    const file = join(dir, `${name}.wl`);
    let outputs: string[][];
    const t0 = Date.now();
    try {
      const script = parseScript(readFileSync(file, "utf8"), `${name}.wl`);
      outputs = Array.from({ length: runs }, () => runOnHost(script, opts.host).lines);
    } catch (e) {
      result.failed.push({ name, error: (e as Error).message });
      log(`FAIL     ${name}: ${(e as Error).message}`);
      continue;
    }
    const ms = Math.round((Date.now() - t0) / runs);
    const diff = outputs.slice(1).flatMap((o, i) =>
      compareLines(outputs[0], o, { rssToleranceKb: 0 })
        .filter((l) => !l.ok)
        .map((l) => `run 1: ${l.sim ?? "(nothing)"} | run ${i + 2}: ${l.host ?? "(nothing)"}`),
    );
    if (diff.length > 0) {
      result.unstable.push({ name, diff });
      log(`UNSTABLE ${name}:\n  ${diff.join("\n  ")}`);
      continue;
    }
    writeFileSync(join(dir, `${name}.expected`), formatExpected(header, outputs[0]));
    result.recorded.push(name);
    log(`recorded ${name} (${outputs[0].length} lines, ${ms} ms per run)`);
  }
  return result;
}

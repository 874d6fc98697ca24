/**
 * The scenario corpus (packages/host/corpus): `NAME.wl` scripts, their kernel
 * recordings `NAME.expected` (written by scripts/record-corpus.mjs) and
 * `known-gaps.json` (scenarios the simulator does not match yet, with why).
 *
 * A `.expected` file: comment lines starting with `#` (the first records the
 * kernel and date), then the host's output lines, one per line.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageDir } from "./paths.js";

/** The corpus of this repository, packages/host/corpus (not in the npm package). */
export function defaultCorpusDir(): string {
  return join(packageDir(), "corpus");
}

/** Scenario names (file names without `.wl`), sorted. */
export function listScenarios(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".wl"))
    .map((f) => f.slice(0, -3))
    .sort();
}

export interface Expected {
  /** The `#` lines, without the `#` and one following space. */
  comments: string[];
  /** The output lines. */
  lines: string[];
}

export function parseExpected(text: string): Expected {
  const comments: string[] = [];
  const lines: string[] = [];
  for (const l of text.split("\n")) {
    if (l.startsWith("#")) comments.push(l.replace(/^# ?/, ""));
    else if (l.trim() !== "") lines.push(l);
  }
  return { comments, lines };
}

export function formatExpected(header: string, lines: readonly string[]): string {
  return [`# ${header}`, ...lines, ""].join("\n");
}

/** known-gaps.json: { "<scenario>": "<why the simulator does not match yet>" }. */
export function loadKnownGaps(dir: string): Record<string, string> {
  const p = join(dir, "known-gaps.json");
  if (!existsSync(p)) return {};
  const data: unknown = JSON.parse(readFileSync(p, "utf8"));
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new Error(`${p}: expected an object of scenario -> reason`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (k.startsWith("$")) continue; // "$comment" and the like
    if (typeof v !== "string" || v.trim() === "") throw new Error(`${p}: the reason for '${k}' must be a non-empty string`);
    out[k] = v;
  }
  return out;
}

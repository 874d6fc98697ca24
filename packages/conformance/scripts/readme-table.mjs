/**
 * What the README table generators (verdicts.mjs, kit-verdicts.mjs) share: the
 * CLI they run, their options, replacing a table between the README's markers,
 * and pasting every replay line back into the CLI.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const CLI = join(root, "packages/cli/dist/mmsim.js");
const README = join(root, "packages/conformance/README.md");

/** The value after `--name` in the command line, or `dflt`. */
export function option(name, dflt) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}

export const flag = (name) => process.argv.slice(2).includes(name);

/**
 * Run the CLI. A build running in the same checkout can remove a dist file for a
 * moment (ERR_MODULE_NOT_FOUND): wait and run again.
 */
export function cli(argv) {
  for (let tries = 0; ; tries++) {
    const r = spawnSync(process.execPath, argv, { cwd: root, encoding: "utf8", maxBuffer: 256 << 20 });
    if (!/ERR_MODULE_NOT_FOUND|Failed to resolve entry/.test(r.stderr) || tries === 10) return r;
    execFileSync("sleep", ["15"]);
  }
}

/** The bundled plugins, in the registry's order (`mmsim list --json`), without `none` and the deprecated alias. */
export function bundledDesigns() {
  const list = JSON.parse(cli([CLI, "list", "--json"]).stdout);
  return list.plugins.map((p) => (typeof p === "string" ? p : p.name)).filter((n) => n !== "none" && n !== "freept");
}

/** Replaces what lies between `begin` and `end` in the conformance README with `table`. */
export function writeBetweenMarkers(begin, end, table) {
  const readme = readFileSync(README, "utf8");
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${relative(root, README)}: no markers ${begin} … ${end}`);
  writeFileSync(README, readme.slice(0, a + begin.length) + "\n" + table + "\n" + readme.slice(b));
}

/**
 * Pastes every numbered replay line of `table` (`n. \`mmsim …\``) back into the
 * CLI; a line is good when the rule it breaks is the one the cell citing [n]
 * names (`**rule** [n]`). Returns how many are not.
 */
export function checkReplays(table) {
  let bad = 0;
  for (const m of table.matchAll(/^(\d+)\. `mmsim (.*)`$/gm)) {
    const argv = m[2].match(/'[^']*'|\S+/g).map((w) => w.replace(/^'(.*)'$/, "$1"));
    const r = cli([CLI, ...argv]);
    const expected = new RegExp(`\\*\\*([^*]+)\\*\\* \\[${m[1]}\\]`).exec(table)?.[1];
    const rule = /\nVIOLATION: (.*)\n/.exec(r.stdout)?.[1];
    const ok = rule !== undefined && rule === expected;
    process.stderr.write(`check: ${ok ? "ok " : "BAD"} mmsim ${m[2]}${ok ? "" : ` -> ${rule ?? `exit ${r.status}`}, expected ${expected}`}\n`);
    if (!ok) bad++;
  }
  return bad;
}

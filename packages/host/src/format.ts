/** The text form of check results: a readable diff per script and a summary line (what `mmsim check-host` prints). */
import type { CheckReport, ScriptComparison } from "./check.js";

/** A readable diff: every line of a mismatching script, mismatches marked, with both values. */
export function formatComparison(c: ScriptComparison, sideNames: [string, string] = ["sim", "host"]): string {
  const [sn, hn] = sideNames;
  const bad = c.lines.filter((l) => !l.ok).length;
  const head = c.error
    ? `FAIL ${c.name}: ${c.error}`
    : c.ok
      ? `ok   ${c.name} (${c.lines.length} lines)`
      : `FAIL ${c.name}: ${bad} of ${c.lines.length} lines differ`;
  if (c.ok) return head;
  const notes = (c.notes ?? []).map((n) => `  note: ${n}`);
  if (c.error) return [head, ...notes].join("\n");
  const w = Math.max(sn.length, hn.length);
  const body = c.lines.map((l) => {
    if (l.ok) return `    ${l.sim}`;
    const what =
      l.kind === "missing-in-host"
        ? `only ${sn}`
        : l.kind === "missing-in-sim"
          ? `only ${hn}`
          : l.fields
            ? l.fields
                .filter((f) => !f.ok)
                .map((f) => `${f.field} ${sn}=${f.sim} ${hn}=${f.host}`)
                .join(", ") || "label differs"
            : "differs";
    return [`  ! ${what}`, `      ${sn.padEnd(w)}: ${l.sim ?? "(nothing)"}`, `      ${hn.padEnd(w)}: ${l.host ?? "(nothing)"}`].join("\n");
  });
  return [head, ...body, ...notes].join("\n");
}

/** Every script's comparison, then `N of M scripts match (simulator reclaim: ..., dVmRSS tolerance ... kB)`. */
export function formatReport(r: CheckReport): string {
  const failed = r.scripts.filter((s) => !s.ok).length;
  const summary = `${r.scripts.length - failed} of ${r.scripts.length} scripts match (simulator reclaim: ${r.reclaim ?? "none"}, ${thpText(r.thp)}dVmRSS tolerance ${r.rssToleranceKb} kB)`;
  // What the simulator cannot be of this machine: said once, on a mismatch (the scripts that met it differ).
  const unmodelled = failed > 0 ? (r.unmodelled ?? []).map((u) => `note: ${u}`) : [];
  return [...r.scripts.map((s) => formatComparison(s)), ...unmodelled, summary].join("\n");
}

/**
 * The simulator's THP settings in the summary when they are not its defaults
 * (`enabled` madvise, `use_zero_page` 1): the machine's, simulated to match.
 */
function thpText(thp: CheckReport["thp"] | undefined): string {
  if (thp === undefined || (thp.enabled === "madvise" && thp.useZeroPage)) return "";
  return `THP ${thp.enabled}${thp.useZeroPage ? "" : " without the huge zero page"} as this machine, `;
}

/**
 * Printing an execution the way the mailing-list threads draw races: one column
 * per CPU (actor), time going down, each step showing the kernel function and the
 * operation at that preemption point. Runs of steps by one actor are folded to
 * their first and last lines.
 */
import { displayWidth, padDisplay } from "./display_width.js";
import type { StepRecord } from "./execution.js";

/** The narrowest a column is; a column widens to its longest cell, so no kernel function name is ever cut. */
const WIDTH = 38;

/** Operations always shown: they change what other CPUs can see. */
const KEY = new Set(["set_pte_at", "pmd_clear", "pmd_populate", "pxd_populate", "set_pmd_at", "pmdp_huge_get_and_clear", "spin_trylock", "spin_lock_nested", "flush_tlb_multi", "pxd_clear"]);

function label(st: StepRecord): string {
  const fn = st.stack && st.stack.length ? st.stack[st.stack.length - 1] : "";
  return fn && fn !== st.what ? `${fn}: ${st.what}` : st.what;
}

/**
 * The steps as columns, one per actor. Widths are measured in terminal columns
 * (displayWidth: a wide character takes two), and each column is as wide as its
 * widest cell plus one space, at least WIDTH.
 */
export function formatTrace(names: string[], steps: readonly StepRecord[]): string {
  const rows: [number, string][] = [];
  const row = (actor: number, text: string) => void rows.push([actor, text]);
  for (let i = 0; i < steps.length; ) {
    let j = i;
    while (j < steps.length && steps[j].actor === steps[i].actor) j++;
    const run = steps.slice(i, j);
    // Keep the first and last step of a run and every step that changes a table or a lock's holder.
    let hidden = 0;
    run.forEach((st, n) => {
      if (n === 0 || n === run.length - 1 || KEY.has(st.what) || run.length <= 4) {
        if (hidden) row(st.actor, `  … ${hidden} more`);
        hidden = 0;
        row(st.actor, label(st));
      } else hidden++;
    });
    i = j;
  }
  const widths = names.map((n) => Math.max(WIDTH, displayWidth(n) + 1));
  for (const [actor, text] of rows) widths[actor] = Math.max(widths[actor], displayWidth(text) + 1);
  const line = (cells: readonly string[]) => cells.map((c, i) => padDisplay(c, widths[i])).join(" | ");
  const lines = [line(names), widths.map((w) => "-".repeat(w)).join("-+-")];
  for (const [actor, text] of rows) lines.push(line(names.map((_, i) => (i === actor ? text : ""))));
  return lines.join("\n");
}

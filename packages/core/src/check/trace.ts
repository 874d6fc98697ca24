/**
 * Printing an execution the way the mailing-list threads draw races: one column
 * per CPU (actor), time going down, each step showing the kernel function and the
 * operation at that preemption point. Runs of steps by one actor are folded to
 * their first and last lines.
 */
import type { StepRecord } from "./execution.js";

const WIDTH = 38;

/** Operations always shown: they change what other CPUs can see. */
const KEY = new Set(["set_pte_at", "pmd_clear", "pmd_populate", "pxd_populate", "set_pmd_at", "pmdp_huge_get_and_clear", "spin_trylock", "spin_lock_nested", "flush_tlb_multi", "pxd_clear"]);

function cell(s: string): string {
  return s.length > WIDTH - 1 ? s.slice(0, WIDTH - 2) + "…" : s.padEnd(WIDTH);
}

function label(st: StepRecord): string {
  const fn = st.stack && st.stack.length ? st.stack[st.stack.length - 1] : "";
  return fn && fn !== st.what ? `${fn}: ${st.what}` : st.what;
}

export function formatTrace(names: string[], steps: readonly StepRecord[]): string {
  const lines: string[] = [names.map((n) => cell(n)).join(" | "), names.map(() => "-".repeat(WIDTH)).join("-+-")];
  const row = (actor: number, text: string) => lines.push(names.map((_, i) => cell(i === actor ? text : "")).join(" | "));
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
  return lines.join("\n");
}

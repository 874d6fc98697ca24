/**
 * Printing an execution the way the mailing-list threads draw races: one column
 * per CPU (actor), time going down, each step showing the kernel function and the
 * operation at that preemption point. Runs of steps by one actor are folded to
 * their first and last lines.
 */
import type { StepRecord } from "./execution.js";

const WIDTH = 38;

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
    if (run.length <= 4) for (const st of run) row(st.actor, label(st));
    else {
      row(run[0].actor, label(run[0]));
      row(run[0].actor, `  … ${run.length - 2} more`);
      row(run[0].actor, label(run[run.length - 1]));
    }
    i = j;
  }
  return lines.join("\n");
}

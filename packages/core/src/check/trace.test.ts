/**
 * The per-CPU trace: columns measured in terminal columns, never cutting a kernel
 * function name; short traces print as before (columns of 38). Mutants: measure
 * with `.length` (the wide-name test fails) or cut long cells (the long-name test fails).
 */
import { describe, expect, it } from "vitest";
import { displayWidth, padDisplay } from "./display_width.js";
import type { StepRecord } from "./execution.js";
import { formatTrace } from "./trace.js";

const steps = (...s: [number, string, string?][]): StepRecord[] => s.map(([actor, what, fn]) => ({ actor, what, stack: fn ? [fn] : undefined }));
/** The display column of every " | " separator on each line. */
const separators = (text: string) =>
  text.split("\n").filter((l) => l.includes(" | ")).map((l) => displayWidth(l.slice(0, l.indexOf(" | "))));

describe("displayWidth", () => {
  it("counts wide characters twice, combining marks not at all", () => {
    expect(displayWidth("zap_pte_range")).toBe(13);
    expect(displayWidth("故障")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("🚀x")).toBe(3);
    expect(padDisplay("故", 4)).toBe("故  ");
    expect(padDisplay("toolong", 3)).toBe("toolong");
  });
});

describe("formatTrace", () => {
  it("prints short traces in columns of 38, as before", () => {
    const t = formatTrace(["dontneed", "fault"], steps([0, "ptep_get_and_clear", "zap_present_ptes"], [1, "set_pte_at", "do_anonymous_page"]));
    expect(t.split("\n")).toEqual([
      `${"dontneed".padEnd(38)} | ${"fault".padEnd(38)}`,
      `${"-".repeat(38)}-+-${"-".repeat(38)}`,
      `${"zap_present_ptes: ptep_get_and_clear".padEnd(38)} | ${"".padEnd(38)}`,
      `${"".padEnd(38)} | ${"do_anonymous_page: set_pte_at".padEnd(38)}`,
    ]);
  });

  it("never cuts a kernel function name: the column widens", () => {
    const fn = "madvise_free_huge_pmd_or_some_long_kernel_function_name";
    const t = formatTrace(["a", "b"], steps([0, "spin_lock", fn], [1, "x"]));
    expect(t).toContain(`${fn}: spin_lock`);
    expect(t).not.toContain("…");
    expect(new Set(separators(t)).size).toBe(1);
  });

  it("aligns columns by display width when names are wide", () => {
    const t = formatTrace(["故障処理のスレッド名前が長いので幅が広い列", "b"], steps([0, "x"], [1, "y"], [0, "z"]));
    expect(new Set(separators(t)).size).toBe(1);
  });
});

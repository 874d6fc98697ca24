/**
 * The plugin contract is enforced by lint (pluginContract in the root
 * eslint.config.js). This test shows the rules catch a plugin that breaks it:
 * each mutant of pt_reclaim.ts below must be reported, the real source must not.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const file = fileURLToPath(new URL("./pt_reclaim.ts", import.meta.url));
const root = fileURLToPath(new URL("../../..", import.meta.url));
const source = readFileSync(file, "utf8");

async function problems(text: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [r] = await eslint.lintText(text, { filePath: file });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("the plugin contract, as lint", () => {
  it("the plugin's source keeps it", async () => {
    expect(await problems(source)).toEqual([]);
  });

  const mutants: [string, string, RegExp][] = [
    ["imports core's root", source.replace(`from "@mmsim/core/kernel"`, `from "@mmsim/core"`), /reaches the kernel only through @mmsim\/core\/kernel/],
    ["imports core's checkers", source + `\nimport { walk_pmd } from "@mmsim/core/check";\nexport const w = walk_pmd;\n`, /only through @mmsim\/core\/kernel/],
    ["reads the table store", source.replace("if (!a.pte_none(yield* ptep_get(t, start_pte + i)))", "if (!a.pte_none((t.k as any).pt.get(start_pte + i)))"), /does not read the table store/],
    ["reads a task's out-parameter", source.replace("const { pte: start_pte, pmdval, ptl } = start;", "const { pte: start_pte, ptl } = start; const pmdval = (t as any).pmdval;").replace("(t as any).pmdval", "t.pmdval"), /private fields/],
    ["hard-codes PTRS_PER_PTE", source.replace("i < a.PTRS_PER_PTE", "i < 512"), /PTRS_PER_PTE/],
    ["hard-codes PMD_SIZE", source.replace("end - start >= k.arch.PMD_SIZE", "end - start >= 2 * 1024 * 1024"), /PMD_SIZE/],
  ];
  for (const [name, text, expected] of mutants) {
    it(`catches a plugin that ${name}`, async () => {
      expect(text).not.toBe(source);
      const found = await problems(text);
      expect(found.some((m) => expected.test(m)), found.join("\n")).toBe(true);
    });
  }
});

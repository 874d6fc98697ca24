/**
 * The plugin contract is enforced by lint (pluginContract in the root
 * eslint.config.js). The real source passes it; each mutant of pmd_reclaim.ts
 * below is reported.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const file = fileURLToPath(new URL("./pmd_reclaim.ts", import.meta.url));
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
    ["imports core's root", source.replace(`} from "@mmsim/core/kernel";`, `} from "@mmsim/core";`), /reaches the kernel only through @mmsim\/core\/kernel/],
    ["reads the table store", source.replace("ok = a.pxd_none(yield* pmdp_get(t, pmd0 + i));", "ok = a.pxd_none((t.k as any).pt.ent[pmd0 + i]);"), /does not read the table store/],
    ["hard-codes PTRS_PER_PMD", source.replace("for (let i = 0; i < a.PTRS_PER_PMD && ok; i++)", "for (let i = 0; i < 512 && ok; i++)"), /PTRS_PER_PTE/],
  ];
  for (const [name, text, expected] of mutants) {
    it(`catches a plugin that ${name}`, async () => {
      expect(text).not.toBe(source);
      const found = await problems(text);
      expect(found.some((m) => expected.test(m)), found.join("\n")).toBe(true);
    });
  }
});

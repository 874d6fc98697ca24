/**
 * The plugin contract is enforced by lint (pluginContract in the root
 * eslint.config.js). The real source passes it; each mutant of zero_pte.ts
 * below is reported.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const file = fileURLToPath(new URL("./zero_pte.ts", import.meta.url));
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
    ["reads the table store", source.replace("const pte = yield* ptep_get(t, start_pte + i);", "const pte = (t.k as any).pt.get(start_pte + i);"), /does not read the table store/],
    ["hard-codes PTRS_PER_PTE", source.replace("for (let i = 0; i < a.PTRS_PER_PTE; i++) {\n    const pte", "for (let i = 0; i < 512; i++) {\n    const pte"), /PTRS_PER_PTE/],
    ["hard-codes PAGE_SIZE", source.replace("const va = addr + i * a.PAGE_SIZE;", "const va = addr + i * 4096;"), /PAGE_SIZE/],
  ];
  for (const [name, text, expected] of mutants) {
    it(`catches a plugin that ${name}`, async () => {
      expect(text).not.toBe(source);
      const found = await problems(text);
      expect(found.some((m) => expected.test(m)), found.join("\n")).toBe(true);
    });
  }
});

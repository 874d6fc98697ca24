/**
 * The plugin contract is enforced by lint (pluginContract in the root
 * eslint.config.js): each mutant of pte_ref.ts below must be reported, the real
 * source must not.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const file = fileURLToPath(new URL("./pte_ref.ts", import.meta.url));
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
    ["reads the table store", source.replace("const page = pte_to_page(t.k, ptep);", "const page = (t.k as any).pt.table_of(ptep);"), /does not read the table store/],
    ["reads a task's RCU depth", source.replace("let retval = true;", "let retval = (t as any).rcu_read_depth === 0;").replace("(t as any).rcu_read_depth", "t.rcu_read_depth"), /private fields/],
    ["hard-codes PMD_SIZE", source.replace("addr + k.arch.PMD_SIZE", "addr + 2097152"), /PMD_SIZE/],
  ];
  for (const [name, text, expected] of mutants) {
    it(`catches a plugin that ${name}`, async () => {
      expect(text).not.toBe(source);
      const found = await problems(text);
      expect(found.some((m) => expected.test(m)), found.join("\n")).toBe(true);
    });
  }
});

// Flat config shared by every package (each runs `eslint src`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The plugin contract, enforced on the source of every bundled plugin (and the
 * kit's mutants, which are plugins too): a plugin imports the kernel only from
 * @mmsim/core/kernel, never reads the table store or a task's private fields, and
 * takes table geometry from the arch (PTRS_PER_PTE, PMD_SIZE), never a literal.
 */
export const pluginContract = {
  files: ["packages/reclaim-*/src/**/*.ts", "packages/conformance/src/mutants/**/*.ts"],
  ignores: ["**/*.test.ts"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            regex: "^@mmsim/core(?!/kernel$)(/.*)?$",
            message: "A plugin reaches the kernel only through @mmsim/core/kernel.",
          },
        ],
      },
    ],
    "no-restricted-syntax": [
      "error",
      { selector: "MemberExpression[property.name='pt']", message: "A plugin does not read the table store: use ptep_get() / pmdp_get_lockless()." },
      {
        selector: "MemberExpression[object.name='t'][property.name=/^(pmdval|ptl|vmf|op|held|rcu_read_depth|irq_disabled|task_work_pending)$/]",
        message: "A plugin does not read a task's private fields: kernel API functions return their results.",
      },
      { selector: "Literal[value=512]", message: "Table geometry comes from the arch: t.k.arch.PTRS_PER_PTE." },
      { selector: "Literal[value=4096]", message: "Table geometry comes from the arch: t.k.arch.PAGE_SIZE." },
      { selector: "Literal[value=2097152]", message: "Table geometry comes from the arch: t.k.arch.PMD_SIZE." },
      {
        selector: "BinaryExpression[operator='*'][left.type='BinaryExpression'][left.left.value=2][left.right.value=1024][right.value=1024]",
        message: "Table geometry comes from the arch: t.k.arch.PMD_SIZE.",
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Kernel names are snake_case on purpose (zap_pte_range, pmd_install, ...).
      camelcase: "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Kernel paths are generators that may have no preemption point on some arch.
      "require-yield": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  pluginContract,
);

// Flat config shared by every package (each runs `eslint src`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
);

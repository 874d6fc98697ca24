/**
 * The built entry points export exactly what their sources export (issue #10,
 * start-up): tsup builds dist/{index,kernel,check,workload}.js from the
 * build/entries/* wrappers, which put the modules into one shared chunk; a
 * wrapper must not lose or add a name. Mutant: drop `export * from "@mmsim/spec"`
 * from build/entries/kernel.ts (kernel.js then lacks spec's names, which
 * kernel.ts re-exports, e.g. VM_PLUGIN_1 and validate_plugin). Skipped when core
 * is not built.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as root from "./index.js";
import * as kernel from "./plugin/kernel.js";
import * as check from "./check/index.js";
import * as workload from "./workload/index.js";

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const built = ["index", "kernel", "check", "workload"].every((e) => existsSync(dist(`${e}.js`)) && existsSync(dist(`${e}.cjs`)));
const sources: Record<string, object> = { index: root, kernel, check, workload };
const require = createRequire(import.meta.url);

describe.skipIf(!built)("dist entry points", () => {
  for (const [entry, src] of Object.entries(sources)) {
    it(`dist/${entry}.js and dist/${entry}.cjs export the names src exports`, async () => {
      const names = Object.keys(src).sort();
      const esm = (await import(/* @vite-ignore */ dist(`${entry}.js`))) as object;
      expect(Object.keys(esm).sort()).toEqual(names);
      expect(Object.keys(require(dist(`${entry}.cjs`)) as object).sort()).toEqual(names);
    });
  }

  it("the engine-side entries share one chunk: dist/index.js, kernel.js and workload.js import the same single file", async () => {
    const { readFileSync } = await import("node:fs");
    const imports = (e: string) => [...readFileSync(dist(`${e}.js`), "utf8").matchAll(/from "(\.\/[^"]+)"/g)].map((m) => m[1]);
    const chunks = new Set(["index", "kernel", "workload"].flatMap(imports));
    expect([...chunks]).toHaveLength(1);
  });
});

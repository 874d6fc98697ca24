/**
 * examples/typescript-plugin, as its author builds it outside the workspace: copy
 * it to a temp dir, link the built @mmsim packages and TypeScript into its
 * node_modules, compile it with its own tsconfig (strict), and run the kit on the
 * compiled dist/index.js. Also: the published declarations catch a misuse of the
 * kernel API (yield* on a plain call), so a TypeScript plugin gets it at build time.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { x86_64 } from "@mmsim/arch-x86_64";
import type { ReclaimPlugin } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { checkPlugin } from "./run.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const built = ["spec", "core", "arch-x86_64", "conformance"].every((p) => existsSync(join(root, "packages", p, "dist/index.js")));
const tsc = join(root, "node_modules/typescript/bin/tsc");

describe.skipIf(!built || !existsSync(tsc))("examples/typescript-plugin outside the workspace", () => {
  it("compiles with tsc (strict), rejects a kernel-API misuse at build time, and passes the kit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmsim-ts-plugin-"));
    try {
      cpSync(join(root, "examples/typescript-plugin"), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
      const nm = join(dir, "node_modules");
      mkdirSync(join(nm, "@mmsim"), { recursive: true });
      for (const p of ["spec", "core", "arch-x86_64", "conformance"]) symlinkSync(join(root, "packages", p), join(nm, "@mmsim", p));
      const build = () => spawnSync(process.execPath, [tsc, "-p", "."], { cwd: dir, encoding: "utf8", timeout: 120_000 });

      const ok = build();
      expect(ok.stdout + ok.stderr).toBe("");
      expect(ok.status).toBe(0);
      for (const f of ["index.js", "index.d.ts", "index.js.map"]) expect(existsSync(join(dir, "dist", f)), f).toBe(true);

      // The kit on what tsc emitted (what `mmsim conformance .` loads through package.json's exports).
      const mod = (await import(pathToFileURL(join(dir, "dist/index.js")).href)) as { default: () => ReclaimPlugin };
      const reports = checkPlugin({ plugin: mod.default, arch: x86_64(), budget: 4, fuzz_runs: 3 });
      const failed = reports.flatMap((s) => s.checks.filter((c) => !c.result.ok).map((c) => `${c.name}: ${c.result.ok ? "" : c.result.message}`));
      expect(failed).toEqual([]);
      expect(reports.reduce((n, s) => n + s.checks.length, 0)).toBeGreaterThan(20);

      // mm_dec_nr_ptes() is a plain call: `yield*` on it is a type error, not a run-time "is not iterable".
      const src = join(dir, "src/index.ts");
      writeFileSync(src, readFileSync(src, "utf8").replace("mm_dec_nr_ptes(mm);", "yield* mm_dec_nr_ptes(mm);"));
      const bad = build();
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toMatch(/src\/index\.ts\(\d+,\d+\): error TS\d+: .*(iterator|iterable)/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

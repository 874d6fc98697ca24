/**
 * A plugin in a directory outside the workspace can import @mmsim/conformance and
 * run the kit under vitest: copy examples/third-party-plugin to a temp dir, link
 * the built @mmsim packages and vitest into its node_modules, run `vitest run`.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const built = ["spec", "core", "arch-x86_64", "reclaim-pt-reclaim", "conformance"].every((p) => existsSync(join(root, "packages", p, "dist/index.js")));

describe.skipIf(!built)("third-party plugin outside the workspace", () => {
  it("runs the whole kit under vitest and passes", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmsim-third-party-"));
    try {
      cpSync(join(root, "examples/third-party-plugin"), dir, { recursive: true });
      const nm = join(dir, "node_modules");
      mkdirSync(join(nm, "@mmsim"), { recursive: true });
      for (const p of ["spec", "core", "arch-x86_64", "reclaim-pt-reclaim", "conformance"]) symlinkSync(join(root, "packages", p), join(nm, "@mmsim", p));
      // The kit's own dependencies resolve from the monorepo's node_modules.
      for (const dep of ["vitest", "fast-check"]) symlinkSync(join(root, "node_modules", dep), join(nm, dep));
      // The verbose reporter names every test (the default one names only the slow ones, and the kit got fast: explore6).
      const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--root", dir, "--reporter=verbose"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", CI: "1" },
        timeout: 240_000,
      });
      // eslint-disable-next-line no-control-regex -- strip ANSI colours
      const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, "");
      expect(out, out).toMatch(/Tests\s+\d+ passed/);
      expect(r.status, out).toBe(0);
      expect(out).toMatch(/15 passed|\d+ passed/);
      expect(out).toContain("fault-vs-dontneed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

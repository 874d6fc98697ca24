/** `--reclaim <package>`: an installed plugin package, found from the working directory as Node would. */
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { packageEntry } from "./package-resolve.js";
import { mmsim, tempDir } from "./testing.js";

const PT_RECLAIM_URL = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve("@mmsim/reclaim-pt-reclaim/package.json")), "dist/index.js")).href;

/** A package `name` under `root`/node_modules with `pkg` as package.json and `files`. */
function install(root: string, name: string, pkg: object, files: Record<string, string>): string {
  const dir = join(root, "node_modules", name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", type: "module", ...pkg }));
  return dir;
}

const PLUGIN = `export { default } from ${JSON.stringify(PT_RECLAIM_URL)};\n`;

describe("--reclaim <installed package>", () => {
  it("loads an ESM-only scoped package (exports with only an import condition) from the working directory or a parent", async () => {
    const root = tempDir();
    install(root, "@acme/reclaim-x", { exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" } } }, { "dist/index.js": PLUGIN });
    const sub = join(root, "work", "deeper");
    mkdirSync(sub, { recursive: true });
    const viaPackage = await mmsim(["run", "seed-small", "--reclaim", "@acme/reclaim-x", "--json"], sub);
    const bundled = await mmsim(["run", "seed-small", "--reclaim", "pt-reclaim", "--json"], sub);
    expect(viaPackage.stderr).toBe("");
    expect(viaPackage.stdout).toBe(bundled.stdout);
    const c = await mmsim(["compare", "seed-small", "--reclaim", "none,@acme/reclaim-x", "--json"], root);
    expect(c.code).toBe(0);
  }, 600_000);

  it("an unscoped mmsim-reclaim-* package with only main", async () => {
    const root = tempDir();
    install(root, "mmsim-reclaim-y", { main: "lib/plugin.js" }, { "lib/plugin.js": PLUGIN });
    const r = await mmsim(["run", "seed-small", "--reclaim", "mmsim-reclaim-y", "--json"], root);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).reclaim).toBe("pt-reclaim");
  }, 600_000);

  it("says what is wrong: not installed, not built, no import entry, no plugin export", async () => {
    const root = tempDir();
    install(root, "@acme/unbuilt", { exports: "./dist/index.js" }, {});
    install(root, "@acme/cjs-only", { exports: { ".": { require: "./index.cjs" } } }, { "index.cjs": "" });
    install(root, "@acme/empty", { main: "index.js" }, { "index.js": "export const x = 1;\n" });
    const first = async (name: string) => {
      const r = await mmsim(["run", "seed-small", "--reclaim", name], root);
      return [r.code, r.stderr.split("\n")[0]];
    };
    expect(await first("@acme/nope")).toEqual([2, "error: --reclaim @acme/nope: no such package installed (looked in node_modules from the working directory up, and next to mmsim); npm install it, or give a module path"]);
    expect(await first("@acme/unbuilt")).toEqual([2, "error: --reclaim @acme/unbuilt: cannot load the package: its entry ./dist/index.js does not exist (not built?)"]);
    expect(await first("@acme/cjs-only")).toEqual([2, 'error: --reclaim @acme/cjs-only: cannot load the package: its package.json exports no "." entry for import']);
    expect(await first("@acme/empty")).toEqual([2, "error: --reclaim @acme/empty: no reclaim plugin exported (expected a default, 'plugin' or 'createPlugin' export)"]);
  }, 600_000);

  it("mutant: reading `main` before `exports` picks the CommonJS entry; the resolver does not", () => {
    const root = tempDir();
    const dir = install(root, "@acme/dual", { main: "./index.cjs", exports: { ".": { import: "./index.mjs", require: "./index.cjs" } } }, { "index.mjs": "", "index.cjs": "" });
    expect(packageEntry(dir)).toBe(join(dir, "index.mjs"));
  });
});

describe("a plugin package's directory given as a path (`mmsim conformance ./my-plugin`)", () => {
  it("loads the entry its package.json names, as an installed package's; the same output as the module path", async () => {
    const root = tempDir();
    const dir = join(root, "my-plugin");
    mkdirSync(join(dir, "lib"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "my-plugin", type: "module", exports: { ".": { import: "./lib/plugin.js" } } }));
    writeFileSync(join(dir, "lib", "plugin.js"), PLUGIN);
    const viaDir = await mmsim(["run", "seed-small", "--reclaim", "./my-plugin", "--json"], root);
    const viaFile = await mmsim(["run", "seed-small", "--reclaim", "./my-plugin/lib/plugin.js", "--json"], root);
    expect(viaDir.stderr).toBe("");
    expect(viaDir.code).toBe(0);
    expect(viaDir.stdout).toBe(viaFile.stdout);
    expect(JSON.parse(viaDir.stdout).reclaim).toBe("pt-reclaim");
    const here = await mmsim(["run", "seed-small", "--reclaim", ".", "--json"], dir); // `mmsim conformance .` in the plugin's own directory
    expect(here.stderr).toBe("");
    expect(here.stdout).toBe(viaFile.stdout);
  }, 600_000);

  it("says what is wrong: no package.json, an entry not built", async () => {
    const root = tempDir();
    mkdirSync(join(root, "bare"));
    writeFileSync(join(root, "bare", "plugin.js"), PLUGIN);
    mkdirSync(join(root, "unbuilt"));
    writeFileSync(join(root, "unbuilt", "package.json"), JSON.stringify({ name: "unbuilt", main: "dist/index.js" }));
    const first = async (path: string, command = "run") => {
      const r = await mmsim(command === "run" ? ["run", "seed-small", "--reclaim", path] : [command, path], root);
      return [r.code, r.stderr.split("\n")[0]];
    };
    expect(await first("./bare")).toEqual([2, "error: --reclaim ./bare: a directory without a package.json (give the plugin's module file, or a package directory whose package.json names its entry)"]);
    expect(await first("./unbuilt")).toEqual([2, "error: --reclaim ./unbuilt: cannot load the package: its entry dist/index.js does not exist (not built?)"]);
    // conformance and fuzz take the plugin as their argument, not as --reclaim: the error names it so.
    expect(await first("./unbuilt", "conformance")).toEqual([2, "error: plugin ./unbuilt: cannot load the package: its entry dist/index.js does not exist (not built?)"]);
  }, 600_000);
});

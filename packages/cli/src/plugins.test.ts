import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { defaultReclaims, loadReclaim, parseReclaimList, parseReclaimSpec, REGISTRY } from "./plugins.js";
import { mmsim, tempDir } from "./testing.js";

/** file: URL of the built pt-reclaim package, importable from a module in a temp dir. */
const PT_RECLAIM_URL = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("@mmsim/reclaim-pt-reclaim/package.json")), "dist/index.js"),
).href;

const seedSmallPte = async (argv: string[], cwd: string) => {
  const r = await mmsim(["run", "seed-small", "--json", ...argv], cwd);
  expect(r.stderr).toBe("");
  const out = JSON.parse(r.stdout) as { reclaim: string | null; final: { VmPTE: number } };
  return [out.reclaim, out.final.VmPTE];
};

describe("parseReclaimSpec", () => {
  it("knows none, the registry (by name or package) and module paths", () => {
    expect(parseReclaimSpec("none")).toEqual({ kind: "none" });
    expect(parseReclaimSpec("pt-reclaim")).toMatchObject({ kind: "registry", entry: { package: "@mmsim/reclaim-pt-reclaim" } });
    expect(parseReclaimSpec("@mmsim/reclaim-pt-reclaim")).toMatchObject({ kind: "registry", entry: { name: "pt-reclaim" } });
    for (const p of ["./p.mjs", "../x/p.js", "/abs/p.mjs", "plugins/p", "p.cjs", "file:///x/p.mjs"]) {
      expect(parseReclaimSpec(p)).toEqual({ kind: "module", path: p });
    }
  });

  it("rejects other names, including unbundled packages", () => {
    expect(() => parseReclaimSpec("pt_reclaim")).toThrow(UsageError);
    expect(() => parseReclaimSpec("@mmsim/reclaim-other")).toThrow("unknown reclaim plugin '@mmsim/reclaim-other'");
  });

  it("splits lists on commas", () => {
    expect(parseReclaimList("none, pt-reclaim").map((s) => s.kind)).toEqual(["none", "registry"]);
  });
});

describe("the registry", () => {
  it("names each plugin as the plugin names itself", async () => {
    for (const entry of REGISTRY) {
      const r = await loadReclaim({ kind: "registry", entry }, ".");
      expect(r.name).toBe(entry.name);
      expect(r.create()).not.toBe(r.create()); // a fresh instance per engine
    }
  });

  it("compare's default is none plus every installed plugin", async () => {
    expect((await defaultReclaims()).map((r) => r.label)).toEqual(["none", "pt-reclaim", "freept"]);
  });
});

describe("plugin modules", () => {
  it.each([
    ["a named factory re-export", `export { ptReclaim } from ${JSON.stringify(PT_RECLAIM_URL)};`],
    ["a default factory", `export { ptReclaim as default } from ${JSON.stringify(PT_RECLAIM_URL)};`],
    ["a plugin object", `import { ptReclaim } from ${JSON.stringify(PT_RECLAIM_URL)};\nexport const plugin = ptReclaim();`],
  ])("loads %s by path", async (_what, source) => {
    const dir = tempDir({ "my-plugin.mjs": source });
    expect(await seedSmallPte(["--reclaim", "./my-plugin.mjs"], dir)).toEqual(["pt-reclaim", 12]);
  });

  it("compares a module path with the bundled plugins", async () => {
    const dir = tempDir({ "p.mjs": `export { ptReclaim } from ${JSON.stringify(PT_RECLAIM_URL)};` });
    const r = await mmsim(["compare", "seed-small", "--json", "--reclaim", `none,${join(dir, "p.mjs")}`]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { reclaim: string | null; after: { VmPTE: number } }[];
    expect(rows.map((x) => [x.reclaim, x.after.VmPTE])).toEqual([
      [null, 2060],
      ["pt-reclaim", 12],
    ]);
  });

  it("rejects a module that is not a plugin (exit 2, naming what is missing)", async () => {
    const dir = tempDir({ "bad.mjs": `export default { name: "half-done" };\n` });
    const r = await mmsim(["run", "seed-small", "--reclaim", "./bad.mjs"], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: --reclaim ./bad.mjs: not a reclaim plugin (missing version, models, supports, specificationVersion)\n");
  });

  it("rejects a module with no plugin export", async () => {
    const dir = tempDir({ "none.mjs": "export const a = 1;\nexport const b = () => 1;\nexport const c = () => 2;\n" });
    const r = await mmsim(["run", "seed-small", "--reclaim", "./none.mjs"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--reclaim ./none.mjs: no reclaim plugin exported");
  });

  it("rejects a factory that throws", async () => {
    const dir = tempDir({ "boom.mjs": 'export default () => { throw new Error("boom"); };\n' });
    const r = await mmsim(["run", "seed-small", "--reclaim", "./boom.mjs"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: --reclaim ./boom.mjs: plugin factory failed: boom\n");
  });

  it("rejects a module path that does not exist", async () => {
    const r = await mmsim(["run", "seed-small", "--reclaim", "./nowhere.mjs"], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --reclaim \.\/nowhere\.mjs: cannot load module: /);
  });
});

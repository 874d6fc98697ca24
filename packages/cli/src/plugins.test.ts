import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { defaultReclaims, DEPRECATED_ALIASES, deprecationWarning, loadReclaim, loadReclaims, parseReclaimList, parseReclaimSpec, reclaimArg, REGISTRY } from "./plugins.js";
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

  it("rejects other bare names; scoped names and mmsim-reclaim-* are packages", () => {
    expect(() => parseReclaimSpec("pt_reclaim")).toThrow(UsageError);
    expect(() => parseReclaimSpec("reclaim-other")).toThrow("unknown reclaim plugin 'reclaim-other'");
    expect(parseReclaimSpec("@mmsim/reclaim-other")).toEqual({ kind: "package", name: "@mmsim/reclaim-other" });
    expect(parseReclaimSpec("mmsim-reclaim-y")).toEqual({ kind: "package", name: "mmsim-reclaim-y" });
    expect(reclaimArg(parseReclaimSpec("@acme/reclaim-x"))).toBe("@acme/reclaim-x");
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
    const labels = (await defaultReclaims()).map((r) => r.label);
    expect(labels.slice(0, 3)).toEqual(["none", "pt-reclaim", "rcu-freept"]);
    expect(labels).toEqual(["none", ...REGISTRY.map((e) => e.name)]); // every bundled design is installed here
  });
});

describe("deprecated names", () => {
  it("freept and @mmsim/reclaim-freept name rcu-freept, remembering the word given", () => {
    for (const word of ["freept", "@mmsim/reclaim-freept"]) {
      const spec = parseReclaimSpec(word);
      expect(spec).toMatchObject({ kind: "registry", entry: { name: "rcu-freept", package: "@mmsim/reclaim-rcu-freept" }, alias: word });
      expect(deprecationWarning(spec)).toBe(`mmsim: --reclaim ${word} is deprecated; use rcu-freept`);
      expect(reclaimArg(spec)).toBe("rcu-freept"); // printed replay lines use the new name
    }
    expect(deprecationWarning(parseReclaimSpec("rcu-freept"))).toBeNull();
    expect(Object.keys(DEPRECATED_ALIASES).every((w) => !REGISTRY.some((e) => e.name === w))).toBe(true);
  });

  it("loads the same plugin and warns once, through the warn given", async () => {
    const lines: string[] = [];
    const rs = await loadReclaims(parseReclaimList("freept,rcu-freept,freept"), ".", (l) => lines.push(l));
    expect(rs.map((r) => [r.name, r.source])).toEqual(Array(3).fill(["rcu-freept", "@mmsim/reclaim-rcu-freept"]));
    expect(lines).toEqual(["mmsim: --reclaim freept is deprecated; use rcu-freept"]);
  });

  it("mmsim run --reclaim freept: the same stdout as rcu-freept, one warning line on stderr", async () => {
    const old = await mmsim(["run", "seed-small", "--reclaim", "freept"]);
    const now = await mmsim(["run", "seed-small", "--reclaim", "rcu-freept"]);
    expect(old.code).toBe(0);
    expect(old.stdout).toBe(now.stdout);
    expect(now.stderr).toBe("");
    expect(old.stderr).toBe("mmsim: --reclaim freept is deprecated; use rcu-freept\n");
  });

  it("compare accepts the old word too (once in a list)", async () => {
    const r = await mmsim(["compare", "seed-small", "--json", "--reclaim", "none,freept", "--reclaim", "freept"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("mmsim: --reclaim freept is deprecated; use rcu-freept\n");
    expect((JSON.parse(r.stdout) as { reclaim: string | null }[]).map((x) => x.reclaim)).toEqual([null, "rcu-freept", "rcu-freept"]);
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

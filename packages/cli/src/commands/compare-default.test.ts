/**
 * `mmsim compare` with no --reclaim: none and then every installed design of the
 * registry, each with its before and after column. Nothing here names the
 * designs: a plugin added to REGISTRY must get its columns without a change to
 * compare, and the columns already there must keep their text.
 */
import { describe, expect, it } from "vitest";
import { installedReclaims } from "../plugins.js";
import { mmsim } from "../testing.js";

describe("mmsim compare (default set)", () => {
  it("shows none and every installed design, a before and an after column each; added columns leave the others' text alone", async () => {
    const designs = (await installedReclaims()).map((r) => r.label);
    expect(designs.length).toBeGreaterThanOrEqual(2);
    const all = await mmsim(["compare", "seed-small"]);
    expect(all.code).toBe(0);
    const lines = all.stdout.split("\n");
    expect(lines[2].trim().split(/\s+/)).toEqual(["none", ...designs]);
    expect(lines[3].trim().split(/\s+/)).toEqual(Array(designs.length + 1).fill(["before", "after"]).flat());
    for (const title of ["VIRT (VmSize)", "RES (VmRSS)", "VmPTE"]) {
      const row = lines.find((l) => l.startsWith(title))!;
      // each cell is "<n> kB" with an optional "(x.y MB)": 2 per column group
      expect(row.slice(title.length).match(/\d+ kB/g)).toHaveLength(2 * (designs.length + 1));
    }
    // The first two groups read exactly as a compare of those two alone: a later column changes no earlier text.
    const two = await mmsim(["compare", "seed-small", "--reclaim", `none,${designs[0]}`]);
    const twoLines = two.stdout.split("\n");
    twoLines.forEach((l, i) => expect(lines[i].startsWith(l)).toBe(true));
  });

  it("--json: one row per design, with before and after", async () => {
    const designs = (await installedReclaims()).map((r) => r.name);
    const r = await mmsim(["compare", "seed-small", "--json"]);
    const rows = JSON.parse(r.stdout) as { reclaim: string | null; before: object; after: object }[];
    expect(rows.map((x) => x.reclaim)).toEqual([null, ...designs]);
    for (const row of rows) for (const side of [row.before, row.after]) expect(Object.keys(side)).toEqual(["VmSize", "VmRSS", "VmPTE"]);
  });
});
